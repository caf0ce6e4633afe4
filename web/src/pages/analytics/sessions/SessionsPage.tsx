import { useI18n } from '../../../i18n/index.tsx';

/** The sessions report (docs/analytics-sessions.md). */
export function SessionsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
