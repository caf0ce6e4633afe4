import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import type { SessionGroup, Sessions } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { useReportQuery } from '../useReportQuery.ts';
import { sessionsCharts } from './sessionsCharts.ts';

/** The sessions & browsing report (docs/analytics-sessions.md): dwell, depth and bounce, per day, page type and category. */
export function SessionsPage() {
  const { t, fmt, lang } = useI18n();
  const report = useReportQuery(30);
  const [level, setLevel] = useState(1);
  const res = useApi<Sessions>('/api/v1/analytics/sessions', { ...report.range, categoryLevel: level, limit: 20 });
  const data = res.data;
  const charts = useMemo(() => (data ? sessionsCharts(data, t, fmt) : null), [data, t, fmt]);
  const secs = (n: number | null) => (n === null ? '—' : t('sessions.seconds', { n: fmt.decimal(n, 1) }));
  const pageTypeName = (n: string) => (n === 'product' ? t('sessions.pageType.product') : n === 'product_list' ? t('sessions.pageType.product_list') : n === '(none)' ? t('sessions.none') : n);

  return (
    <div className="sessions-page" data-testid="sessions-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? { from: data.range.from, to: data.range.to } : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <label className="inline-field">
          <span>{t('sessions.categoryLevel')}</span>
          <select name="categoryLevel" value={level} onChange={(e) => setLevel(Number(e.target.value))}>
            {[1, 2, 3].map((n) => <option key={n} value={n}>{t('sessions.categoryLevel.n', { n })}</option>)}
          </select>
        </label>
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <div className={`sessions-result${res.status === 'loading' ? ' stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="sessions-result" data-status={res.status} data-sessions={data.totals.sessions}>
          <p className="muted">{t('sessions.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz })}</p>
          {data.totals.sessions === 0 && <div className="notice">{t('sessions.empty')}</div>}
          <div className="kpis">
            <Figure id="sessions" label={t('sessions.kpi.sessions')} value={fmt.number(data.totals.sessions)} />
            <Figure id="persons" label={t('sessions.kpi.persons')} value={fmt.number(data.totals.persons)} />
            <Figure id="depth" label={t('sessions.kpi.depth')} value={fmt.decimal(data.totals.depth, 2)} />
            <Figure id="bounceRate" label={t('sessions.kpi.bounceRate')} value={fmt.percent(data.totals.bounceRate)} />
            <Figure id="avgDwell" label={t('sessions.kpi.avgDwell')} value={secs(data.totals.avgDwell)} />
            <Figure id="avgDuration" label={t('sessions.kpi.avgDuration')} value={secs(data.totals.avgDuration)} />
          </div>
          <div className="card">
            <h2>{t('sessions.trend')}</h2>
            <Chart option={charts.trend} lang={lang} label="sessions-trend" height={320} />
          </div>
          <div className="card">
            <h2>{t('sessions.histogram')}</h2>
            <Chart option={charts.histogram} lang={lang} label="sessions-depth" height={260} />
          </div>
          <GroupTable title={t('sessions.pageTypes')} rows={data.pageTypes} name={pageTypeName} testid="page-types" secs={secs} />
          <GroupTable title={t('sessions.categories')} rows={data.categories} name={(n) => (n === '(none)' ? t('sessions.none') : n)} testid="categories" secs={secs} />
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

function GroupTable({ title, rows, name, testid, secs }: { title: string; rows: SessionGroup[]; name(n: string): string; testid: string; secs(n: number | null): string }) {
  const { t, fmt } = useI18n();
  return (
    <div className="card">
      <h2>{title}</h2>
      {rows.length === 0 ? <p className="empty">{t('state.nothing')}</p> : (
        <div className="table-wrap">
          <table className="table" data-testid={testid}>
            <thead>
              <tr>
                <th>{t('sessions.col.name')}</th>
                <th className="num">{t('sessions.col.views')}</th>
                <th className="num">{t('sessions.col.sessions')}</th>
                <th className="num">{t('sessions.col.avgDwell')}</th>
                <th className="num">{t('sessions.col.entries')}</th>
                <th className="num">{t('sessions.col.bounceRate')}</th>
                <th className="num">{t('sessions.col.exits')}</th>
                <th className="num">{t('sessions.col.exitRate')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name}>
                  <td>{name(r.name)}</td>
                  <td className="num">{fmt.number(r.views)}</td>
                  <td className="num">{fmt.number(r.sessions)}</td>
                  <td className="num">{secs(r.avgDwell)}</td>
                  <td className="num">{fmt.number(r.entries)}</td>
                  <td className="num">{r.entries ? fmt.percent(r.bounceRate) : '—'}</td>
                  <td className="num">{fmt.number(r.exits)}</td>
                  <td className="num">{fmt.percent(r.exitRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
