import { useI18n } from '../../../i18n/index.tsx';

/** The paths report (docs/analytics-paths.md). */
export function PathsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
