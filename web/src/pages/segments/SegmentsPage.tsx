import { useEffect, useMemo, useRef } from 'react';
import { Tabs } from '../../components/Tabs.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate, useLocation } from '../../router.ts';
import type { Rule, Segment, TagList } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { ClusterView } from './ClusterView.tsx';
import { LookalikeForm } from './LookalikeForm.tsx';
import { OverlapView } from './OverlapView.tsx';
import { RfmView } from './RfmView.tsx';
import { SegmentBuilder } from './SegmentBuilder.tsx';
import { SegmentDetail } from './SegmentDetail.tsx';
import { SegmentList } from './SegmentList.tsx';

const TABS = ['list', 'new', 'overlap', 'rfm', 'clusters', 'lookalike'] as const;
type Tab = (typeof TABS)[number];
const tabPath = (tab: Tab) => (tab === 'list' ? '/segments' : `/segments/${tab}`);

/** A rule handed over in the address (`/segments/new?rule=…`, from the RFM and cluster views). */
function ruleParam(s: string | null): Rule | null {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Rule) : null;
  } catch {
    return null;
  }
}

/**
 * The segments area: /segments (list), /segments/new (builder), /segments/<id> (detail), /segments/<id>/edit,
 * /segments/overlap, /segments/rfm, /segments/clusters, /segments/lookalike. Segment ids start with `seg_`,
 * so they never clash with the view names.
 */
export function SegmentsPage({ route }: { route: string[] }) {
  const { t } = useI18n();
  const { search } = useLocation();
  const [first = '', second = ''] = route;
  const list = useApi<{ segments: Segment[] }>('/api/v1/segments');
  const tags = useApi<TagList>('/api/v1/tags');
  const tab: Tab | null = first === '' ? 'list' : (TABS as readonly string[]).includes(first) ? (first as Tab) : null;
  const routeKey = route.join('/');
  // a save, freeze or delete elsewhere in the area changes the list: ask again on every move
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) list.reload();
    mounted.current = true;
  }, [routeKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const initial = useMemo(() => ruleParam(search.get('rule')), [search.get('rule')]); // eslint-disable-line react-hooks/exhaustive-deps

  const segments = list.data?.segments;
  const catalog = tags.data?.tags;
  let body = null;
  if (segments && catalog) {
    if (tab === 'list') body = <SegmentList segments={segments} tags={catalog} />;
    else if (tab === 'new') body = <SegmentBuilder key={`new-${search.get('rule') ?? ''}`} tags={catalog} segments={segments} initial={initial} />;
    else if (tab === 'overlap') body = <OverlapView segments={segments} />;
    else if (tab === 'rfm') body = <RfmView tags={catalog} />;
    else if (tab === 'clusters') body = <ClusterView tags={catalog} />;
    else if (tab === 'lookalike') body = <LookalikeForm segments={segments} />;
    else if (second === 'edit') {
      const editing = segments.find((s) => s.id === first);
      body = editing ? (
        editing.kind === 'dynamic' ? (
          <SegmentBuilder key={`edit-${first}`} tags={catalog} segments={segments} editing={editing} />
        ) : (
          <div className="notice">{t('seg.staticNoEdit')}</div>
        )
      ) : (
        <div className="notice">{t('seg.notFound', { id: first })}</div>
      );
    } else body = <SegmentDetail key={first} id={first} tags={catalog} segments={segments} onChanged={list.reload} />;
  }
  const error = list.status === 'error' ? list : tags.status === 'error' ? tags : null;

  return (
    <section className="page segments-page">
      <header className="page-head">
        <div>
          <h1>{t('seg.title')}</h1>
          <p className="muted">{segments ? t('seg.subtitle', { n: segments.length }) : t('seg.tagline')}</p>
        </div>
        <button type="button" className="btn primary" onClick={() => navigate('/segments/new')} data-testid="new-segment" disabled={tab === 'new'}>
          + {t('seg.tab.new')}
        </button>
      </header>
      <Tabs tabs={TABS} label={t('seg.title')} active={tab ?? 'list'} current={tab} path={tabPath} name={(x) => t(`seg.tab.${x}` as MessageKey)} />
      {tab === null && (
        <a
          className="back"
          href="/segments"
          onClick={(e) => {
            e.preventDefault();
            navigate('/segments');
          }}
        >
          ← {t('seg.back')}
        </a>
      )}
      {(!segments || !catalog) && !error && <Loading />}
      {error && <ErrorBox message={error.error!.message} onRetry={error.reload} />}
      {body}
    </section>
  );
}
