import { codesOf } from './codes.ts';
import type { Catalog } from './types.ts';

/**
 * Diversity by maximal marginal relevance (Carbonell & Goldstein 1998): pick the next item maximising
 *   (1 − λ)·relevance − λ·max similarity to the items already picked,
 * relevance scaled to 0…1 over the candidates. λ is the knob: 0 keeps the ranking as it is; 0.3 mixes
 * categories noticeably; 1 spreads as widely as the candidates allow. Similarity between two items is 1
 * in the same leaf category, 0.5 in the same department, plus 0.3 for the same brand (at most 1).
 * `maxPerCategory` caps how many items of one leaf category the list may hold.
 */
export function itemSimilarity(c: Catalog, a: number, b: number): number {
  let s = 0;
  if (c.category[a] && c.category[a] === c.category[b]) s = 1;
  else if (c.top[a] && c.top[a] === c.top[b]) s = 0.5;
  if (c.brand[a] && c.brand[a] === c.brand[b]) s += 0.3;
  return Math.min(1, s);
}

export function diversify<T extends { item: number; score: number }>(c: Catalog, ranked: readonly T[], limit: number, lambda: number, maxPerCategory?: number, lowest = Infinity): T[] {
  if (ranked.length === 0) return [];
  // `lowest`: the lowest score of candidates the caller left out of `ranked` (below its pool), so relevance is
  // scaled over all of them
  let max = -Infinity;
  let min = lowest;
  for (const r of ranked) {
    if (r.score > max) max = r.score;
    if (r.score < min) min = r.score;
  }
  const span = max - min || 1;
  const pool = ranked.length > Math.max(limit * 5, 100) ? ranked.slice(0, Math.max(limit * 5, 100)) : ranked;
  const k = codesOf(c);
  const n = pool.length;
  // per pool entry: its relevance term and its codes (./codes.ts), read 2 × limit times each
  const rel = new Float64Array(n);
  const cat = new Int32Array(n);
  const top = new Int32Array(n);
  const brand = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const i = pool[p]!.item;
    rel[p] = (1 - lambda) * ((pool[p]!.score - min) / span);
    cat[p] = k.category[i]!;
    top[p] = k.top[i]!;
    brand[p] = k.brand[i]!;
  }
  const picked: T[] = [];
  const perCat = new Map<number, number>();
  const maxSim = new Float64Array(n);
  const used = new Uint8Array(n);
  while (picked.length < limit) {
    let best = -1;
    let bestVal = -Infinity;
    for (let p = 0; p < n; p++) {
      if (used[p]) continue;
      if (maxPerCategory !== undefined && (perCat.get(cat[p]!) ?? 0) >= maxPerCategory) continue;
      const v = rel[p]! - lambda * maxSim[p]!;
      if (v > bestVal) {
        bestVal = v;
        best = p;
      }
    }
    if (best < 0) break;
    used[best] = 1;
    picked.push(pool[best]!);
    const bc = cat[best]!;
    perCat.set(bc, (perCat.get(bc) ?? 0) + 1);
    if (lambda > 0) {
      // itemSimilarity over the codes (code 0 is the empty value, which never matches)
      const bt = top[best]!;
      const bb = brand[best]!;
      for (let p = 0; p < n; p++) {
        if (used[p]) continue;
        let s = 0;
        if (bc !== 0 && cat[p] === bc) s = 1;
        else if (bt !== 0 && top[p] === bt) s = 0.5;
        if (bb !== 0 && brand[p] === bb) s += 0.3;
        if (s > 1) s = 1;
        if (s > maxSim[p]!) maxSim[p] = s;
      }
    }
  }
  return picked;
}

/** intra-list diversity: the mean of 1 − similarity over all pairs of the list */
export function intraListDiversity(c: Catalog, items: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (let a = 0; a < items.length; a++) {
    for (let b = a + 1; b < items.length; b++) {
      s += 1 - itemSimilarity(c, items[a]!, items[b]!);
      n++;
    }
  }
  return n ? s / n : 0;
}
