import { useEffect, useRef } from 'react';
import { Tabs } from '../../components/Tabs.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate, useLocation } from '../../router.ts';
import type { Segment } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { CampaignDetail } from './CampaignDetail.tsx';
import { CampaignList } from './CampaignList.tsx';
import { CampaignWizard } from './CampaignWizard.tsx';
import { JourneyDetail, JourneysView } from './JourneysView.tsx';
import type { Campaign, CampaignRow } from './types.ts';

const TABS = ['list', 'new', 'journeys'] as const;
type Tab = (typeof TABS)[number];
const tabPath = (tab: Tab) => (tab === 'list' ? '/campaigns' : `/campaigns/${tab}`);

/**
 * The campaigns area: /campaigns (list), /campaigns/new (wizard), /campaigns/<id> (live results),
 * /campaigns/<id>/edit (the wizard over a draft, scheduled or paused campaign),
 * /campaigns/journeys (templates and journeys), /campaigns/journeys/<id> (a journey's flow).
 */
export function CampaignsPage({ route }: { route: string[] }) {
  const { t } = useI18n();
  const [first = '', second = ''] = route;
  const tab: Tab | null = first === '' ? 'list' : (TABS as readonly string[]).includes(first) ? (first as Tab) : null;
  const list = useApi<{ campaigns: CampaignRow[] }>(tab === 'list' ? '/api/v1/campaigns' : null);
  const segments = useApi<{ segments: Segment[] }>(tab === 'list' || (tab === 'journeys' && !second) ? null : '/api/v1/segments');
  // /campaigns/new?from=<id>: a new campaign starting from a copy of another
  const { search } = useLocation();
  const fromId = tab === 'new' ? search.get('from') : null;
  const source = useApi<Campaign>(fromId ? `/api/v1/campaigns/${encodeURIComponent(fromId)}` : null);
  // /campaigns/<id>/edit: the wizard over a campaign not yet running or done
  const editing = tab === null && second === 'edit' ? first : null;
  const target = useApi<Campaign>(editing ? `/api/v1/campaigns/${encodeURIComponent(editing)}` : null);
  const routeKey = route.join('/');
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current && tab === 'list') list.reload();
    mounted.current = true;
  }, [routeKey]); // eslint-disable-line react-hooks/exhaustive-deps

  let body = null;
  const segs = segments.data?.segments;
  if (tab === 'list') {
    if (list.status === 'error') body = <ErrorBox message={list.error.message} onRetry={list.reload} />;
    else if (!list.data) body = <Loading />;
    else body = <CampaignList rows={[...list.data.campaigns].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))} onChanged={list.reload} />;
  } else if (tab === 'journeys') {
    body = second ? <JourneyDetail key={second} id={second} /> : <JourneysView />;
  } else if (segments.status === 'error') {
    body = <ErrorBox message={segments.error.message} onRetry={segments.reload} />;
  } else if (!segs) {
    body = <Loading />;
  } else if (tab === 'new') {
    body = fromId ? (
      source.data ? <CampaignWizard key={`from-${fromId}`} segments={segs} from={source.data} /> : source.status === 'error' ? <ErrorBox message={source.error.message} onRetry={source.reload} /> : <Loading />
    ) : (
      <CampaignWizard key="new" segments={segs} />
    );
  } else if (editing) {
    body = target.data ? <CampaignWizard key={`edit-${editing}`} segments={segs} edit={target.data} /> : target.status === 'error' ? <ErrorBox message={target.error.message} onRetry={target.reload} /> : <Loading />;
  } else {
    body = <CampaignDetail key={first} id={first} segments={segs} />;
  }

  return (
    <section className="page campaigns-page">
      <header className="page-head">
        <div>
          <h1>{t('cmp.title')}</h1>
          <p className="muted">{t('cmp.tagline')}</p>
        </div>
        <button type="button" className="btn primary" onClick={() => navigate('/campaigns/new')} data-testid="new-campaign" disabled={tab === 'new' && !fromId}>
          + {t('cmp.tab.new')}
        </button>
      </header>
      <Tabs tabs={TABS} label={t('cmp.title')} active={tab ?? 'list'} current={tab} path={tabPath} name={(x) => t(`cmp.tab.${x}` as MessageKey)} />
      {(tab === null || (tab === 'journeys' && second)) && (
        <a
          className="back"
          href={tab === null ? '/campaigns' : '/campaigns/journeys'}
          onClick={(e) => {
            e.preventDefault();
            navigate(tab === null ? '/campaigns' : '/campaigns/journeys');
          }}
        >
          ← {t(tab === null ? 'cmp.back' : 'cmp.j.back')}
        </a>
      )}
      {body}
    </section>
  );
}
