import { useEffect, useMemo, useState } from 'react';
import { apiSend, ApiError } from '../../../api.ts';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import { navigate } from '../../../router.ts';
import type { EventName, Funnel, Segment } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { BreakdownPicker } from '../BreakdownPicker.tsx';
import { useReportQuery } from '../useReportQuery.ts';
import { duration, funnelCharts } from './funnelCharts.ts';
import { filterOf, StepEditor, type DraftStep } from './StepEditor.tsx';

type Unit = 'minutes' | 'hours' | 'days';
const DEFAULT_STEPS: DraftStep[] = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'].map((event) => ({ event, where: [] }));

/** The funnels report (docs/analytics-funnels.md): a step editor, window and order, breakdown; a chart and a table; who dropped, saved as a segment. */
export function FunnelsPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(30);
  const [steps, setSteps] = useState<DraftStep[]>(DEFAULT_STEPS);
  const [windowN, setWindowN] = useState(1);
  const [unit, setUnit] = useState<Unit>('days');
  const [order, setOrder] = useState<'loose' | 'strict'>('loose');
  const [breakdown, setBreakdown] = useState('');
  const [data, setData] = useState<Funnel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const events = useApi<{ events: EventName[] }>('/api/v1/analytics/events');

  const body = useMemo(() => {
    const n = Math.max(1, Math.round(windowN) || 1);
    const window = unit === 'days' ? { windowDays: n } : { windowMinutes: unit === 'hours' ? n * 60 : n };
    return {
      steps: steps.map((s) => ({ event: s.event, where: s.where.map(filterOf).filter((f) => f !== null) })),
      ...window,
      order,
      ...report.range,
      ...(breakdown ? { breakdown } : {}),
    };
  }, [steps, windowN, unit, order, report.range, breakdown]);
  const key = JSON.stringify(body);

  useEffect(() => {
    const ctl = new AbortController();
    // typing in a filter value asks once it pauses
    const timer = setTimeout(() => {
      setLoading(true);
      setError(null);
      apiSend<Funnel>('POST', '/api/v1/analytics/funnels', body, { signal: ctl.signal }).then(
        (d) => {
          setData(d);
          setLoading(false);
        },
        (e: unknown) => {
          if (ctl.signal.aborted) return;
          setError(e instanceof ApiError ? e.message : String(e));
          setLoading(false);
        },
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [key, attempt]); // eslint-disable-line react-hooks/exhaustive-deps

  const charts = useMemo(() => (data ? funnelCharts(data, t, fmt) : null), [data, t, fmt]);
  const windowText = !data ? '' : data.windowMs % 86_400_000 === 0 ? t('funnel.duration.d', { n: data.windowMs / 86_400_000 }) : duration(data.windowMs / 1000, t, fmt);

  return (
    <div className="funnels-page" data-testid="funnels-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? data.range : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <label className="inline-field">
          <span>{t('funnel.window')}</span>
          <span className="window-input">
            <input type="number" name="window" min={1} value={windowN} onChange={(e) => setWindowN(Number(e.target.value))} />
            <select name="unit" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
              {(['minutes', 'hours', 'days'] as const).map((u) => <option key={u} value={u}>{t(`funnel.unit.${u}`)}</option>)}
            </select>
          </span>
        </label>
        <label className="inline-field">
          <span>{t('funnel.order')}</span>
          <select name="order" value={order} onChange={(e) => setOrder(e.target.value as 'loose' | 'strict')}>
            <option value="loose">{t('funnel.order.loose')}</option>
            <option value="strict">{t('funnel.order.strict')}</option>
          </select>
        </label>
        <BreakdownPicker value={breakdown} onChange={setBreakdown} />
      </div>

      <div className="funnel-layout">
        <div className="card">
          <h2>{t('funnel.steps')}</h2>
          <StepEditor steps={steps} events={events.data?.events ?? []} onChange={setSteps} />
        </div>
        <div className="funnel-results">
          {error && <ErrorBox message={error} onRetry={() => setAttempt((n) => n + 1)} />}
          {!data && loading && !error && <Loading />}
          {data && charts && (
            <div className={loading ? 'stale' : ''} aria-busy={loading} data-testid="funnel-result" data-status={loading ? 'loading' : 'ok'} data-counts={data.steps.map((s) => s.count).join(',')}>
              <p className="muted">{t('funnel.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz, window: windowText })}</p>
              {data.steps[0]!.count === 0 && <div className="notice">{t('funnel.empty')}</div>}
              <div className="card">
                <h2>{t('funnel.chart')}</h2>
                <Chart option={charts.steps} lang={lang} label="funnel" height={300} />
              </div>
              {charts.groups && (
                <div className="card">
                  <h2>{t('funnel.chart.byGroup')}</h2>
                  <Chart option={charts.groups} lang={lang} label="funnel-groups" height={300} />
                </div>
              )}
              <div className="card">
                <h2>{t('funnel.table')}</h2>
                <FunnelTable data={data} body={body} />
              </div>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function FunnelTable({ data, body }: { data: Funnel; body: Record<string, unknown> }) {
  const { t, fmt } = useI18n();
  const [saving, setSaving] = useState<number | null>(null);
  const rows = [{ group: null as string | null, steps: data.steps }, ...(data.groups ?? []).map((g) => ({ group: g.group as string | null, steps: g.steps }))];
  return (
    <div className="table-wrap">
      <table className="table" data-testid="funnel-table">
        <thead>
          <tr>
            {data.groups && <th>{t('funnel.col.group')}</th>}
            <th>{t('funnel.col.step')}</th>
            <th className="num">{t('funnel.col.count')}</th>
            <th className="num">{t('funnel.col.fromStart')}</th>
            <th className="num">{t('funnel.col.fromPrevious')}</th>
            <th className="num">{t('funnel.col.dropped')}</th>
            <th className="num">{t('funnel.col.median')}</th>
            <th className="num">{t('funnel.col.p90')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((r) =>
            r.steps.map((s) => (
              <tr key={`${r.group ?? ''}|${s.step}`} data-step={s.step} data-group={r.group ?? ''} data-count={s.count} className={r.group !== null && s.step === 1 ? 'group-first' : ''}>
                {data.groups && <td>{s.step === 1 ? (r.group ?? t('analytics.breakdown.none')) : ''}</td>}
                <td>{s.step}. {s.event}</td>
                <td className="num">{fmt.number(s.count)}</td>
                <td className="num">{fmt.percent(s.conversionFromStart)}</td>
                <td className="num">{s.step === 1 ? '—' : fmt.percent(s.conversionFromPrevious)}</td>
                <td className="num">{s.step === r.steps.length ? '—' : `${fmt.number(s.dropped)} (${fmt.percent(s.dropOffRate)})`}</td>
                <td className="num">{duration(s.medianSeconds, t, fmt)}</td>
                <td className="num">{duration(s.p90Seconds, t, fmt)}</td>
                <td className="num">
                  {r.group === null && s.step < r.steps.length && s.dropped > 0 && (
                    <button type="button" className="btn small" data-action="save-dropped" onClick={() => setSaving(s.step)}>{t('funnel.saveDropped')}</button>
                  )}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      {saving !== null && <SaveDropped step={saving} data={data} body={body} onClose={() => setSaving(null)} />}
    </div>
  );
}

/** Names and saves the people who reached `step` but not the next as a static segment. */
function SaveDropped({ step, data, body, onClose }: { step: number; data: Funnel; body: Record<string, unknown>; onClose(): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(t('funnel.saveDropped.defaultName', { from: data.steps[step - 1]!.event, to: data.steps[step]!.event }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ segment: Segment; dropped: number } | null>(null);
  // the range the answer covers, so the segment is who the table shows even if the preset moved on
  const save = () => {
    setBusy(true);
    setError(null);
    const { days: _days, ...rest } = body;
    apiSend<{ segment: Segment; dropped: number }>('POST', '/api/v1/analytics/funnels/dropped-segment', { ...rest, from: data.range.from, to: data.range.to, step, name }).then(
      (r) => {
        setSaved(r);
        setBusy(false);
      },
      (e: unknown) => {
        setError(e instanceof ApiError ? e.message : String(e));
        setBusy(false);
      },
    );
  };
  return (
    <div className="save-dropped" data-testid="save-dropped">
      {saved ? (
        <p data-testid="saved-segment" data-segment={saved.segment.id} data-size={saved.segment.size}>
          {t('funnel.saveDropped.done', { name: saved.segment.name, n: saved.dropped })}{' '}
          <a href={`/segments/${saved.segment.id}`} onClick={(e) => { e.preventDefault(); navigate(`/segments/${saved.segment.id}`); }}>{t('funnel.saveDropped.open')}</a>
        </p>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); save(); }}>
          <label className="inline-field">
            <span>{t('funnel.saveDropped.name')}</span>
            <input name="segment-name" className="wide-input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" className="btn primary small" disabled={busy || !name.trim()}>{t('funnel.saveDropped.save')}</button>
          <button type="button" className="btn small ghost" onClick={onClose}>{t('funnel.saveDropped.cancel')}</button>
          {error && <span className="form-error">{error}</span>}
        </form>
      )}
    </div>
  );
}
