import { kmeans } from 'ml-kmeans';
import { sampleIndices } from '../features.ts';
import { silhouette } from './silhouette.ts';

/** k-means (ml-kmeans: Lloyd iterations from k-means++ seeds) with restarts and a reproducible seed. */

export interface KMeansFit {
  k: number;
  /** cluster of each point, 0…k-1 */
  assign: Int32Array;
  centroids: number[][];
  /** sum of squared distances of the points to their centroids */
  inertia: number;
  iterations: number;
}

export interface FitOptions {
  seed: number;
  /** k-means++ starts; the fit with the lowest inertia is kept (ignored when `init` is given) */
  restarts?: number;
  /** start from these centroids instead */
  init?: number[][];
  maxIterations?: number;
}

function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]! - b[j]!;
    s += t * t;
  }
  return s;
}

export function fitKMeans(points: number[][], k: number, o: FitOptions): KMeansFit {
  const starts = o.init ? 1 : Math.max(1, o.restarts ?? 3);
  let best: KMeansFit | null = null;
  for (let r = 0; r < starts; r++) {
    const res = kmeans(points, k, {
      seed: o.seed + r,
      initialization: o.init ?? 'kmeans++',
      maxIterations: o.maxIterations ?? 100,
      tolerance: 1e-8,
    });
    const assign = Int32Array.from(res.clusters);
    let inertia = 0;
    for (let i = 0; i < points.length; i++) inertia += sqDist(points[i]!, res.centroids[assign[i]!]!);
    if (!best || inertia < best.inertia) best = { k, assign, centroids: res.centroids, inertia, iterations: res.iterations };
  }
  return best!;
}

export interface ChooseOptions {
  kMin: number;
  kMax: number;
  seed: number;
  /** fit each candidate k on at most this many points (then refit the chosen k on everyone) */
  fitSample?: number;
  /** silhouette on at most this many points of the fit sample */
  silhouetteSample?: number;
  restarts?: number;
}

export interface Choice {
  fit: KMeansFit;
  silhouette: number;
  tried: { k: number; silhouette: number; inertia: number }[];
}

/**
 * Fits every k in [kMin, kMax] and keeps the one with the highest mean silhouette. With many people the
 * candidates are fitted on a reproducible sample, and the chosen k is then fitted on everyone starting
 * from the sample's centroids: the silhouette needs all pairwise distances, so it is always sampled.
 */
export function chooseK(points: number[][], o: ChooseOptions): Choice {
  const n = points.length;
  const fitIdx = sampleIndices(n, o.fitSample ?? 20_000, o.seed);
  const fitPts = fitIdx.length === n ? points : fitIdx.map((i) => points[i]!);
  const silIdx = sampleIndices(fitPts.length, o.silhouetteSample ?? 2_000, o.seed + 1);
  const tried: Choice['tried'] = [];
  let best: { fit: KMeansFit; s: number } | null = null;
  for (let k = o.kMin; k <= Math.min(o.kMax, fitPts.length - 1); k++) {
    const fit = fitKMeans(fitPts, k, { seed: o.seed, restarts: o.restarts });
    const s = silhouette(fitPts, fit.assign, silIdx);
    tried.push({ k, silhouette: s, inertia: fit.inertia });
    if (!best || s > best.s) best = { fit, s };
  }
  if (!best) throw new RangeError(`cannot cluster ${n} points into ${o.kMin}…${o.kMax} clusters`);
  const fit = fitPts === points ? best.fit : fitKMeans(points, best.fit.k, { seed: o.seed, init: best.fit.centroids });
  return { fit, silhouette: best.s, tried };
}
