import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { BasketsPage } from './baskets/BasketsPage.tsx';
import { CartsPage } from './carts/CartsPage.tsx';
import { FunnelsPage } from './funnels/FunnelsPage.tsx';
import { PathsPage } from './paths/PathsPage.tsx';
import { PredictionsPage } from './predictions/PredictionsPage.tsx';
import { RetentionPage } from './retention/RetentionPage.tsx';
import { ReviewsPage } from './reviews/ReviewsPage.tsx';
import { SearchPage } from './search/SearchPage.tsx';
import { SessionsPage } from './sessions/SessionsPage.tsx';

export const ANALYTICS_TABS = ['funnels', 'retention', 'paths', 'sessions', 'search', 'carts', 'reviews', 'baskets', 'predictions'] as const;
export type AnalyticsTab = (typeof ANALYTICS_TABS)[number];

/** The analytics area: /analytics/<report>, one tab per report (funnels first). */
export function AnalyticsPage({ route }: { route: string[] }) {
  const { t } = useI18n();
  const [first = 'funnels'] = route;
  const tab: AnalyticsTab = (ANALYTICS_TABS as readonly string[]).includes(first) ? (first as AnalyticsTab) : 'funnels';
  let body;
  if (tab === 'funnels') body = <FunnelsPage />;
  else if (tab === 'retention') body = <RetentionPage />;
  else if (tab === 'paths') body = <PathsPage />;
  else if (tab === 'sessions') body = <SessionsPage />;
  else if (tab === 'search') body = <SearchPage />;
  else if (tab === 'carts') body = <CartsPage />;
  else if (tab === 'reviews') body = <ReviewsPage />;
  else if (tab === 'baskets') body = <BasketsPage />;
  else body = <PredictionsPage />;
  return (
    <section className="page analytics">
      <header className="page-head">
        <h1>{t('nav.analytics')}</h1>
      </header>
      <Tabs tabs={ANALYTICS_TABS} label={t('nav.analytics')} active={tab} current={tab} path={(id) => `/analytics/${id}`} name={(id) => t(`analytics.tab.${id}` as MessageKey)} />
      {body}
    </section>
  );
}
