import { sortItems } from '../sortItems.ts';
import type { Interactions, Scored, Touch } from '../types.ts';

/**
 * Item-to-item collaborative filtering from co-occurrence. A person's interest in an item is
 * f(w) = log(1 + w) of the decayed behaviour weight (views count 1, wishlist 2, cart 3, orders 5, halving
 * every 30 days), and each person's pairs are damped by 1 / log(2 + items they touched), so that a
 * heavy browser does not tie everything to everything:
 *
 *   co(i, j) = Σ_u f(w_ui) f(w_uj) / log(2 + |I_u|)        sim(i, j) = co(i, j) / √(n_i n_j),  n_i = Σ_u f(w_ui)² / log(2 + |I_u|)
 *
 * The top `k` neighbours of each item are kept in flat typed arrays. New events update the affected pairs
 * in place (`observe`), so the lists follow the shop between full trainings.
 */
export interface ItemCfOptions {
  /** neighbours kept per item (50) */
  k?: number;
  /** at most this many of a person's strongest items take part in pairs (100) */
  maxPerUser?: number;
}

export class ItemCF {
  readonly k: number;
  /** neighbour j of item i at i*k+r (−1 when empty), sorted by similarity */
  nbr: Int32Array;
  sim: Float32Array;
  /** n_i of the formula above */
  norm: Float64Array;

  private constructor(n: number, k: number) {
    this.k = k;
    this.nbr = new Int32Array(n * k).fill(-1);
    this.sim = new Float32Array(n * k);
    this.norm = new Float64Array(n);
  }

  get items(): number {
    return this.norm.length;
  }

  static train(x: Interactions, nItems: number, o: ItemCfOptions = {}): ItemCF {
    const k = o.k ?? 50;
    const cap = o.maxPerUser ?? 100;
    const m = new ItemCF(nItems, k);
    const users = x.persons.length;
    // per person: the strongest `cap` items and their f(w)/√damp, so a pair's contribution is a plain product
    const uPtr = new Int32Array(users + 1);
    const uItem: number[] = [];
    const uVal: number[] = [];
    for (let u = 0; u < users; u++) {
      const a = x.ptr[u]!;
      const b = x.ptr[u + 1]!;
      let ks = Array.from({ length: b - a }, (_, t) => a + t);
      if (ks.length > cap) ks = ks.sort((p, q) => x.weight[q]! - x.weight[p]!).slice(0, cap);
      const damp = 1 / Math.sqrt(Math.log(2 + ks.length));
      for (const t of ks) {
        const v = Math.log1p(x.weight[t]!) * damp;
        uItem.push(x.item[t]!);
        uVal.push(v);
        m.norm[x.item[t]!]! += v * v;
      }
      uPtr[u + 1] = uItem.length;
    }
    const ui = Int32Array.from(uItem);
    const uv = Float32Array.from(uVal);
    // item → persons (transpose)
    const iPtr = new Int32Array(nItems + 1);
    for (let t = 0; t < ui.length; t++) iPtr[ui[t]! + 1]!++;
    for (let i = 0; i < nItems; i++) iPtr[i + 1]! += iPtr[i]!;
    const iUser = new Int32Array(ui.length);
    const iVal = new Float32Array(ui.length);
    const fill = iPtr.slice(0, nItems);
    for (let u = 0; u < users; u++) {
      for (let t = uPtr[u]!; t < uPtr[u + 1]!; t++) {
        const at = fill[ui[t]!]!++;
        iUser[at] = u;
        iVal[at] = uv[t]!;
      }
    }
    // one dense scratch row per item: co(i, ·), then keep the top k
    const acc = new Float64Array(nItems);
    const touched = new Int32Array(nItems);
    for (let i = 0; i < nItems; i++) {
      let nt = 0;
      for (let s = iPtr[i]!; s < iPtr[i + 1]!; s++) {
        const u = iUser[s]!;
        const vi = iVal[s]!;
        for (let t = uPtr[u]!; t < uPtr[u + 1]!; t++) {
          const j = ui[t]!;
          if (j === i) continue;
          if (acc[j] === 0) touched[nt++] = j;
          acc[j]! += vi * uv[t]!;
        }
      }
      const ni = m.norm[i]!;
      for (let s = 0; s < nt; s++) {
        const j = touched[s]!;
        m.offer(i, j, acc[j]! / Math.sqrt(ni * m.norm[j]!));
        acc[j] = 0;
      }
    }
    return m;
  }

  /** puts j among i's neighbours when it beats the weakest (or raises it when already there) */
  offer(i: number, j: number, s: number): void {
    const k = this.k;
    const base = i * k;
    let at = -1;
    for (let r = 0; r < k; r++) if (this.nbr[base + r] === j) at = r;
    if (at < 0) {
      if (this.nbr[base + k - 1] !== -1 && this.sim[base + k - 1]! >= s) return;
      at = k - 1;
      this.nbr[base + at] = j;
    }
    this.sim[base + at] = s;
    // bubble into place (lists are short)
    while (at > 0 && (this.nbr[base + at - 1] === -1 || this.sim[base + at - 1]! < this.sim[base + at]!)) {
      swap(this.nbr, base + at, base + at - 1);
      swap(this.sim, base + at, base + at - 1);
      at--;
    }
    while (at < k - 1 && this.nbr[base + at + 1] !== -1 && this.sim[base + at + 1]! > this.sim[base + at]!) {
      swap(this.nbr, base + at, base + at + 1);
      swap(this.sim, base + at, base + at + 1);
      at++;
    }
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

  /** Σ over the person's recent items of interest × similarity; `via` is the history item that added most. */
  recommend(history: readonly Touch[], limit: number): Scored[] {
    const acc = Accumulator.take();
    const k = this.k;
    for (let t = 0; t < history.length && t < 30; t++) {
      const h = history[t]!;
      if (h.item >= this.items) continue;
      const f = Math.log1p(h.weight);
      for (let r = 0; r < k; r++) {
        const j = this.nbr[h.item * k + r]!;
        if (j < 0) break;
        acc.add(j, f * this.sim[h.item * k + r]!, h.item);
      }
    }
    return acc.top(limit);
  }

  /**
   * An interaction arrived: person with items `others` (each with its f(w)·damp already applied) touched
   * `item` with value `v`. Updates n_item and the (item, other) similarities in both directions.
   */
  observe(item: number, v: number, others: readonly { item: number; v: number }[]): void {
    if (item >= this.items) this.grow(item + 1);
    this.norm[item]! += v * v;
    for (const o of others) {
      if (o.item === item || o.item >= this.items) continue;
      const ni = this.norm[item]!;
      const nj = this.norm[o.item]!;
      if (ni <= 0 || nj <= 0) continue;
      const prev = this.simOf(item, o.item);
      const s = prev + (v * o.v) / Math.sqrt(ni * nj);
      this.offer(item, o.item, s);
      this.offer(o.item, item, s);
    }
  }

  simOf(i: number, j: number): number {
    for (let r = 0; r < this.k; r++) if (this.nbr[i * this.k + r] === j) return this.sim[i * this.k + r]!;
    return 0;
  }

  private grow(n: number): void {
    const nbr = new Int32Array(n * this.k).fill(-1);
    nbr.set(this.nbr);
    const sim = new Float32Array(n * this.k);
    sim.set(this.sim);
    const norm = new Float64Array(n);
    norm.set(this.norm);
    this.nbr = nbr;
    this.sim = sim;
    this.norm = norm;
  }
}

function swap(a: Int32Array | Float32Array, x: number, y: number): void {
  const t = a[x]!;
  a[x] = a[y]!;
  a[y] = t;
}

/** the `limit` highest scores, best first */
export function top(xs: Iterable<Scored>, limit: number): Scored[] {
  return [...xs].sort((a, b) => b.score - a.score || a.item - b.item).slice(0, limit);
}

/**
 * The k-th smallest value (0-based) of `a`, which it reorders: what `a.sort()[k]` reads, by selection
 * (Hoare's partition on the median of three) in linear time on average instead of a full sort. No NaNs.
 */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three to a[mid]
    if (a[mid]! < a[lo]!) swap64(a, mid, lo);
    if (a[hi]! < a[lo]!) swap64(a, hi, lo);
    if (a[hi]! < a[mid]!) swap64(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap64(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap64(a: Float64Array, x: number, y: number): void {
  const t = a[x]!;
  a[x] = a[y]!;
  a[y] = t;
}

/**
 * Sums contributions per item and remembers which source item contributed most (the reason's "X"; the first
 * of equal contributions). Dense scratch rows indexed by item, shared by the accumulators of one request
 * after another, so a request allocates only its answer.
 */
export class Accumulator {
  private static readonly free: Accumulator[] = [];
  /** scratch for the sums `top` selects from */
  private static sums = new Float64Array(1024);
  private score = new Float64Array(1024);
  private best = new Float64Array(1024);
  private via = new Int32Array(1024);
  private seen = new Uint8Array(1024);
  private touched = new Int32Array(256);
  private n = 0;

  /** a cleared accumulator (from the pool; `top` returns it) */
  static take(): Accumulator {
    return Accumulator.free.pop() ?? new Accumulator();
  }

  add(item: number, score: number, via: number): void {
    if (item >= this.seen.length) this.grow(item + 1);
    if (!this.seen[item]) {
      this.seen[item] = 1;
      if (this.n === this.touched.length) {
        const t = new Int32Array(this.n * 2);
        t.set(this.touched);
        this.touched = t;
      }
      this.touched[this.n++] = item;
      this.score[item] = score;
      this.best[item] = score;
      this.via[item] = via;
    } else {
      this.score[item]! += score;
      if (score > this.best[item]!) {
        this.best[item] = score;
        this.via[item] = via;
      }
    }
  }

  /** the `limit` highest sums, best first (ties: lower item first); clears the accumulator for reuse */
  top(limit: number): Scored[] {
    // the limit-th highest sum (a native numeric sort of the sums) bounds what is worth an object
    let floor = -Infinity;
    if (this.n > limit) {
      const sums = (Accumulator.sums.length >= this.n ? Accumulator.sums : (Accumulator.sums = new Float64Array(this.n * 2))).subarray(0, this.n);
      for (let t = 0; t < this.n; t++) sums[t] = this.score[this.touched[t]!]!;
      floor = kthSmallest(sums, this.n - limit);
    }
    // those at or above the floor, best first (ties: lower item), sorted in place at the front of `touched`
    let kept = 0;
    for (let t = 0; t < this.n; t++) {
      const item = this.touched[t]!;
      if (this.score[item]! >= floor) this.touched[kept++] = item;
      this.seen[item] = 0;
    }
    sortItems(this.touched, kept, this.score);
    const out: Scored[] = new Array(Math.min(kept, limit));
    for (let t = 0; t < out.length; t++) {
      const item = this.touched[t]!;
      out[t] = { item, score: this.score[item]!, via: this.via[item]! };
    }
    this.n = 0;
    if (Accumulator.free.length < 8) Accumulator.free.push(this);
    return out;
  }

  private grow(size: number): void {
    const n = Math.max(size, this.seen.length * 2);
    const f = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.score = f(this.score);
    this.best = f(this.best);
    this.via = f(this.via);
    this.seen = f(this.seen);
  }
}
