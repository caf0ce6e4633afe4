import { useI18n } from '../../../i18n/index.tsx';

/** The funnels report (docs/analytics-funnels.md). */
export function FunnelsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
