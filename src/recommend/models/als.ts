import { sortItems } from '../sortItems.ts';
import { kthSmallest } from './itemcf.ts';
import type { Interactions, Scored, Touch } from '../types.ts';
import { DotKernel } from './dotKernel.ts';

/**
 * Latent factors for implicit feedback: iALS (Hu, Koren & Volinsky 2008) solved with a few conjugate-
 * gradient steps per row (Takács, Pilászy & Tikk 2011), on Float32Array factors.
 *
 * Preference p_ui = 1 for every touched pair, confidence c_ui = 1 + α·log(1 + w_ui/ε) of the decayed
 * behaviour weight. Each half-step solves, for every person u,
 *   (YᵀY + λI + Σ_{i∈I_u} (c_ui − 1) y_i y_iᵀ) x_u = Σ_{i∈I_u} c_ui y_i
 * starting from the previous x_u; YᵀY is computed once per half-step, so a CG step costs k² + 2k|I_u|.
 * The kernel is benchmarked in bench/recommend/als-kernel.ts.
 */
export interface AlsOptions {
  factors?: number;
  iterations?: number;
  cgSteps?: number;
  lambda?: number;
  alpha?: number;
  epsilon?: number;
  seed?: number;
}

export class ALS {
  /** YᵀY, computed on the first fold-in and kept: the item factors do not change between trainings */
  private gramY: Float64Array | null = null;
  /** the score row `recommend` writes into (one request at a time: JavaScript runs one at a time) */
  private scratch: Float32Array | null = null;
  /** the SIMD scorer over Y (src/recommend/models/dotKernel.ts); null where the runtime cannot, undefined until first used */
  private kernel: DotKernel | null | undefined;

  constructor(
    readonly k: number,
    /** person factors, row u at u*k */
    readonly X: Float32Array,
    /** item factors, row i at i*k */
    readonly Y: Float32Array,
    readonly lambda: number,
    private readonly conf: (w: number) => number,
    private readonly cgSteps: number,
  ) {}

  get items(): number {
    return this.Y.length / this.k;
  }

  static train(x: Interactions, nItems: number, o: AlsOptions = {}): ALS {
    const k = o.factors ?? 32;
    const lambda = o.lambda ?? 0.1;
    const alpha = o.alpha ?? 8;
    const eps = o.epsilon ?? 1;
    const cg = o.cgSteps ?? 3;
    const users = x.persons.length;
    const rand = seeded(o.seed ?? 1);
    const X = new Float32Array(users * k).map(() => (rand() - 0.5) * 0.01);
    const Y = new Float32Array(nItems * k).map(() => (rand() - 0.5) * 0.01);
    const conf = (w: number) => 1 + alpha * Math.log1p(w / eps);
    const c = new Float32Array(x.weight.length);
    for (let t = 0; t < c.length; t++) c[t] = conf(x.weight[t]!);
    // item-major copy for the item half-step
    const iPtr = new Int32Array(nItems + 1);
    for (let t = 0; t < x.item.length; t++) iPtr[x.item[t]! + 1]!++;
    for (let i = 0; i < nItems; i++) iPtr[i + 1]! += iPtr[i]!;
    const iUser = new Int32Array(x.item.length);
    const iConf = new Float32Array(x.item.length);
    const fill = iPtr.slice(0, nItems);
    for (let u = 0; u < users; u++) {
      for (let t = x.ptr[u]!; t < x.ptr[u + 1]!; t++) {
        const at = fill[x.item[t]!]!++;
        iUser[at] = u;
        iConf[at] = c[t]!;
      }
    }
    const ws = workspace(k);
    for (let it = 0; it < (o.iterations ?? 10); it++) {
      halfStep(X, Y, k, x.ptr, x.item, c, lambda, cg, ws);
      halfStep(Y, X, k, iPtr, iUser, iConf, lambda, cg, ws);
    }
    return new ALS(k, X, Y, lambda, conf, cg);
  }

  /** scores of every item for person u (or for a folded-in vector) */
  scoresOf(xu: Float32Array, out: Float32Array = new Float32Array(this.items)): Float32Array {
    const kernel = this.simd();
    if (kernel) {
      out.set(kernel.scores(xu));
      return out;
    }
    const k = this.k;
    const n = this.items;
    const Y = this.Y;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * k;
      for (let f = 0; f < k; f++) s += xu[f]! * Y[o + f]!;
      out[i] = s;
    }
    return out;
  }

  private simd(): DotKernel | null {
    if (this.kernel === undefined) this.kernel = DotKernel.over(this.Y, this.k);
    return this.kernel;
  }

  userVector(u: number): Float32Array {
    return this.X.subarray(u * this.k, (u + 1) * this.k);
  }

  /**
   * A person the model was not trained with (new since training, or with new events): solve their row
   * against the fixed item factors — one least-squares problem of size k.
   */
  foldIn(history: readonly Touch[]): Float32Array {
    const k = this.k;
    const items = history.filter((h) => h.item < this.items);
    const ptr = Int32Array.of(0, items.length);
    const idx = Int32Array.from(items.map((h) => h.item));
    const c = Float32Array.from(items.map((h) => this.conf(h.weight)));
    const xu = new Float32Array(k);
    const ws = workspace(k);
    if (!this.gramY) gram(this.Y, k, (this.gramY = new Float64Array(k * k)));
    ws.G.set(this.gramY);
    for (let rep = 0; rep < 3; rep++) solveRow(xu, 0, this.Y, k, ptr, idx, c, this.lambda, Math.max(this.cgSteps, k), ws);
    return xu;
  }

  recommend(xu: Float32Array, limit: number): Scored[] {
    return scoredOf(this.recommendTop(xu, limit));
  }

  /** `recommend` as two typed arrays (what a serving state keeps) */
  recommendTop(xu: Float32Array, limit: number): TopList {
    const kernel = this.simd();
    if (kernel) return topList(kernel.scores(xu), limit);
    const s = this.scoresOf(xu, (this.scratch ??= new Float32Array(this.items)));
    return topList(s, limit);
  }
}

interface Workspace {
  G: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}
const workspace = (k: number): Workspace => ({ G: new Float64Array(k * k), r: new Float64Array(k), p: new Float64Array(k), ap: new Float64Array(k) });

/** G = FᵀF over all rows of F */
export function gram(F: Float32Array, k: number, G: Float64Array): void {
  G.fill(0);
  const n = F.length / k;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const fa = F[o + a]!;
      if (fa === 0) continue;
      const row = a * k;
      for (let b = a; b < k; b++) G[row + b]! += fa * F[o + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[a * k + b] = G[b * k + a]!;
}

/** updates every row of `A` (users or items) against the fixed `B` */
export function halfStep(A: Float32Array, B: Float32Array, k: number, ptr: Int32Array, idx: Int32Array, c: Float32Array, lambda: number, cgSteps: number, ws: Workspace): void {
  gram(B, k, ws.G);
  const rowsN = ptr.length - 1;
  for (let u = 0; u < rowsN; u++) solveRow(A, u, B, k, ptr, idx, c, lambda, cgSteps, ws);
}

/** a few CG steps on row u of A, warm-started from its current value */
function solveRow(A: Float32Array, u: number, B: Float32Array, k: number, ptr: Int32Array, idx: Int32Array, c: Float32Array, lambda: number, steps: number, ws: Workspace): void {
  const { G, r, p, ap } = ws;
  const xo = u * k;
  const a0 = ptr[u]!;
  const a1 = ptr[u + 1]!;
  // r = b − A x, with b = Σ c_i y_i and A x = G x + λx + Σ (c_i − 1)(y_i·x) y_i
  for (let f = 0; f < k; f++) {
    let s = 0;
    const row = f * k;
    for (let g = 0; g < k; g++) s += G[row + g]! * A[xo + g]!;
    r[f] = -s - lambda * A[xo + f]!;
  }
  for (let t = a0; t < a1; t++) {
    const yo = idx[t]! * k;
    const ci = c[t]!;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += B[yo + f]! * A[xo + f]!;
    const w = ci - (ci - 1) * dot;
    for (let f = 0; f < k; f++) r[f]! += w * B[yo + f]!;
  }
  let rs = 0;
  for (let f = 0; f < k; f++) {
    p[f] = r[f]!;
    rs += r[f]! * r[f]!;
  }
  for (let step = 0; step < steps && rs > 1e-10; step++) {
    for (let f = 0; f < k; f++) {
      let s = 0;
      const row = f * k;
      for (let g = 0; g < k; g++) s += G[row + g]! * p[g]!;
      ap[f] = s + lambda * p[f]!;
    }
    for (let t = a0; t < a1; t++) {
      const yo = idx[t]! * k;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += B[yo + f]! * p[f]!;
      const w = (c[t]! - 1) * dot;
      for (let f = 0; f < k; f++) ap[f]! += w * B[yo + f]!;
    }
    let pap = 0;
    for (let f = 0; f < k; f++) pap += p[f]! * ap[f]!;
    if (pap <= 0) break;
    const alpha = rs / pap;
    let rsNew = 0;
    for (let f = 0; f < k; f++) {
      A[xo + f]! += alpha * p[f]!;
      r[f]! -= alpha * ap[f]!;
      rsNew += r[f]! * r[f]!;
    }
    const beta = rsNew / rs;
    for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
    rs = rsNew;
  }
}

/**
 * The `limit` best indexes of a score array, best first (ties: the lower index first). A threshold from a
 * sample first: among every 16th score, the one (found by selection) that about twice `limit` items reach; one pass keeps
 * the indexes at or above it, and only those are sorted. Every item the pass leaves out scores below every
 * item kept, so when at least `limit` are kept the answer is exactly the best of them; when fewer are (a
 * sample that was unlucky, many equal scores), the heap below answers instead.
 */
export function topOf(s: Float32Array, limit: number): Scored[] {
  return scoredOf(topList(s, limit));
}

/** a top list: item indexes best first, and their scores */
export interface TopList {
  item: Int32Array;
  score: Float32Array;
}

function scoredOf(t: TopList): Scored[] {
  const out: Scored[] = new Array(t.item.length);
  for (let j = 0; j < out.length; j++) out[j] = { item: t.item[j]!, score: t.score[j]! };
  return out;
}

/** `topOf` as a TopList */
export function topList(s: Float32Array, limit: number): TopList {
  const n = s.length;
  const cap = Math.min(limit, n);
  if (cap <= 0) return { item: new Int32Array(0), score: new Float32Array(0) };
  const STRIDE = 16;
  const m = Math.floor((n - 1) / STRIDE) + 1;
  const r = 2 * Math.ceil(cap / STRIDE) + 2;
  if (m < 4 * r) return listOf(heapTopOf(s, cap));
  const sample = scratchF64(m).subarray(0, m);
  for (let j = 0, i = 0; j < m; j++, i += STRIDE) {
    const v = s[i]!;
    if (Number.isNaN(v)) return listOf(heapTopOf(s, cap));
    sample[j] = v;
  }
  const t = kthSmallest(sample, m - r);
  const kept = scratchI32(n);
  let c = 0;
  for (let i = 0; i < n; i++) if (s[i]! >= t) kept[c++] = i;
  if (c < cap) return listOf(heapTopOf(s, cap));
  // the kept scores, widened exactly to float64, at their items' places (only those places are read)
  const wide = scratchWide(n);
  for (let j = 0; j < c; j++) wide[kept[j]!] = s[kept[j]!]!;
  sortItems(kept, c, wide);
  const out = newTopList(cap);
  out.item.set(kept.subarray(0, cap));
  for (let j = 0; j < cap; j++) out.score[j] = s[out.item[j]!]!;
  return out;
}

/** both arrays in one buffer: a person's list is kept on their state, and each live buffer costs the young-generation collector */
function newTopList(n: number): TopList {
  const buf = new ArrayBuffer(n * 8);
  return { item: new Int32Array(buf, 0, n), score: new Float32Array(buf, n * 4, n) };
}

function listOf(l: Scored[]): TopList {
  const out = newTopList(l.length);
  for (let j = 0; j < l.length; j++) {
    out.item[j] = l[j]!.item;
    out.score[j] = l[j]!.score;
  }
  return out;
}

let f64 = new Float64Array(0);
let i32 = new Int32Array(0);
const scratchF64 = (n: number) => (f64.length >= n ? f64 : (f64 = new Float64Array(n)));
let wide64 = new Float64Array(0);
const scratchWide = (n: number) => (wide64.length >= n ? wide64 : (wide64 = new Float64Array(n)));
const scratchI32 = (n: number) => (i32.length >= n ? i32 : (i32 = new Int32Array(n)));

/**
 * The same answer by a binary heap of the best so far in typed arrays, whose root is the worst kept (lowest
 * score, then highest index): an item enters only by beating it.
 */
export function heapTopOf(s: Float32Array, limit: number): Scored[] {
  const cap = Math.min(limit, s.length);
  if (cap <= 0) return [];
  const hi = new Int32Array(cap);
  const hv = new Float32Array(cap);
  // `a` is worse than `b`: lower score, or the same score and a higher index
  const worse = (a: number, b: number) => hv[a]! < hv[b]! || (hv[a] === hv[b] && hi[a]! > hi[b]!);
  const down = (at: number, size: number) => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) return;
      const r = l + 1;
      const w = r < size && worse(r, l) ? r : l;
      if (!worse(w, at)) return;
      const ti = hi[at]!, tv = hv[at]!;
      hi[at] = hi[w]!; hv[at] = hv[w]!;
      hi[w] = ti; hv[w] = tv;
      at = w;
    }
  };
  let size = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (size < cap) {
      // fill, then heapify once
      hi[size] = i;
      hv[size] = v;
      if (++size === cap) for (let at = (cap >> 1) - 1; at >= 0; at--) down(at, cap);
      continue;
    }
    if (!(v > hv[0]!)) continue; // the same score as the worst kept loses: it has a higher index
    hi[0] = i;
    hv[0] = v;
    down(0, cap);
  }
  const out: Scored[] = new Array(size);
  for (let t = 0; t < size; t++) out[t] = { item: hi[t]!, score: hv[t]! };
  return out.sort((a, b) => b.score - a.score || a.item - b.item);
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
