import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OlapStore } from '../../store/olap/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import { writeModelValues } from '../../tags/index.ts';
import { CLUSTER_FEATURES, PROFILE_FEATURES, loadFeatures, standardise } from '../features.ts';
import { describeClusters } from './describe.ts';
import { chooseK } from './kmeans.ts';
import { saveClusterRun, type ClusterRun } from './store.ts';

export { fitKMeans, chooseK, type KMeansFit } from './kmeans.ts';
export { silhouette } from './silhouette.ts';
export { latestClusterRun, type ClusterRun } from './store.ts';
export type { ClusterDescription, Distinguishing } from './describe.ts';

/** The model tag that carries each person's cluster (src/tags/builtin/model.ts). */
export const CLUSTER_TAG = 'cluster_id';
export const CLUSTER_DEFAULTS = { kMin: 3, kMax: 8, seed: 1 } as const;

/** A run that cannot start: too few people, or a bad k range. The message names the field. */
export class ClusterInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface ClusterDeps {
  olap: OlapStore;
  oltp: OltpStore;
  log?: Pick<Logger, 'info'>;
}

export interface ClusterOptions {
  kMin?: number;
  kMax?: number;
  seed?: number;
  trigger?: string;
  /** candidates are fitted on at most this many people (default 20,000) */
  fitSample?: number;
}

/**
 * Clusters everyone who consented to personalisation on the behavioural features, with k chosen by
 * silhouette in [kMin, kMax]; writes `cluster_id` for each of them (anyone clustered before and not now —
 * consent withdrawn, erased — loses the value) and saves the run with its cluster descriptions.
 * Clusters are numbered by size, largest first.
 */
export async function runClustering(deps: ClusterDeps, o: ClusterOptions = {}): Promise<ClusterRun> {
  const started = new Date();
  const params = { kMin: o.kMin ?? CLUSTER_DEFAULTS.kMin, kMax: o.kMax ?? CLUSTER_DEFAULTS.kMax, seed: o.seed ?? CLUSTER_DEFAULTS.seed };
  if (params.kMin < 2) throw new ClusterInputError('kMin', 'kMin: must be at least 2');
  if (params.kMax < params.kMin) throw new ClusterInputError('kMax', `kMax: must be at least kMin (${params.kMin})`);
  const m = await loadFeatures(deps.olap, [...CLUSTER_FEATURES, ...PROFILE_FEATURES]);
  if (m.n < params.kMax * 10) {
    throw new ClusterInputError('kMax', `kMax: ${m.n} people have consented to personalisation; clustering into up to ${params.kMax} needs at least ${params.kMax * 10}`);
  }
  const columns = CLUSTER_FEATURES.map((_, j) => j);
  const points = standardise(m, columns);
  const choice = chooseK(points, { kMin: params.kMin, kMax: params.kMax, seed: params.seed, fitSample: o.fitSample });
  const { fit } = choice;

  // number clusters by size (largest first), so ids are stable across runs of the same data
  const sizes = new Array<number>(fit.k).fill(0);
  for (const c of fit.assign) sizes[c]!++;
  const order = [...sizes.keys()].sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const newId = new Int32Array(fit.k);
  order.forEach((old, i) => (newId[old] = i));
  const assign = fit.assign.map((c) => newId[c]!);
  const centroids = order.map((old) => fit.centroids[old]!);

  const id = randomUUID();
  await writeModelValues(deps.olap, CLUSTER_TAG, id, m.ids.map((personId, i) => ({ personId, num: assign[i]! })));
  const finished = new Date();
  const run: ClusterRun = {
    id, model: 'kmeans', trigger: o.trigger ?? 'api', params, features: CLUSTER_FEATURES.map((f) => f.tag), persons: m.n,
    k: fit.k, silhouette: Math.round(choice.silhouette * 10_000) / 10_000,
    candidates: choice.tried.map((t) => ({ k: t.k, silhouette: Math.round(t.silhouette * 10_000) / 10_000, inertia: Math.round(t.inertia) })),
    seconds: (finished.getTime() - started.getTime()) / 1000, startedAt: started.toISOString(), finishedAt: finished.toISOString(),
    clusters: describeClusters(m, assign, fit.k, centroids, columns),
  };
  await saveClusterRun(deps.oltp, run);
  deps.log?.info({ run: id, k: run.k, silhouette: run.silhouette, persons: m.n, seconds: run.seconds }, 'clustering done');
  return run;
}
