import { useI18n } from '../../../i18n/index.tsx';

/** The search report (docs/analytics-search.md). */
export function SearchPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
