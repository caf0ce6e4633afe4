import { codesOf, type CatalogCodes } from './codes.ts';
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
  const picked: T[] = [];
  const perCat = new Map<number, number>();
  const maxSim = new Float64Array(pool.length);
  const used = new Uint8Array(pool.length);
  while (picked.length < limit) {
    let best = -1;
    let bestVal = -Infinity;
    for (let p = 0; p < pool.length; p++) {
      if (used[p]) continue;
      const r = pool[p]!;
      if (maxPerCategory !== undefined && (perCat.get(k.category[r.item]!) ?? 0) >= maxPerCategory) continue;
      const v = (1 - lambda) * ((r.score - min) / span) - lambda * maxSim[p]!;
      if (v > bestVal) {
        bestVal = v;
        best = p;
      }
    }
    if (best < 0) break;
    used[best] = 1;
    const chosen = pool[best]!;
    picked.push(chosen);
    const cat = k.category[chosen.item]!;
    perCat.set(cat, (perCat.get(cat) ?? 0) + 1);
    if (lambda > 0) for (let p = 0; p < pool.length; p++) if (!used[p]) maxSim[p] = Math.max(maxSim[p]!, codedSimilarity(k, pool[p]!.item, chosen.item));
  }
  return picked;
}

/** `itemSimilarity` over the catalog's codes (./codes.ts: code 0 is the empty value, which never matches) */
function codedSimilarity(k: CatalogCodes, a: number, b: number): number {
  let s = 0;
  const ca = k.category[a]!;
  if (ca !== 0 && ca === k.category[b]) s = 1;
  else {
    const ta = k.top[a]!;
    if (ta !== 0 && ta === k.top[b]) s = 0.5;
  }
  const ba = k.brand[a]!;
  if (ba !== 0 && ba === k.brand[b]) s += 0.3;
  return Math.min(1, s);
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
