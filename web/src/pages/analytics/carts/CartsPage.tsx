import { useI18n } from '../../../i18n/index.tsx';

/** The carts report (docs/analytics-carts.md). */
export function CartsPage() {
  const { t } = useI18n();
  return <div className="card soon" data-testid="coming-soon">{t('soon.badge')}</div>;
}
