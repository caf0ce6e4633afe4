import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import type { KeywordRow, SearchReport, ZeroResultReport } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { useReportQuery } from '../useReportQuery.ts';
import { searchCharts } from './searchCharts.ts';

const CLICK_MINUTES = [10, 30, 60];
const WINDOW_HOURS = [6, 24, 72];

/** The search report (docs/analytics-search.md): KPIs, daily trend, top keywords, jieba terms, keyword trends, zero-result searches. */
export function SearchPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(30);
  const [clickMinutes, setClickMinutes] = useState(30);
  const [windowHours, setWindowHours] = useState(24);
  const res = useApi<SearchReport>('/api/v1/analytics/search', { ...report.range, clickMinutes, windowHours, limit: 20, trendKeywords: 5 });
  const zero = useApi<ZeroResultReport>('/api/v1/analytics/search/zero-results', { ...report.range, limit: 20 });
  const data = res.data;
  const charts = useMemo(() => (data ? searchCharts(data, t, fmt) : null), [data, t, fmt]);

  return (
    <div className="search-report" data-testid="search-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? { from: data.range.from, to: data.range.to } : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <label className="inline-field">
          <span>{t('searchReport.clickMinutes')}</span>
          <select name="clickMinutes" value={clickMinutes} onChange={(e) => setClickMinutes(Number(e.target.value))}>
            {CLICK_MINUTES.map((n) => <option key={n} value={n}>{t('searchReport.minutes', { n })}</option>)}
          </select>
        </label>
        <label className="inline-field">
          <span>{t('searchReport.windowHours')}</span>
          <select name="windowHours" value={windowHours} onChange={(e) => setWindowHours(Number(e.target.value))}>
            {WINDOW_HOURS.map((n) => <option key={n} value={n}>{t('searchReport.hours', { n })}</option>)}
          </select>
        </label>
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <div className={`search-result${res.status === 'loading' ? ' stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="search-result" data-status={res.status} data-searches={data.totals.searches}>
          <p className="muted">{t('searchReport.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz, click: data.settings.clickMinutes, window: data.settings.windowHours })}</p>
          {data.totals.searches === 0 && <div className="notice">{t('searchReport.empty')}</div>}
          <div className="kpis">
            <Figure id="searches" label={t('searchReport.kpi.searches')} value={fmt.number(data.totals.searches)} />
            <Figure id="searchers" label={t('searchReport.kpi.searchers')} value={fmt.number(data.totals.searchers)} />
            <Figure id="ctr" label={t('searchReport.kpi.ctr')} value={fmt.percent(data.totals.ctr)} />
            <Figure id="conversion" label={t('searchReport.kpi.conversion')} value={fmt.percent(data.totals.conversion)} />
            <Figure id="orderRate" label={t('searchReport.kpi.orderRate')} value={fmt.percent(data.totals.orderRate)} />
            <Figure id="keywords" label={t('searchReport.kpi.keywords')} value={fmt.number(data.totals.keywords)} />
          </div>
          <div className="card">
            <h2>{t('searchReport.trend')}</h2>
            <Chart option={charts.trend} lang={lang} label="search-trend" height={300} />
          </div>
          <div className="card">
            <h2>{t('searchReport.keywords')}</h2>
            {data.keywords.length === 0 ? <p className="empty">{t('state.nothing')}</p> : <KeywordTable rows={data.keywords} />}
          </div>
          <div className="grid-2">
            <div className="card">
              <h2>{t('searchReport.terms')}</h2>
              {data.terms.length ? <Chart option={charts.terms} lang={lang} label="search-terms" height={420} /> : <p className="empty">{t('state.nothing')}</p>}
            </div>
            <div className="card">
              <h2>{t('searchReport.keywordTrends')}</h2>
              {data.trends.length ? <Chart option={charts.keywords} lang={lang} label="search-keyword-trends" height={420} /> : <p className="empty">{t('state.nothing')}</p>}
            </div>
          </div>
          <ZeroResults state={zero} />
        </div>
      )}
    </div>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="kpi" data-kpi={id}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
    </div>
  );
}

function Bar({ value, max, className = '' }: { value: number; max: number; className?: string }) {
  const { fmt } = useI18n();
  return (
    <div className="share">
      <div className={`share-bar ${className}`} style={{ width: `${max ? (80 * value) / max : 0}%` }} />
      <span>{fmt.percent(value)}</span>
    </div>
  );
}

function KeywordTable({ rows }: { rows: KeywordRow[] }) {
  const { t, fmt } = useI18n();
  const maxCtr = Math.max(...rows.map((r) => r.ctr), 0.0001);
  const maxConv = Math.max(...rows.map((r) => r.conversion), 0.0001);
  return (
    <div className="table-wrap">
      <table className="table" data-testid="search-keywords">
        <thead>
          <tr>
            <th>{t('searchReport.col.keyword')}</th>
            <th className="num">{t('searchReport.col.searches')}</th>
            <th className="num">{t('searchReport.col.searchers')}</th>
            <th className="share-col">{t('searchReport.col.ctr')}</th>
            <th className="share-col">{t('searchReport.col.conversion')}</th>
            <th className="num">{t('searchReport.col.orderRate')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.keyword} data-keyword={r.keyword}>
              <td>{r.keyword}</td>
              <td className="num">{fmt.number(r.searches)}</td>
              <td className="num">{fmt.number(r.searchers)}</td>
              <td className="share-col"><Bar value={r.ctr} max={maxCtr} /></td>
              <td className="share-col"><Bar value={r.conversion} max={maxConv} className="conversion" /></td>
              <td className="num">{fmt.percent(r.orderRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ZeroResults({ state }: { state: { status: string; data?: ZeroResultReport; error?: Error } }) {
  const { t, fmt } = useI18n();
  const z = state.data;
  return (
    <div className="card" data-testid="search-zero">
      <h2>{t('searchReport.zero')}</h2>
      {state.status === 'error' && <p className="empty">{state.error?.message}</p>}
      {!z && state.status === 'loading' && <Loading />}
      {z && z.withResultCount === 0 && <p className="muted">{t('searchReport.zero.none')}</p>}
      {z && z.withResultCount > 0 && (
        <>
          <p className="muted">{t('searchReport.zero.rate', { zero: fmt.number(z.zeroResults), n: fmt.number(z.withResultCount), rate: fmt.percent(z.zeroResultRate ?? 0) })}</p>
          {z.keywords.length === 0 ? <p className="empty">{t('searchReport.zero.clean')}</p> : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('searchReport.col.keyword')}</th>
                    <th className="num">{t('searchReport.col.zero')}</th>
                    <th className="num">{t('searchReport.col.withCount')}</th>
                    <th className="num">{t('searchReport.col.searches')}</th>
                  </tr>
                </thead>
                <tbody>
                  {z.keywords.map((k) => (
                    <tr key={k.keyword}>
                      <td>{k.keyword}</td>
                      <td className="num">{fmt.number(k.zeroResults)}</td>
                      <td className="num">{fmt.number(k.withResultCount)}</td>
                      <td className="num">{fmt.number(k.searches)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
