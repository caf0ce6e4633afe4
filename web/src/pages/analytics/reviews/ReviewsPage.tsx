import { useI18n } from '../../../i18n/index.tsx';

/** The reviews report (docs/analytics-reviews.md). */
export function ReviewsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
