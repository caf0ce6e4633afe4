import { useMemo, useState, type FormEvent } from 'react';
import { apiSend } from '../../api.ts';
import { Chart, palette } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { tagName } from '../../tagText.ts';
import type { ClusterDescription, ClusterRun, Tag } from '../../types.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { clusterRadar, clusterSizeChart } from './segmentCharts.ts';

/**
 * Clusters of shopping style (docs/segments-ml.md): run k-means now (analyst) or show the latest run — k and
 * its silhouette, cluster sizes, a radar of each cluster's standardised features, and for each cluster its
 * suggested name and the tags that set it apart.
 */
export function ClusterView({ tags }: { tags: Tag[] }) {
  const { t, fmt, lang } = useI18n();
  const latest = useApi<ClusterRun>('/api/v1/segments/clusters');
  const [fresh, setFresh] = useState<ClusterRun | null>(null);
  const [form, setForm] = useState({ kMin: '3', kMax: '8', seed: '1' });
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = fresh ?? latest.data ?? null;
  const byCode = useMemo(() => new Map(tags.map((x) => [x.code, x])), [tags]);
  const clusterName = (c: ClusterDescription) => (lang === 'en' ? c.name_en : c.name_zh);
  const featureName = (code: string) => {
    const tag = byCode.get(code);
    return tag ? tagName(tag, lang) : code;
  };
  const sizes = useMemo(() => (run ? clusterSizeChart(run.clusters, (c) => `#${c.id} ${lang === 'en' ? c.name_en : c.name_zh}`, t('series.persons'), fmt) : null), [run, lang, t, fmt]);
  const radar = useMemo(
    () => (run ? clusterRadar(run.clusters, run.features.map((f) => ({ code: f, name: featureName(f) })), (c) => `#${c.id} ${lang === 'en' ? c.name_en : c.name_zh}`, t('seg.cl.radar')) : null),
    [run, lang, t, byCode], // eslint-disable-line react-hooks/exhaustive-deps
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setRunning(true);
    setError(null);
    try {
      setFresh(await apiSend<ClusterRun>('POST', '/api/v1/segments/clusters', { kMin: Number(form.kMin), kMax: Number(form.kMax), seed: Number(form.seed) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <div className="cluster-view" data-testid="cluster-view">
      <form className="card" onSubmit={submit}>
        <h2>{t('seg.cl.title')}</h2>
        <p className="muted small">{t('seg.cl.hint')}</p>
        <div className="cluster-form">
          {(['kMin', 'kMax', 'seed'] as const).map((k) => (
            <label key={k} className="inline-field">
              <span>{t(`seg.cl.${k}`)}</span>
              <input name={k} type="number" min={k === 'seed' ? 0 : 2} max={k === 'seed' ? undefined : 20} className="narrow" value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
            </label>
          ))}
          <button type="submit" className="btn primary" disabled={running} data-testid="run-clustering">
            {running ? t('seg.cl.running') : t('seg.cl.run')}
          </button>
        </div>
        {error && (
          <div className="form-error" role="alert" data-testid="cluster-error">
            {error}
          </div>
        )}
      </form>
      {!run && latest.status === 'loading' && <Loading />}
      {!run && latest.status === 'error' && (isNotFound(latest.error) ? <div className="notice">{t('seg.cl.none')}</div> : <ErrorBox message={latest.error.message} onRetry={latest.reload} />)}
      {run && (
        <>
          <div className="kpis" data-testid="cluster-run" data-k={run.k} data-persons={run.persons}>
            <Figure label={t('seg.cl.k')} value={String(run.k)} />
            <Figure label={t('seg.cl.silhouette')} value={fmt.decimal(run.silhouette, 3)} />
            <Figure label={t('seg.cl.persons')} value={fmt.number(run.persons)} />
            <Figure label={t('seg.cl.at')} value={fmt.dateTime(run.finishedAt)} small={t('seg.cl.seconds', { s: fmt.decimal(run.seconds, 1) })} />
          </div>
          <div className="grid-2">
            <div className="card">
              <h2>{t('seg.cl.sizes')}</h2>
              <Chart option={sizes!} lang={lang} label="cluster-sizes" height={280} />
              <h3>{t('seg.cl.candidates')}</h3>
              <table className="table compact" data-testid="cluster-candidates">
                <thead>
                  <tr>
                    <th>k</th>
                    <th className="num">{t('seg.cl.silhouette')}</th>
                    <th className="num">{t('seg.cl.inertia')}</th>
                  </tr>
                </thead>
                <tbody>
                  {run.candidates.map((c) => (
                    <tr key={c.k} className={c.k === run.k ? 'chosen' : ''}>
                      <td>{c.k === run.k ? <strong>{c.k} ✓</strong> : c.k}</td>
                      <td className="num">{fmt.decimal(c.silhouette, 3)}</td>
                      <td className="num">{fmt.number(c.inertia)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="card">
              <h2>{t('seg.cl.radar')}</h2>
              <Chart option={radar!} lang={lang} label="cluster-radar" height={380} />
            </div>
          </div>
          <p className="muted small">{t('seg.cl.nameHint')}</p>
          <div className="cluster-cards">
            {run.clusters.map((c, i) => (
              <ClusterCard key={c.id} cluster={c} color={palette[i % palette.length]!} name={clusterName(c)} otherName={lang === 'en' ? c.name_zh : c.name_en} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function Figure({ label, value, small }: { label: string; value: string; small?: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {small && <div className="kpi-delta flat">{small}</div>}
    </div>
  );
}

function ClusterCard({ cluster: c, color, name, otherName }: { cluster: ClusterDescription; color: string; name: string; otherName: string }) {
  const { t, fmt, lang } = useI18n();
  return (
    <div className="card cluster-card" data-cluster={c.id} data-size={c.size} style={{ borderTopColor: color }}>
      <div className="card-head">
        <div>
          <h2 className="cluster-name">
            #{c.id} {name}
          </h2>
          <div className="muted small">{otherName}</div>
        </div>
        <button type="button" className="btn ghost small" onClick={() => navigate(`/segments/new?rule=${encodeURIComponent(JSON.stringify({ tag: 'cluster_id', op: 'eq', value: c.id }))}`)}>
          {t('seg.makeSegment')}
        </button>
      </div>
      <div className="coverage-line">
        <span className="coverage-big">{fmt.number(c.size)}</span>
        <span className="muted">{t('seg.cl.share', { share: fmt.percent(c.share) })}</span>
      </div>
      <h3>{t('seg.cl.distinguishing')}</h3>
      {c.distinguishing.length === 0 && <p className="muted small">{t('seg.cl.noDistinguishing')}</p>}
      <table className="table compact distinguishing" hidden={c.distinguishing.length === 0}>
        <thead>
          <tr>
            <th>{t('seg.cl.feature')}</th>
            <th className="num">{t('seg.cl.mean')}</th>
            <th className="num">{t('seg.cl.population')}</th>
            <th className="num">z</th>
          </tr>
        </thead>
        <tbody>
          {c.distinguishing.map((d) => (
            <tr key={d.feature} data-feature={d.feature}>
              <td>{lang === 'en' ? d.label_en : d.label_zh}</td>
              <td className="num">{fmt.decimal(d.mean, 3)}</td>
              <td className="num">{fmt.decimal(d.populationMean, 3)}</td>
              <td className={`num z ${d.z > 0 ? 'up' : 'down'}`} title={d.lift === null ? undefined : t('seg.cl.lift', { lift: fmt.decimal(d.lift, 2) })}>
                {d.z > 0 ? '▲' : '▼'} {fmt.decimal(Math.abs(d.z), 2)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
