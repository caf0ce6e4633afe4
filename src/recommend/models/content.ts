import { tokenize } from '../../text/tokenize.ts';
import type { Catalog, Scored, Touch } from '../types.ts';
import { Accumulator, top } from './itemcf.ts';

/**
 * Content-based similarity from item attributes and text: each item is a TF-IDF vector over features
 * — its leaf category (weight 3), department (1), brand (2), price fifth within the category (1), colour,
 * material and keywords (1), and the words of its title (jieba for Chinese, see src/text/tokenize.ts) —
 * normalised to length 1; similarity is the cosine. Candidates for an item's neighbours are the items
 * sharing its category or brand, so the cost stays near-linear. Needs no interactions at all, which is
 * how new items get exposure: they are neighbours of what people already look at.
 */
export interface ContentOptions {
  k?: number;
  /** at most this many candidates scored per item (items sharing the category first) */
  maxCandidates?: number;
}

export class Content {
  constructor(
    readonly k: number,
    readonly nbr: Int32Array,
    readonly sim: Float32Array,
  ) {}

  get items(): number {
    return this.nbr.length / this.k;
  }

  static train(c: Catalog, o: ContentOptions = {}): Content {
    const k = o.k ?? 30;
    const maxCand = o.maxCandidates ?? 400;
    const n = c.ids.length;
    const feats = itemFeatures(c);
    // idf over features
    const df = new Map<string, number>();
    for (const f of feats) for (const key of f.keys()) df.set(key, (df.get(key) ?? 0) + 1);
    const vecs = feats.map((f) => {
      const v = new Map<string, number>();
      let norm = 0;
      for (const [key, w] of f) {
        const x = w * Math.log(1 + n / df.get(key)!);
        v.set(key, x);
        norm += x * x;
      }
      norm = Math.sqrt(norm) || 1;
      for (const [key, x] of v) v.set(key, x / norm);
      return v;
    });
    const byCat = group(c.category, n);
    const byBrand = group(c.brand, n);
    const nbr = new Int32Array(n * k).fill(-1);
    const sim = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const cand = new Set<number>();
      for (const j of byCat.get(c.category[i]!) ?? []) if (cand.size < maxCand) cand.add(j);
      for (const j of byBrand.get(c.brand[i]!) ?? []) if (cand.size < maxCand) cand.add(j);
      cand.delete(i);
      const scored: Scored[] = [];
      const vi = vecs[i]!;
      for (const j of cand) {
        let s = 0;
        for (const [key, x] of vecs[j]!) {
          const y = vi.get(key);
          if (y !== undefined) s += x * y;
        }
        if (s > 0) scored.push({ item: j, score: s });
      }
      top(scored, k).forEach((s, r) => {
        nbr[i * k + r] = s.item;
        sim[i * k + r] = s.score;
      });
    }
    return new Content(k, nbr, sim);
  }

  similar(i: number, limit: number): Scored[] {
    const out: Scored[] = [];
    if (i >= this.items) return out;
    for (let r = 0; r < this.k && out.length < limit; r++) {
      const j = this.nbr[i * this.k + r]!;
      if (j < 0) break;
      out.push({ item: j, score: this.sim[i * this.k + r]!, via: i });
    }
    return out;
  }

  /** Σ over the person's strongest recent items of interest × content similarity */
  recommend(history: readonly Touch[], limit: number): Scored[] {
    const acc = Accumulator.take();
    const k = this.k;
    for (const h of history.slice(0, 30).sort((a, b) => b.weight - a.weight).slice(0, 10)) {
      const f = Math.log1p(h.weight);
      if (h.item >= this.items) continue;
      // this.similar(h.item, k), without its objects
      for (let r = 0; r < k; r++) {
        const j = this.nbr[h.item * k + r]!;
        if (j < 0) break;
        acc.add(j, f * this.sim[h.item * k + r]!, h.item);
      }
    }
    return acc.top(limit);
  }
}

/** the weighted features of every item (exported for the tests) */
export function itemFeatures(c: Catalog): Map<string, number>[] {
  const out: Map<string, number>[] = [];
  for (let i = 0; i < c.ids.length; i++) {
    const f = new Map<string, number>();
    const add = (key: string, w: number) => f.set(key, (f.get(key) ?? 0) + w);
    if (c.category[i]) add(`cat:${c.category[i]}`, 3);
    if (c.top[i]) add(`top:${c.top[i]}`, 1);
    if (c.brand[i]) add(`brand:${c.brand[i]}`, 2);
    if (!Number.isNaN(c.price[i]!)) add(`price:${c.category[i]}:${Math.min(4, Math.floor(c.pricePct[i]! * 5))}`, 1);
    for (const w of c.words[i]!) add(`w:${w.toLowerCase()}`, 1);
    for (const w of tokenize(c.title[i]!)) add(`w:${w}`, 0.5);
    out.push(f);
  }
  return out;
}

function group(keys: readonly string[], n: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (!key) continue;
    let g = m.get(key);
    if (!g) m.set(key, (g = []));
    g.push(i);
  }
  return m;
}
