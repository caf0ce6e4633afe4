import { useMemo, useState } from 'react';
import { apiGet, apiSend } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';

interface Item { itemId: string; score: number; reason: string; source: string; title: string; category: string; price: number | null }
interface Answer { recommendationId: string; items: Item[]; modelAsOf: string }
interface Run { id: string; asOf: string; seconds: number; persons: number; items: number; interactions: number; timings: Record<string, number>; startedAt: string; finishedAt?: string; trigger: string }
interface Status {
  trained: boolean; training: boolean; run: Run | null; trainEveryMinutes: number; runs: Run[];
  /** the people prepared after the last training (src/recommend/prepare.ts) */
  preparation: { total: number; done: number; seconds?: number; stopped?: boolean } | null;
}
interface EvalRow { model: string; metrics: Record<string, number>; coverage: number; diversity: number; novelty: number; popularity: number }
interface Report { cut: string; users: number; coldUsers: number; items: number; rows: EvalRow[] }

const HOLDOUT_DAYS = 14;

/** /recommendations: preview any person's list with reasons; training status and schedule; offline evaluation with a chart. */
export function RecommendPage() {
  const { t } = useI18n();
  return (
    <section className="page recommend-page">
      <header className="page-head">
        <div>
          <h1>{t('rec.title')}</h1>
          <p className="muted">{t('rec.tagline')}</p>
        </div>
      </header>
      <div className="stack">
        <Preview />
        <div className="grid-2">
          <Training />
          <Evaluation />
        </div>
      </div>
    </section>
  );
}

function Preview() {
  const { t, lang, fmt } = useI18n();
  const [userId, setUserId] = useState('');
  const [scene, setScene] = useState<'home' | 'email'>('home');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = async () => {
    setError(null);
    try {
      setAnswer(await apiGet<Answer>(`/api/v1/recommendations/users/${encodeURIComponent(userId.trim())}`, { limit: 20, scene, lang: lang === 'en' ? 'en' : 'zh' }));
    } catch (e) {
      setAnswer(null);
      setError((e as Error).message);
    }
  };
  return (
    <div className="card" data-testid="rec-preview">
      <h3>{t('rec.preview')}</h3>
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (userId.trim()) void show(); }}>
        <label>{t('rec.userId')} <input name="userId" value={userId} onChange={(e) => setUserId(e.target.value)} /></label>
        <label>{t('rec.scene')}{' '}
          <select name="scene" value={scene} onChange={(e) => setScene(e.target.value as 'home' | 'email')}>
            <option value="home">{t('rec.scene.home')}</option>
            <option value="email">{t('rec.scene.email')}</option>
          </select>
        </label>
        <button type="submit" className="btn primary" disabled={!userId.trim()} data-testid="rec-show">{t('rec.show')}</button>
      </form>
      {error && <ErrorBox message={error} />}
      {answer && (answer.items.length === 0 ? <p className="muted">{t('rec.none')}</p> : (
        <div className="table-wrap">
          <table className="table" data-testid="rec-items">
            <thead>
              <tr><th>{t('rec.col.rank')}</th><th>{t('rec.col.item')}</th><th>{t('rec.col.category')}</th><th>{t('rec.col.price')}</th><th>{t('rec.col.reason')}</th><th>{t('rec.col.source')}</th><th>{t('rec.col.score')}</th></tr>
            </thead>
            <tbody>
              {answer.items.map((i, n) => (
                <tr key={i.itemId} data-item={i.itemId}>
                  <td className="num">{n + 1}</td>
                  <td>{i.title || i.itemId} <span className="muted">{i.itemId}</span></td>
                  <td>{i.category}</td>
                  <td className="num">{i.price === null ? '—' : fmt.money(i.price, 'CNY')}</td>
                  <td data-reason>{i.reason}</td>
                  <td><code>{i.source}</code></td>
                  <td className="num">{fmt.decimal(i.score, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function Training() {
  const { t, fmt } = useI18n();
  const status = useApi<Status>('/api/v1/recommendations/status');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const train = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiSend('POST', '/api/v1/recommendations/train', {});
      status.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (status.status === 'error') return <div className="card"><ErrorBox message={status.error.message} onRetry={status.reload} /></div>;
  if (!status.data) return <div className="card"><Loading /></div>;
  const s = status.data;
  const run = s.run ?? s.runs[0] ?? null;
  return (
    <div className="card" data-testid="rec-training">
      <h3>{t('rec.models')}</h3>
      {run ? (
        <dl className="facts">
          <dt>{t('rec.trained')}</dt><dd data-testid="rec-trained-at">{fmt.dateTime(run.finishedAt ?? run.startedAt)}</dd>
          <dt>{t('rec.asOf')}</dt><dd>{fmt.dateTime(run.asOf)}</dd>
          <dt>{t('rec.seconds')}</dt><dd>{fmt.decimal(run.seconds, 1)} s</dd>
          <dt>{t('rec.people')}</dt><dd>{fmt.number(run.persons)}</dd>
          <dt>{t('rec.items')}</dt><dd>{fmt.number(run.items)}</dd>
          <dt>{t('rec.pairs')}</dt><dd>{fmt.number(run.interactions)}</dd>
        </dl>
      ) : <p className="muted">{t('rec.notTrained')}</p>}
      {run && (
        <p className="muted">{t('rec.steps')}: {Object.entries(run.timings).map(([k, v]) => `${k} ${fmt.decimal(v, 2)}`).join(' · ')}</p>
      )}
      {s.preparation && (
        <p className="muted" data-testid="rec-preparation">
          {s.preparation.seconds !== undefined
            ? t('rec.prepared', { people: fmt.number(s.preparation.total), seconds: fmt.decimal(s.preparation.seconds, 1) })
            : t('rec.preparing', { done: fmt.number(s.preparation.done), people: fmt.number(s.preparation.total) })}
        </p>
      )}
      <p className="muted">{t('rec.schedule', { minutes: s.trainEveryMinutes })}</p>
      {error && <ErrorBox message={error} />}
      <button type="button" className="btn" disabled={busy || s.training} onClick={() => void train()} data-testid="rec-train">{busy || s.training ? t('rec.training') : t('rec.train')}</button>
    </div>
  );
}

function Evaluation() {
  const { t, lang, fmt } = useI18n();
  const last = useApi<Report>('/api/v1/recommendations/evaluation');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = report ?? (last.status === 'ok' ? last.data : null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await apiSend<Report>('POST', '/api/v1/recommendations/evaluate', { holdoutDays: HOLDOUT_DAYS }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const option = useMemo(() => {
    if (!shown) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 64 },
      xAxis: { type: 'category', data: shown.rows.map((r) => r.model), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value' },
      series: [
        { name: 'Recall@20', type: 'bar', data: shown.rows.map((r) => +(r.metrics['recall@20'] ?? 0).toFixed(4)) },
        { name: 'NDCG@20', type: 'bar', data: shown.rows.map((r) => +(r.metrics['ndcg@20'] ?? 0).toFixed(4)) },
      ],
    };
  }, [shown]);
  const cols: [MessageKey | string, (r: EvalRow) => number][] = [
    ['Recall@20', (r) => r.metrics['recall@20'] ?? 0], ['NDCG@20', (r) => r.metrics['ndcg@20'] ?? 0], ['HR@20', (r) => r.metrics['hr@20'] ?? 0],
    ['coverage', (r) => r.coverage], ['diversity', (r) => r.diversity], ['novelty', (r) => r.novelty], ['popularity', (r) => r.popularity],
  ];
  return (
    <div className="card" data-testid="rec-eval">
      <h3>{t('rec.eval')}</h3>
      <p className="muted">{t('rec.eval.hint', { days: HOLDOUT_DAYS })}</p>
      {error && <ErrorBox message={error} />}
      <button type="button" className="btn" disabled={busy} onClick={() => void run()} data-testid="rec-eval-run">{busy ? t('rec.eval.running') : t('rec.eval.run')}</button>
      {!shown && !busy && <p className="muted">{t('rec.eval.none')}</p>}
      {shown && option && (
        <>
          <p className="muted" data-testid="rec-eval-summary">{t('rec.eval.summary', { users: fmt.number(shown.users), cold: fmt.number(shown.coldUsers), items: fmt.number(shown.items) })}</p>
          <Chart option={option} lang={lang} height={280} label={t('rec.chart')} />
          <div className="table-wrap">
            <table className="table" data-testid="rec-eval-table">
              <thead><tr><th>{t('rec.col.model')}</th>{cols.map(([c]) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>
                {shown.rows.map((r) => (
                  <tr key={r.model} data-model={r.model}>
                    <td>{r.model}</td>
                    {cols.map(([c, f]) => <td key={c} className="num">{f(r).toFixed(4)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
