import { useEffect, useMemo, useRef, useState } from 'react';
import { apiGet, ApiError } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { PRESETS, RangePicker, type Preset, type Selection } from '../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../components/States.tsx';
import { addDays, isDate } from '../dates.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { navigate, useLocation } from '../router.ts';
import type { ActiveUsers, BreakdownMetric, MetricBreakdown, Overview as OverviewData } from '../types.ts';
import { useApi } from '../useApi.ts';
import { BreakdownPicker } from './analytics/BreakdownPicker.tsx';
import { activeCharts, breakdownChart, overviewCharts, useLabels } from './overviewCharts.ts';

/** Reads the selection from the address (?range=7, or ?from=&to= with `to` inclusive, and ?tz=). */
function fromAddress(search: URLSearchParams): { selection: Selection; tz: string } {
  const tz = search.get('tz') || 'Asia/Shanghai';
  const from = search.get('from');
  const last = search.get('to');
  if (isDate(from) && isDate(last) && from <= last) return { selection: { preset: 'custom', from, to: addDays(last, 1) }, tz };
  const n = Number(search.get('range'));
  return { selection: { preset: (PRESETS as number[]).includes(n) ? (n as Preset) : 30 }, tz };
}

function toAddress(s: Selection, tz: string): string {
  const q = new URLSearchParams();
  if (s.preset === 'custom') {
    q.set('from', s.from);
    q.set('to', addDays(s.to, -1));
  } else if (s.preset !== 30) q.set('range', String(s.preset));
  if (tz !== 'Asia/Shanghai') q.set('tz', tz);
  const qs = q.toString();
  return `/overview${qs ? `?${qs}` : ''}`;
}

export function Overview() {
  const { t, fmt, lang } = useI18n();
  const labels = useLabels();
  const { search } = useLocation();
  const initial = useMemo(() => fromAddress(search), []); // eslint-disable-line react-hooks/exhaustive-deps
  const [selection, setSelection] = useState<Selection>(initial.selection);
  const [tz, setTz] = useState(initial.tz);
  /** the day after the latest event in `tz`: presets count back from it (learned from the API's default range) */
  const [anchor, setAnchor] = useState<{ tz: string; to: string } | null>(null);
  const [data, setData] = useState<OverviewData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const cache = useRef(new Map<string, OverviewData>());

  const query = useMemo(() => {
    if (selection.preset === 'custom') return { from: selection.from, to: selection.to, tz };
    if (anchor?.tz !== tz) return { tz }; // the server's default: 30 days up to the latest event
    return { from: addDays(anchor.to, -selection.preset), to: anchor.to, tz };
  }, [selection, anchor, tz]);

  useEffect(() => {
    navigate(toAddress(selection, tz), { replace: true });
  }, [selection, tz]);

  useEffect(() => {
    const key = `${query.from ?? ''}|${query.to ?? ''}|${tz}`;
    const hit = cache.current.get(key);
    if (hit) {
      setData(hit);
      setLoading(false);
      setError(null);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    apiGet<OverviewData>('/api/v1/analytics/overview', query, { signal: ctl.signal }).then(
      (d) => {
        cache.current.set(`${d.range.from}|${d.range.to}|${tz}`, d);
        cache.current.set(key, d);
        if (!query.from) setAnchor({ tz, to: d.range.to });
        // the default answer is the 30-day preset; other presets ask again once the anchor is known
        if (query.from || selection.preset === 30) {
          setData(d);
          setLoading(false);
        }
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e instanceof ApiError ? e.message : String(e));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [query, attempt]); // eslint-disable-line react-hooks/exhaustive-deps

  const charts = useMemo(() => (data ? overviewCharts(data, labels, fmt) : null), [data, labels, fmt]);

  return (
    <section className="page overview">
      <header className="page-head">
        <div>
          <h1>{t('overview.title')}</h1>
          {data && (
            <p className="muted" data-testid="range-caption">
              {t('overview.subtitle', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz })}
              <span className="sep">·</span>
              {t('overview.compare', { from: data.previousRange.from, to: addDays(data.previousRange.to, -1) })}
            </p>
          )}
        </div>
        <RangePicker
          selection={selection}
          shown={data ? { from: data.range.from, to: data.range.to } : null}
          tz={tz}
          onSelect={setSelection}
          onTz={(z) => {
            setTz(z);
            setAnchor(null);
          }}
        />
      </header>

      {error && <ErrorBox message={error} onRetry={() => setAttempt((n) => n + 1)} />}
      {!data && loading && !error && <Loading />}
      {data && (
        <div className={loading ? 'stale' : ''} aria-busy={loading}>
          {data.current.users === 0 && <div className="notice">{t('overview.empty')}</div>}
          <div className="kpis">
            <Kpi id="gmv" label="kpi.gmv" value={data.current.gmv} previous={data.previous.gmv} change={data.change.gmv} display={fmt.money(data.current.gmv, data.currency)} />
            <Kpi id="orders" label="kpi.orders" value={data.current.orders} previous={data.previous.orders} change={data.change.orders} display={fmt.number(data.current.orders)} />
            <Kpi id="aov" label="kpi.aov" value={data.current.aov} previous={data.previous.aov} change={data.change.aov} display={fmt.money(data.current.aov, data.currency)} />
            <Kpi id="conversion" label="kpi.conversion" kind="ratio" value={data.current.conversion} previous={data.previous.conversion} change={data.change.conversion} display={fmt.percent(data.current.conversion)} />
            <Kpi id="activeUsers" label="kpi.activeUsers" value={data.current.activeUsers} previous={data.previous.activeUsers} change={data.change.activeUsers} display={fmt.number(data.current.activeUsers)} />
            <Kpi id="newUsers" label="kpi.newUsers" value={data.current.newUsers} previous={data.previous.newUsers} change={data.change.newUsers} display={fmt.number(data.current.newUsers)} />
            <Kpi id="buyers" label="kpi.buyers" value={data.current.buyers} previous={data.previous.buyers} change={data.change.buyers} display={fmt.number(data.current.buyers)} />
            <Kpi id="users" label="kpi.users" value={data.current.users} previous={data.previous.users} change={data.change.users} display={fmt.number(data.current.users)} />
          </div>

          <div className="card">
            <h2>{t('chart.trend')}</h2>
            <Chart option={charts!.trend} lang={lang} label="trend" height={340} />
          </div>

          <div className="grid-2">
            <div className="card">
              <h2>{t('chart.categories')}</h2>
              {data.topCategories.length ? <Chart option={charts!.categories} lang={lang} label="categories" height={340} /> : <p className="empty">{t('state.nothing')}</p>}
            </div>
            <div className="card">
              <h2>{t('chart.devices')}</h2>
              {data.devices.length ? <Chart option={charts!.devices} lang={lang} label="devices" height={340} /> : <p className="empty">{t('state.nothing')}</p>}
            </div>
          </div>

          <div className="card">
            <h2>{t('chart.channels')}</h2>
            {data.channels.length ? <ChannelTable data={data} /> : <p className="empty">{t('state.nothing')}</p>}
          </div>

          <ActiveUsersCards range={data.range} />
          <BreakdownCard range={data.range} currency={data.currency} />
        </div>
      )}
    </section>
  );
}

function ChannelTable({ data }: { data: OverviewData }) {
  const { t, fmt } = useI18n();
  const labels = useLabels();
  const total = data.current.activeUsers || 1;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="channels">
        <thead>
          <tr>
            <th>{t('col.channel')}</th>
            <th className="share-col">{t('col.share')}</th>
            <th className="num">{t('col.activeUsers')}</th>
            <th className="num">{t('col.newUsers')}</th>
            <th className="num">{t('col.buyers')}</th>
            <th className="num">{t('col.conversion')}</th>
            <th className="num">{t('col.orders')}</th>
            <th className="num">{t('col.gmv')}</th>
          </tr>
        </thead>
        <tbody>
          {data.channels.map((c) => (
            <tr key={c.channel}>
              <td>{labels.channel(c.channel)}</td>
              <td className="share-col">
                <div className="share">
                  <div className="share-bar" style={{ width: `${(100 * c.activeUsers) / total}%` }} />
                  <span>{fmt.percent(c.activeUsers / total)}</span>
                </div>
              </td>
              <td className="num">{fmt.number(c.activeUsers)}</td>
              <td className="num">{fmt.number(c.newUsers)}</td>
              <td className="num">{fmt.number(c.buyers)}</td>
              <td className="num">{c.activeUsers ? fmt.percent(c.buyers / c.activeUsers) : '—'}</td>
              <td className="num">{fmt.number(c.orders)}</td>
              <td className="num">{fmt.money(c.gmv, data.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** DAU/WAU/MAU and stickiness, and new vs returning per day, for the overview's range (GET /api/v1/analytics/active-users). */
function ActiveUsersCards({ range }: { range: OverviewData['range'] }) {
  const { t, fmt, lang } = useI18n();
  const res = useApi<ActiveUsers>('/api/v1/analytics/active-users', { from: range.from, to: range.to, tz: range.tz });
  const a = res.data;
  const charts = useMemo(() => (a ? activeCharts(a, t, fmt) : null), [a, t, fmt]);
  if (res.status === 'error') return <ErrorBox message={res.error.message} onRetry={res.reload} />;
  if (!a || !charts) return <Loading />;
  const last = addDays(a.range.to, -1);
  return (
    <div className={res.status === 'loading' ? 'stale' : ''} data-testid="active-users" data-mau={a.summary.mau}>
      <div className="kpis">
        <Figure id="dau" label={t('kpi.dau')} value={fmt.decimal(a.summary.avgDau, 1)} />
        <Figure id="wau" label={t('kpi.wau')} value={fmt.number(a.summary.wau)} note={t('kpi.lastDay', { date: last })} />
        <Figure id="mau" label={t('kpi.mau')} value={fmt.number(a.summary.mau)} note={t('kpi.lastDay', { date: last })} />
        <Figure id="stickiness" label={t('kpi.stickiness')} value={fmt.percent(a.summary.stickiness)} />
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>{t('chart.active')}</h2>
          <Chart option={charts.active} lang={lang} label="active-users" height={300} />
        </div>
        <div className="card">
          <h2>{t('chart.newReturning')}</h2>
          <Chart option={charts.newReturning} lang={lang} label="new-returning" height={300} />
        </div>
      </div>
    </div>
  );
}

function Figure({ id, label, value, note }: { id: string; label: string; value: string; note?: string }) {
  return (
    <div className="kpi" data-kpi={id}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {note && <div className="kpi-delta none"><span className="muted">{note}</span></div>}
    </div>
  );
}

const METRICS: BreakdownMetric[] = ['gmv', 'orders', 'aov', 'buyers', 'activeUsers', 'conversion', 'newUsers'];

/** Any headline metric broken down by device, channel, city tier, a tag or segments (GET /api/v1/analytics/breakdown). */
function BreakdownCard({ range, currency }: { range: OverviewData['range']; currency: string }) {
  const { t, fmt, lang } = useI18n();
  const labels = useLabels();
  const [metric, setMetric] = useState<BreakdownMetric>('gmv');
  const [by, setBy] = useState('channel');
  const res = useApi<MetricBreakdown>(by ? '/api/v1/analytics/breakdown' : null, { from: range.from, to: range.to, tz: range.tz, metric, by });
  const b = by ? res.data : undefined;
  const value = (v: number) => (metric === 'gmv' || metric === 'aov' ? fmt.money(v, currency) : metric === 'conversion' ? fmt.percent(v) : fmt.number(v));
  const group = (g: string) => (g === '(none)' ? t('breakdown.none') : by === 'device' ? labels.device(g) : g);
  const option = useMemo(() => (b && b.groups.length ? breakdownChart(b, group, t, value, (v) => (metric === 'conversion' ? fmt.percent(v, 0) : fmt.compact(v))) : null), [b, t, fmt, lang]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="card breakdown-card" data-testid="breakdown-card">
      <h2>{t('chart.breakdown')}</h2>
      <div className="report-controls">
        <label className="inline-field">
          <span>{t('breakdown.metric')}</span>
          <select name="metric" value={metric} onChange={(e) => setMetric(e.target.value as BreakdownMetric)}>
            {METRICS.map((m) => <option key={m} value={m}>{t(`metric.${m}` as MessageKey)}</option>)}
          </select>
        </label>
        <BreakdownPicker value={by} onChange={setBy} />
      </div>
      {!by && <p className="muted">{t('breakdown.pick')}</p>}
      {by && res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {by && !b && res.status === 'loading' && <Loading />}
      {b && (
        <div className={res.status === 'loading' ? 'stale' : ''} data-metric={b.metric} data-groups={b.groups.length}>
          {option ? <Chart option={option} lang={lang} label="breakdown" height={Math.max(220, 34 * Math.min(15, b.groups.length) + 60)} /> : <p className="empty">{t('state.nothing')}</p>}
          <div className="table-wrap">
            <table className="table" data-testid="breakdown-table">
              <thead>
                <tr>
                  <th>{t('col.group')}</th>
                  <th className="num">{t('col.current')}</th>
                  <th className="num">{t('col.previous')}</th>
                  <th className="num">{t('col.change')}</th>
                  {b.total.current !== 0 && b.groups.some((g) => g.share !== null) && <th className="num">{t('col.shareOfTotal')}</th>}
                </tr>
              </thead>
              <tbody>
                {b.groups.map((g) => (
                  <tr key={g.group}>
                    <td>{group(g.group)}</td>
                    <td className="num">{value(g.current)}</td>
                    <td className="num">{value(g.previous)}</td>
                    <td className="num">{g.change === null ? '—' : `${g.change > 0 ? '+' : ''}${fmt.percent(g.change)}`}</td>
                    {b.total.current !== 0 && g.share !== null && <td className="num">{fmt.percent(g.share)}</td>}
                  </tr>
                ))}
                <tr className="total">
                  <td>{t('col.total')}</td>
                  <td className="num">{value(b.total.current)}</td>
                  <td className="num">{value(b.total.previous)}</td>
                  <td className="num">{b.total.change === null ? '—' : `${b.total.change > 0 ? '+' : ''}${fmt.percent(b.total.change)}`}</td>
                  {b.total.current !== 0 && b.groups.some((g) => g.share !== null) && <td className="num" />}
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
