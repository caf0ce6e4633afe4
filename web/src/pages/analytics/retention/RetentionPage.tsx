import { useI18n } from '../../../i18n/index.tsx';

/** The retention report (docs/analytics-retention.md). */
export function RetentionPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
