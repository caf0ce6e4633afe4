import { useMemo, useState } from 'react';
import { apiSend } from '../../../api.ts';
import { Chart } from '../../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import { navigate } from '../../../router.ts';
import type { ChurnReport, Repurchase } from '../../../types.ts';
import { isNotFound, useApi } from '../../../useApi.ts';
import { churnCharts, dueChart } from './predictionsCharts.ts';

type Confidence = 'low' | 'medium' | 'high';
const CONFIDENCES: Confidence[] = ['low', 'medium', 'high'];

/** The predictions report (docs/analytics-predictions.md): the churn model card with retraining, and who is due to buy again. */
export function PredictionsPage() {
  return (
    <div className="predictions-page" data-testid="predictions-page">
      <ChurnCard />
      <RepurchaseCard />
    </div>
  );
}

function ChurnCard() {
  const { t, fmt, lang } = useI18n();
  const res = useApi<ChurnReport>('/api/v1/analytics/predictions/churn');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const data = res.data;
  const charts = useMemo(() => (data ? churnCharts(data, t, fmt, lang) : null), [data, t, fmt, lang]);
  const retrain = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiSend('POST', '/api/v1/analytics/predictions/churn/train', {});
      res.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

  return (
    <div className="card churn-card" data-testid="churn-card" data-auc={data?.auc ?? ''} data-baseline={data?.baselineAuc ?? ''}>
      <div className="card-head">
        <h2>{t('predictions.churn')}</h2>
        <button type="button" className="btn primary" onClick={retrain} disabled={busy} data-testid="churn-retrain">
          {busy ? t('predictions.churn.training') : t('predictions.churn.train')}
        </button>
      </div>
      {error && <ErrorBox message={error} />}
      {res.status === 'error' && (isNotFound(res.error) ? <p className="empty">{t('predictions.churn.none')}</p> : <ErrorBox message={res.error.message} onRetry={res.reload} />)}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <>
          <p className="muted">{t('predictions.churn.caption', { cut: when(data.trainAsOf), asOf: when(data.asOf), h: data.params.horizonDays, a: data.params.activeDays, seconds: fmt.decimal(data.seconds, 1) })}</p>
          <div className="kpis">
            <Figure id="auc" label={t('predictions.kpi.auc')} value={fmt.decimal(data.auc, 3)} />
            <Figure id="baseline" label={t('predictions.kpi.baseline')} value={fmt.decimal(data.baselineAuc, 3)} />
            <Figure id="trained" label={t('predictions.kpi.trained')} value={fmt.number(data.training.persons)} />
            <Figure id="churnRate" label={t('predictions.kpi.churnRate')} value={fmt.percent(data.training.churnRate)} />
            <Figure id="scored" label={t('predictions.kpi.scored')} value={fmt.number(data.scored.persons)} />
            <Figure id="high" label={t('predictions.kpi.high')} value={fmt.number(data.scored.high)} />
          </div>
          <div className="predictions-grid">
            <div>
              <h3>{t('predictions.calibration')}</h3>
              <Chart option={charts.calibration} lang={lang} label="churn-calibration" height={280} />
            </div>
            <div>
              <h3>{t('predictions.features')}</h3>
              <Chart option={charts.features} lang={lang} label="churn-features" height={Math.max(220, data.features.slice(0, 10).length * 26 + 40)} />
            </div>
            <div>
              <h3>{t('predictions.distribution')}</h3>
              <Chart option={charts.distribution} lang={lang} label="churn-distribution" height={260} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function RepurchaseCard() {
  const { t, fmt, lang } = useI18n();
  const [from, setFrom] = useState('');
  const [minConfidence, setMinConfidence] = useState<Confidence>('low');
  const res = useApi<Repurchase>('/api/v1/analytics/predictions/repurchase', { ...(from ? { from } : {}), minConfidence, limit: 50 });
  const data = res.data;
  const chart = useMemo(() => (data ? dueChart(data, t('predictions.byDay.series')) : null), [data, t]);
  const conf = (c: Confidence) => t(`predictions.confidence.${c}`);

  return (
    <div className="card" data-testid="repurchase-card">
      <h2>{t('predictions.repurchase')}</h2>
      <div className="report-controls">
        <label className="inline-field">
          <span>{t('predictions.repurchase.week')}</span>
          <input type="date" name="from" value={from || data?.week.from || ''} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="inline-field">
          <span>{t('predictions.repurchase.minConfidence')}</span>
          <select name="minConfidence" value={minConfidence} onChange={(e) => setMinConfidence(e.target.value as Confidence)}>
            {CONFIDENCES.map((c) => <option key={c} value={c}>{conf(c)}</option>)}
          </select>
        </label>
      </div>
      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && chart && (
        <div className={res.status === 'loading' ? 'stale' : ''} data-testid="repurchase-result" data-due={data.due}>
          <p className="muted">{t('predictions.repurchase.caption', { from: data.week.from, to: addDays(data.week.to, -1), tz: data.week.tz })}</p>
          <div className="kpis">
            <Figure id="due" label={t('predictions.kpi.due')} value={fmt.number(data.due)} />
            {CONFIDENCES.map((c) => <Figure key={c} id={`due-${c}`} label={`${t('predictions.kpi.due')} · ${conf(c)}`} value={fmt.number(data.byConfidence[c])} />)}
            <Figure id="overdue" label={t('predictions.kpi.overdue')} value={fmt.number(data.overdue)} />
            <Figure id="withCycle" label={t('predictions.kpi.withCycle')} value={fmt.number(data.withCycle)} />
            <Figure id="bought" label={t('predictions.kpi.bought')} value={fmt.number(data.boughtInWeek)} />
          </div>
          <div className="predictions-grid">
            <div>
              <h3>{t('predictions.byDay')}</h3>
              <Chart option={chart} lang={lang} label="repurchase-by-day" height={240} />
            </div>
            <div>
              <h3>{t('predictions.categories')}</h3>
              <ul className="plain-list">
                {data.categories.slice(0, 12).map((c) => <li key={c.category}><span>{c.category}</span> <b>{fmt.number(c.persons)}</b></li>)}
              </ul>
            </div>
          </div>
          {data.people.length === 0 ? <p className="empty">{t('predictions.none')}</p> : (
            <div className="table-wrap repurchase-people">
              <table className="table" data-testid="repurchase-people">
                <thead>
                  <tr>
                    <th>{t('predictions.col.person')}</th>
                    <th className="num">{t('predictions.col.orderDays')}</th>
                    <th className="num">{t('predictions.col.gap')}</th>
                    <th>{t('predictions.col.last')}</th>
                    <th>{t('predictions.col.due')}</th>
                    <th>{t('predictions.col.confidence')}</th>
                    <th>{t('predictions.col.categories')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.people.map((p) => (
                    <tr key={p.personId}>
                      <td>
                        <a className="mono" href={`/profiles/${encodeURIComponent(p.personId)}`} onClick={(e) => { e.preventDefault(); navigate(`/profiles/${encodeURIComponent(p.personId)}`); }}>{p.personId}</a>
                      </td>
                      <td className="num">{fmt.number(p.orderDays)}</td>
                      <td className="num">{fmt.decimal(p.medianGapDays, 1)}</td>
                      <td>{p.lastOrder}</td>
                      <td>{p.dueDate}</td>
                      <td><span className={`badge confidence-${p.confidence}`}>{conf(p.confidence)}</span></td>
                      <td className="muted">{p.categories.map((c) => `${c.category} ${fmt.decimal(c.medianGapDays, 1)}d → ${c.dueDate}`).join(' · ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
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
