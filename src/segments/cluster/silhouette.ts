/**
 * Mean silhouette over the points at `idx` (distances among those points only, as a sampled silhouette
 * is usually computed): for each point, a = mean distance to the others of its cluster, b = lowest mean
 * distance to another cluster, s = (b − a) / max(a, b); a point alone in its cluster scores 0.
 * O(m²·d) for m = idx.length.
 */
export function silhouette(points: readonly (readonly number[])[], assign: ArrayLike<number>, idx: readonly number[]): number {
  const m = idx.length;
  if (m < 2) return 0;
  let k = 0;
  for (const i of idx) k = Math.max(k, assign[i]! + 1);
  const d = points[idx[0]!]!.length;
  const flat = new Float64Array(m * d);
  const label = new Int32Array(m);
  const size = new Float64Array(k);
  for (let a = 0; a < m; a++) {
    const p = points[idx[a]!]!;
    for (let j = 0; j < d; j++) flat[a * d + j] = p[j]!;
    label[a] = assign[idx[a]!]!;
    size[label[a]!]!++;
  }
  // sums[a * k + c] = sum of distances from point a to the points of cluster c
  const sums = new Float64Array(m * k);
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = flat[a * d + j]! - flat[b * d + j]!;
        s += t * t;
      }
      const dist = Math.sqrt(s);
      sums[a * k + label[b]!] += dist;
      sums[b * k + label[a]!] += dist;
    }
  }
  let total = 0;
  for (let a = 0; a < m; a++) {
    const own = label[a]!;
    if (size[own]! <= 1) continue;
    const inA = sums[a * k + own]! / (size[own]! - 1);
    let outB = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c]! > 0) outB = Math.min(outB, sums[a * k + c]! / size[c]!);
    if (!Number.isFinite(outB)) continue;
    const den = Math.max(inA, outB);
    total += den > 0 ? (outB - inA) / den : 0;
  }
  return total / m;
}
