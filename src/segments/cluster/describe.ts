import type { FeatureMatrix } from '../features.ts';

export interface Distinguishing {
  feature: string;
  label_zh: string;
  label_en: string;
  /** the cluster's mean of the feature (after its transform; a boolean tag's mean is a share) */
  mean: number;
  populationMean: number;
  /** mean ÷ populationMean (null when the population mean is 0) */
  lift: number | null;
  /** (mean − populationMean) ÷ population standard deviation */
  z: number;
}

export interface ClusterDescription {
  id: number;
  size: number;
  share: number;
  name_zh: string;
  name_en: string;
  /** centroid in standardised units, by clustering feature */
  centroid: Record<string, number>;
  distinguishing: Distinguishing[];
}

const round = (x: number, p = 4) => Math.round(x * 10 ** p) / 10 ** p;

/**
 * Describes each cluster by the features (clustering features and profile tags alike) on which it differs
 * most from everyone clustered, in standard deviations, and suggests a name from the phrases of the two
 * strongest differences ("偏好低价位·爱用券" / "Budget-priced · coupon users").
 */
export function describeClusters(m: FeatureMatrix, assign: ArrayLike<number>, k: number, centroids: number[][], clusterColumns: number[], top = 5): ClusterDescription[] {
  const sum = new Float64Array(k * m.d);
  const cnt = new Float64Array(k * m.d);
  const size = new Float64Array(k);
  for (let i = 0; i < m.n; i++) {
    const c = assign[i]!;
    size[c]!++;
    for (let j = 0; j < m.d; j++) {
      const x = m.raw[i * m.d + j]!;
      if (Number.isNaN(x)) continue;
      sum[c * m.d + j] += x;
      cnt[c * m.d + j]!++;
    }
  }
  const out: ClusterDescription[] = [];
  const used = new Map<string, number>();
  for (let c = 0; c < k; c++) {
    const diffs: Distinguishing[] = [];
    for (let j = 0; j < m.d; j++) {
      const f = m.features[j]!;
      const n = cnt[c * m.d + j]!;
      // a feature few members have (e.g. purchase price for non-buyers) says little about the cluster
      if (n < Math.max(5, 0.2 * size[c]!) || m.sd[j] === 0) continue;
      const mean = sum[c * m.d + j]! / n;
      const pop = m.mean[j]!;
      diffs.push({ feature: f.tag, label_zh: f.zh, label_en: f.en, mean: round(mean), populationMean: round(pop), lift: pop !== 0 ? round(mean / pop, 3) : null, z: round((mean - pop) / m.sd[j]!, 3) });
    }
    diffs.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.feature.localeCompare(b.feature));
    const phrases: [string, string][] = [];
    for (const dd of diffs) {
      if (phrases.length === 2 || Math.abs(dd.z) < 0.25) break;
      const f = m.features.find((x) => x.tag === dd.feature)!;
      const p = dd.z > 0 ? f.high : f.low;
      if (p && !phrases.some((q) => q[0] === p[0])) phrases.push(p);
    }
    let zh = phrases.length ? phrases.map((p) => p[0]).join('·') : '大众型';
    let en = phrases.length ? phrases.map((p) => p[1]).join(' · ') : 'mainstream';
    en = en[0]!.toUpperCase() + en.slice(1);
    const seen = (used.get(zh) ?? 0) + 1;
    used.set(zh, seen);
    if (seen > 1) {
      zh += ` ${seen}`;
      en += ` ${seen}`;
    }
    out.push({
      id: c,
      size: size[c]!,
      share: round(size[c]! / Math.max(1, m.n)),
      name_zh: zh,
      name_en: en,
      centroid: Object.fromEntries(clusterColumns.map((j, x) => [m.features[j]!.tag, round(centroids[c]![x]!, 3)])),
      distinguishing: diffs.slice(0, top),
    });
  }
  return out;
}
