import type { OltpStore } from '../../store/oltp/index.ts';
import type { ClusterDescription } from './describe.ts';

export interface ClusterRun {
  id: string;
  model: 'kmeans';
  trigger: string;
  params: { kMin: number; kMax: number; seed: number };
  features: string[];
  persons: number;
  k: number;
  silhouette: number;
  candidates: { k: number; silhouette: number; inertia: number }[];
  seconds: number;
  startedAt: string;
  finishedAt: string;
  clusters: ClusterDescription[];
}

/** Saves a run and its clusters in one transaction. */
export async function saveClusterRun(oltp: OltpStore, run: ClusterRun): Promise<void> {
  await oltp.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO model_runs (id, model, trigger, params, features, persons, k, silhouette, candidates, seconds, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [run.id, run.model, run.trigger, JSON.stringify(run.params), JSON.stringify(run.features), run.persons, run.k, run.silhouette, JSON.stringify(run.candidates), run.seconds, run.startedAt, run.finishedAt],
    );
    for (const c of run.clusters) {
      await tx.query(
        `INSERT INTO model_clusters (run_id, cluster, size, share, name_zh, name_en, centroid, distinguishing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [run.id, c.id, c.size, c.share, c.name_zh, c.name_en, JSON.stringify(c.centroid), JSON.stringify(c.distinguishing)],
      );
    }
  });
}

interface RunRow {
  id: string;
  model: 'kmeans';
  trigger: string;
  params: ClusterRun['params'] | string;
  features: string[] | string;
  persons: number;
  k: number;
  silhouette: number;
  candidates: ClusterRun['candidates'] | string;
  seconds: number;
  started_at: Date | string;
  finished_at: Date | string;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const iso = (v: Date | string) => new Date(v).toISOString();

/** The latest k-means run with its clusters, or null when none has run. */
export async function latestClusterRun(oltp: OltpStore): Promise<ClusterRun | null> {
  const [r] = await oltp.query<RunRow>(`SELECT * FROM model_runs WHERE model = 'kmeans' ORDER BY finished_at DESC, id DESC LIMIT 1`);
  if (!r) return null;
  const cs = await oltp.query<{ cluster: number; size: number; share: number; name_zh: string; name_en: string; centroid: unknown; distinguishing: unknown }>(
    'SELECT cluster, size, share, name_zh, name_en, centroid, distinguishing FROM model_clusters WHERE run_id = $1 ORDER BY cluster',
    [r.id],
  );
  return {
    id: r.id, model: r.model, trigger: r.trigger, params: json(r.params), features: json(r.features), persons: Number(r.persons),
    k: Number(r.k), silhouette: Number(r.silhouette), candidates: json(r.candidates), seconds: Number(r.seconds),
    startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
    clusters: cs.map((c) => ({
      id: Number(c.cluster), size: Number(c.size), share: Number(c.share), name_zh: c.name_zh, name_en: c.name_en,
      centroid: json(c.centroid as Record<string, number>), distinguishing: json(c.distinguishing as ClusterDescription['distinguishing']),
    })),
  };
}
