import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import type { EntryExitPage, EntryExitPages, EventName, Paths } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { useReportQuery } from '../useReportQuery.ts';
import { sankeyOption, stepLabel } from './pathsCharts.ts';

type AnchorType = 'event' | 'page';
const DEFAULT_ANCHOR: Record<AnchorType, string> = { event: 'Product Viewed', page: 'Home' };

/** The paths report (docs/analytics-paths.md): a Sankey of the steps after or before an anchor, the top paths, entry and exit pages. */
export function PathsPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(30);
  const [anchorType, setAnchorType] = useState<AnchorType>('event');
  const [anchor, setAnchor] = useState(DEFAULT_ANCHOR.event);
  const [draft, setDraft] = useState(DEFAULT_ANCHOR.event);
  const [direction, setDirection] = useState<'after' | 'before'>('after');
  const [depth, setDepth] = useState(4);
  const [include, setInclude] = useState<'all' | 'views'>('all');

  const events = useApi<{ events: EventName[] }>('/api/v1/analytics/events');
  const entries = useApi<EntryExitPages>('/api/v1/analytics/paths/entries', { ...report.range, limit: 20 });
  const res = useApi<Paths>(anchor ? '/api/v1/analytics/paths' : null, { ...report.range, anchor, anchorType, direction, depth, include, top: 10 });
  const data = res.data;
  const option = useMemo(() => (data && data.nodes.length ? sankeyOption(data, t, fmt) : null), [data, t, fmt]);

  // suggestions: the shop's event names of the chosen kind (track events, or page/screen names)
  const suggestions = [...new Set((events.data?.events ?? []).filter((e) => (anchorType === 'event' ? e.type === 'track' : e.type !== 'track')).map((e) => e.event))];

  const apply = (v: string) => {
    const a = v.trim();
    if (a) setAnchor(a);
  };

  return (
    <div className="paths-page" data-testid="paths-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? { from: data.range.from, to: data.range.to } : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
      </div>
      <div className="report-controls">
        <div className="segmented" role="group" aria-label={t('paths.anchorType')}>
          {(['event', 'page'] as const).map((k) => (
            <button type="button" key={k} data-anchor-type={k} className={k === anchorType ? 'active' : ''} aria-pressed={k === anchorType}
              onClick={() => { setAnchorType(k); setDraft(DEFAULT_ANCHOR[k]); setAnchor(DEFAULT_ANCHOR[k]); }}>
              {t(`paths.anchorType.${k}`)}
            </button>
          ))}
        </div>
        <form className="inline-field" onSubmit={(e) => { e.preventDefault(); apply(draft); }}>
          <span>{t('paths.anchor')}</span>
          <input name="anchor" list="paths-anchors" value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={() => apply(draft)} data-testid="anchor" />
          <datalist id="paths-anchors">{suggestions.map((s) => <option key={s} value={s} />)}</datalist>
        </form>
        <div className="segmented" role="group" aria-label={t('paths.direction')}>
          {(['after', 'before'] as const).map((d) => (
            <button type="button" key={d} data-direction={d} className={d === direction ? 'active' : ''} aria-pressed={d === direction} onClick={() => setDirection(d)}>
              {t(`paths.direction.${d}`)}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>{t('paths.depth')}</span>
          <select name="depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
            {[1, 2, 3, 4, 5, 6].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label className="inline-field">
          <span>{t('paths.include')}</span>
          <select name="include" value={include} onChange={(e) => setInclude(e.target.value as 'all' | 'views')}>
            <option value="all">{t('paths.include.all')}</option>
            <option value="views">{t('paths.include.views')}</option>
          </select>
        </label>
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && (
        <div className={`paths-result${res.status === 'loading' ? ' stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="paths-result" data-status={res.status}
          data-anchor={data.anchor} data-sessions={data.sessions}>
          <p className="muted">{t('paths.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz, sessions: fmt.number(data.sessions), paths: fmt.number(data.distinctPaths) })}</p>
          {data.sessions === 0 && <div className="notice">{t('paths.empty')}</div>}
          {data.truncated && <div className="notice">{t('paths.truncated')}</div>}
          {option && (
            <div className="card">
              <h2>{t('paths.sankey')}</h2>
              <p className="muted small">{t('paths.sankeyHelp')}</p>
              <Chart option={option} lang={lang} label="paths-sankey" height={Math.max(360, 34 * Math.max(...countPerStep(data)))} />
            </div>
          )}
          {data.top.length > 0 && (
            <div className="card">
              <h2>{t('paths.top')}</h2>
              <div className="table-wrap">
                <table className="table" data-testid="top-paths">
                  <thead><tr><th>{t('paths.path')}</th><th className="num">{t('paths.sessions')}</th><th className="share-col">{t('paths.share')}</th></tr></thead>
                  <tbody>
                    {data.top.map((p) => (
                      <tr key={p.steps.join('\u0000')}>
                        <td className="path-steps">{p.steps.map((s, i) => <span key={i} className={i === (direction === 'after' ? 0 : p.steps.length - 1) ? 'step anchor' : 'step'}>{stepLabel(s, t)}</span>)}</td>
                        <td className="num">{fmt.number(p.sessions)}</td>
                        <td className="share-col"><div className="share"><div className="share-bar" style={{ width: `${100 * p.share}%` }} /><span>{fmt.percent(p.share)}</span></div></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </div>
      )}

      {entries.data && (
        <div className="grid-2">
          <PageTable title={t('paths.entries')} rows={entries.data.entries} kind="entries" />
          <PageTable title={t('paths.exits')} rows={entries.data.exits} kind="exits" />
        </div>
      )}
    </div>
  );
}

function countPerStep(d: Paths): number[] {
  const m = new Map<number, number>();
  for (const n of d.nodes) m.set(n.step, (m.get(n.step) ?? 0) + 1);
  return [1, ...m.values()];
}

function PageTable({ title, rows, kind }: { title: string; rows: EntryExitPage[]; kind: 'entries' | 'exits' }) {
  const { t, fmt } = useI18n();
  return (
    <div className="card">
      <h2>{title}</h2>
      {rows.length === 0 ? <p className="empty">{t('state.nothing')}</p> : (
        <div className="table-wrap">
          <table className="table" data-testid={`${kind}-pages`}>
            <thead>
              <tr>
                <th>{t('paths.page')}</th>
                <th className="num">{t('paths.views')}</th>
                <th className="num">{kind === 'entries' ? t('paths.entryCount') : t('paths.exitCount')}</th>
                <th className="num">{kind === 'entries' ? t('paths.entryShare') : t('paths.exitRate')}</th>
                {kind === 'entries' && <th className="num">{t('paths.bounceRate')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.page}>
                  <td>{r.page}</td>
                  <td className="num">{fmt.number(r.views)}</td>
                  <td className="num">{fmt.number(kind === 'entries' ? r.entries : r.exits)}</td>
                  <td className="num">{fmt.percent(kind === 'entries' ? r.entryShare : r.exitRate)}</td>
                  {kind === 'entries' && <td className="num">{fmt.percent(r.bounceRate)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
