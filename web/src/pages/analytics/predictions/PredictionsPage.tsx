import { useI18n } from '../../../i18n/index.tsx';

/** The predictions report (docs/analytics-predictions.md). */
export function PredictionsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
