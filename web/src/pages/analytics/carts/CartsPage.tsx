import { useMemo, useState } from 'react';
import { apiSend, ApiError } from '../../../api.ts';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import { navigate } from '../../../router.ts';
import type { CartReport, Segment } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { useReportQuery } from '../useReportQuery.ts';
import { cartsCharts } from './cartsCharts.ts';

const WINDOW_HOURS = [24, 72];
const CURRENCY = 'CNY';

/** The carts report (docs/analytics-carts.md): add-to-cart and abandonment, time to purchase, abandoned items, recoverable people. */
export function CartsPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(30);
  const [windowHours, setWindowHours] = useState(24);
  const res = useApi<CartReport>('/api/v1/analytics/carts', { ...report.range, windowHours, limit: 20, recoverDays: 7 });
  const data = res.data;
  const charts = useMemo(() => (data ? cartsCharts(data, t, fmt) : null), [data, t, fmt]);
  const minutes = (n: number | null) => (n === null ? '—' : n < 120 ? t('carts.minutes', { n: fmt.decimal(n, 1) }) : t('carts.hours', { n: fmt.decimal(n / 60, 1) }));

  return (
    <div className="carts-report" data-testid="carts-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? { from: data.range.from, to: data.range.to } : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <label className="inline-field">
          <span>{t('carts.windowHours')}</span>
          <select name="windowHours" value={windowHours} onChange={(e) => setWindowHours(Number(e.target.value))}>
            {WINDOW_HOURS.map((n) => <option key={n} value={n}>{t('carts.hours', { n })}</option>)}
          </select>
        </label>
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <div className={`carts-result${res.status === 'loading' ? ' stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="carts-result" data-status={res.status} data-carts={data.totals.carts}>
          <p className="muted">{t('carts.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz, window: data.settings.windowHours })}</p>
          {data.totals.carts === 0 && <div className="notice">{t('carts.empty')}</div>}
          <div className="kpis">
            <Figure id="addToCartRate" label={t('carts.kpi.addToCartRate')} value={fmt.percent(data.totals.addToCartRate)}
              hint={t('carts.addRateHint', { added: fmt.number(data.totals.viewersAdded), viewers: fmt.number(data.totals.viewers) })} />
            <Figure id="carts" label={t('carts.kpi.carts')} value={fmt.number(data.totals.carts)} />
            <Figure id="purchased" label={t('carts.kpi.purchased')} value={fmt.number(data.totals.purchased)} />
            <Figure id="abandonmentRate" label={t('carts.kpi.abandonmentRate')} value={fmt.percent(data.totals.abandonmentRate)} />
            <Figure id="abandonedValue" label={t('carts.kpi.abandonedValue')} value={fmt.money(data.totals.abandonedValue, CURRENCY)} />
            <Figure id="median" label={t('carts.kpi.median')} value={minutes(data.totals.medianMinutesToPurchase)} />
            <Figure id="open" label={t('carts.kpi.open')} value={fmt.number(data.totals.open)} />
          </div>
          <Recover data={data} />
          <div className="card">
            <h2>{t('carts.daily')}</h2>
            <Chart option={charts.daily} lang={lang} label="carts-daily" height={300} />
          </div>
          <div className="grid-2">
            <div className="card">
              <h2>{t('carts.histogram')}</h2>
              <Chart option={charts.histogram} lang={lang} label="carts-time-to-purchase" height={300} />
            </div>
            <div className="card">
              <h2>{t('carts.items')}</h2>
              {data.abandonedItems.length === 0 ? <p className="empty">{t('state.nothing')}</p> : (
                <div className="table-wrap">
                  <table className="table" data-testid="abandoned-items">
                    <thead>
                      <tr>
                        <th>{t('carts.col.product')}</th>
                        <th className="num">{t('carts.col.carts')}</th>
                        <th className="num">{t('carts.col.quantity')}</th>
                        <th className="num">{t('carts.col.value')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.abandonedItems.map((i) => (
                        <tr key={i.productId}>
                          <td>{(lang === 'en' ? i.titleEn || i.title : i.title || i.titleEn) || i.productId}<span className="muted item-id">{i.title || i.titleEn ? ` ${i.productId}` : ''}</span></td>
                          <td className="num">{fmt.number(i.carts)}</td>
                          <td className="num">{fmt.number(i.quantity)}</td>
                          <td className="num">{fmt.money(i.value, CURRENCY)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function Figure({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  return (
    <div className="kpi" data-kpi={id}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {hint && <div className="kpi-delta none muted">{hint}</div>}
    </div>
  );
}

/** The recoverable people and the button that saves them as a static segment. */
function Recover({ data }: { data: CartReport }) {
  const { t, fmt } = useI18n();
  const [state, setState] = useState<{ status: 'idle' | 'saving' } | { status: 'saved'; segment: Segment; people: number } | { status: 'error'; message: string }>({ status: 'idle' });
  const save = () => {
    setState({ status: 'saving' });
    apiSend<{ segment: Segment; people: number }>('POST', '/api/v1/analytics/carts/recoverable-segment', { windowHours: data.settings.windowHours, recoverDays: data.settings.recoverDays }).then(
      (r) => setState({ status: 'saved', segment: r.segment, people: r.people }),
      (e: unknown) => setState({ status: 'error', message: e instanceof ApiError ? e.message : String(e) }),
    );
  };
  return (
    <div className="card recover-card" data-testid="recoverable" data-people={data.recoverable.people}>
      <h2>{t('carts.recover')}</h2>
      <p>{t('carts.recover.text', { days: data.recoverable.days, n: fmt.number(data.recoverable.people), value: fmt.money(data.recoverable.value, CURRENCY) })}</p>
      <div className="recover-actions">
        <button type="button" className="btn primary" onClick={save} disabled={state.status === 'saving' || data.recoverable.people === 0} data-testid="save-recoverable">
          {state.status === 'saving' ? t('carts.recover.saving') : t('carts.recover.save')}
        </button>
        {state.status === 'saved' && (
          <span className="recover-saved" data-testid="recoverable-saved">
            {t('carts.recover.saved', { name: state.segment.name, n: fmt.number(state.people) })}{' '}
            <a href={`/segments/${encodeURIComponent(state.segment.id)}`} onClick={(e) => { e.preventDefault(); navigate(`/segments/${encodeURIComponent(state.segment.id)}`); }}>{t('carts.recover.open')}</a>
          </span>
        )}
        {state.status === 'error' && <span className="form-error">{state.message}</span>}
      </div>
    </div>
  );
}
