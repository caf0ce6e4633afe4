import { useI18n } from '../../../i18n/index.tsx';

/** The baskets report (docs/analytics-baskets.md). */
export function BasketsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
