import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import type { EventName, Retention, Segment } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { BreakdownPicker } from '../BreakdownPicker.tsx';
import { useReportQuery } from '../useReportQuery.ts';
import { periodLabel, retentionCharts } from './retentionCharts.ts';

type Granularity = 'day' | 'week' | 'month';
const PERIODS: Record<Granularity, number> = { day: 14, week: 12, month: 6 };
/** what a preset's days become by granularity: at most 30 daily cohorts, at least 6 monthly ones */
const presetDays = (g: Granularity, days: number) => (g === 'day' ? Math.min(days, 30) : g === 'month' ? Math.max(days, 186) : days);

/** The retention report (docs/analytics-retention.md): the cohort triangle as a heatmap and a table, and the curves. */
export function RetentionPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(90);
  const [granularity, setGranularity] = useState<Granularity>('week');
  const [periods, setPeriods] = useState(PERIODS.week);
  const [mode, setMode] = useState<'n-day' | 'unbounded'>('n-day');
  const [cohortEvent, setCohortEvent] = useState('');
  const [cohortMode, setCohortMode] = useState<'first' | 'any'>('first');
  const [returnEvent, setReturnEvent] = useState('');
  const [segment, setSegment] = useState('');
  const [breakdown, setBreakdown] = useState('');
  const events = useApi<{ events: EventName[] }>('/api/v1/analytics/events');
  const segments = useApi<{ segments: Segment[] }>('/api/v1/segments');
  const names = [...new Set((events.data?.events ?? []).map((e) => e.event))];

  // a preset counts back from the latest event; 90 days of daily cohorts is too many, 90 days of monthly ones too few
  const range = 'days' in report.range && report.range.days !== undefined ? { ...report.range, days: presetDays(granularity, report.range.days) } : report.range;
  const res = useApi<Retention>('/api/v1/analytics/retention', {
    ...range,
    granularity,
    periods,
    mode,
    cohortMode,
    cohortEvent: cohortEvent || undefined,
    returnEvent: returnEvent || undefined,
    segment: segment || undefined,
    breakdown: breakdown || undefined,
  });
  const data = res.data;
  const charts = useMemo(() => (data ? retentionCharts(data, t, fmt) : null), [data, t, fmt]);
  const eventSelect = (name: string, value: string, set: (v: string) => void) => (
    <select name={name} value={value} onChange={(e) => set(e.target.value)}>
      <option value="">{t('retention.anyEvent')}</option>
      {value && !names.includes(value) && <option value={value}>{value}</option>}
      {names.map((n) => <option key={n} value={n}>{n}</option>)}
    </select>
  );

  return (
    <div className="retention-page" data-testid="retention-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? data.range : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <div className="segmented" role="group" aria-label={t('retention.granularity')}>
          {(['day', 'week', 'month'] as const).map((g) => (
            <button type="button" key={g} data-granularity={g} className={g === granularity ? 'active' : ''} aria-pressed={g === granularity}
              onClick={() => { setGranularity(g); setPeriods(PERIODS[g]); }}>
              {t(`retention.granularity.${g}`)}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>{t('retention.periods')}</span>
          <input type="number" name="periods" min={1} max={52} value={periods} onChange={(e) => setPeriods(Math.min(52, Math.max(1, Math.round(Number(e.target.value)) || 1)))} />
        </label>
        <label className="inline-field">
          <span>{t('retention.mode')}</span>
          <select name="mode" value={mode} onChange={(e) => setMode(e.target.value as 'n-day' | 'unbounded')}>
            <option value="n-day">{t('retention.mode.n-day')}</option>
            <option value="unbounded">{t('retention.mode.unbounded')}</option>
          </select>
        </label>
      </div>
      <div className="report-controls">
        <label className="inline-field">
          <span>{t('retention.cohortEvent')}</span>
          {eventSelect('cohortEvent', cohortEvent, setCohortEvent)}
        </label>
        <label className="inline-field">
          <span>{t('retention.cohortMode')}</span>
          <select name="cohortMode" value={cohortMode} onChange={(e) => setCohortMode(e.target.value as 'first' | 'any')}>
            <option value="first">{t('retention.cohortMode.first')}</option>
            <option value="any">{t('retention.cohortMode.any')}</option>
          </select>
        </label>
        <label className="inline-field">
          <span>{t('retention.returnEvent')}</span>
          {eventSelect('returnEvent', returnEvent, setReturnEvent)}
        </label>
        <label className="inline-field">
          <span>{t('retention.segment')}</span>
          <select name="segment" value={segment} onChange={(e) => setSegment(e.target.value)}>
            <option value="">{t('retention.segment.all')}</option>
            {(segments.data?.segments ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
        <BreakdownPicker value={breakdown} onChange={setBreakdown} />
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <div className={res.status === 'loading' ? 'stale' : ''} aria-busy={res.status === 'loading'} data-testid="retention-result" data-status={res.status}
          data-sizes={data.cohorts.map((c) => c.size).join(',')} data-average={data.average.rates.map((r) => (r === null ? '' : r.toFixed(4))).join(',')}>
          <p className="muted">{t('retention.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz })}</p>
          {data.cohorts.every((c) => c.size === 0) && <div className="notice">{t('retention.empty')}</div>}
          <div className="card">
            <h2>{t('retention.heatmap')}</h2>
            <Chart option={charts.heatmap} lang={lang} label="retention-heatmap" height={Math.max(260, 28 * data.cohorts.length + 90)} />
          </div>
          <div className="card">
            <h2>{t('retention.curve')}</h2>
            <Chart option={charts.curve} lang={lang} label="retention-curve" height={300} />
          </div>
          <div className="card">
            <div className="table-wrap">
              <table className="table retention-table" data-testid="retention-table">
                <thead>
                  <tr>
                    <th>{t('retention.col.cohort')}</th>
                    <th className="num">{t('retention.col.size')}</th>
                    {Array.from({ length: data.periods }, (_, i) => <th key={i} className="num">{periodLabel(data, i + 1, t)}</th>)}
                  </tr>
                </thead>
                <tbody>
                  <tr className="average" data-cohort="average">
                    <td>{t('retention.average')}</td>
                    <td className="num">{fmt.number(data.average.sizes[0] ?? 0)}</td>
                    {data.average.rates.slice(1).map((r, k) => <td key={k} className="num">{r === null ? '' : fmt.percent(r)}</td>)}
                  </tr>
                  {data.cohorts.map((c) => (
                    <tr key={c.start} data-cohort={c.start} data-size={c.size}>
                      <td className="nowrap">{c.start}</td>
                      <td className="num">{fmt.number(c.size)}</td>
                      {c.rates.slice(1).map((r, k) => (
                        <td key={k} className="num cell" style={r === null ? undefined : { background: `rgba(52, 97, 255, ${(0.08 + 0.7 * r).toFixed(3)})`, color: r > 0.5 ? '#fff' : undefined }}>
                          {r === null ? '' : fmt.percent(r, 0)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
