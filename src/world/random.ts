// Seeded PRNG for the synthetic world. sfc32 is fast in JS (pure 32-bit integer ops), passes
// PractRand at the sizes we use, and its 128-bit state is seeded through splitmix32 so that
// nearby seeds give unrelated streams. Math.random is never used: the world must be reproducible.

/** FNV-1a hash of a string to an unsigned 32-bit integer (for string seeds and labels). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One splitmix32 step: a well-mixed 32-bit value from any 32-bit input. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Deterministic uniform [0,1) from integer coordinates, without any stream state (cheap hashing). */
export function hashUnit(a: number, b: number, c = 0): number {
  return mix32(mix32(mix32(a) ^ b) ^ c) / 4294967296;
}

// Quantile tables at the midpoints of 4096 equal-probability bins.
const GUMBEL_TABLE = new Float64Array(4096);
const NORMAL_TABLE = new Float64Array(4096);
for (let i = 0; i < 4096; i++) {
  const u = (i + 0.5) / 4096;
  GUMBEL_TABLE[i] = -Math.log(-Math.log(u));
  NORMAL_TABLE[i] = inverseNormal(u);
}

/** Acklam's rational approximation of the standard normal quantile (|error| < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));

export class Rng {
  // State in a typed array: as object fields, 32-bit values outside V8's 31-bit small-integer
  // range would be boxed, which made every draw several times slower.
  private readonly s = new Int32Array(4);
  private spareNormal = NaN;

  constructor(seed: number | string, label = '') {
    let s = (typeof seed === 'number' ? seed >>> 0 ^ Math.floor(seed / 4294967296) : hashString(seed)) >>> 0;
    if (label) s = (s ^ hashString(label)) >>> 0;
    this.s[0] = s = mix32(s);
    this.s[1] = s = mix32(s);
    this.s[2] = s = mix32(s);
    this.s[3] = mix32(s);
    for (let i = 0; i < 12; i++) this.u32(); // warm up: the first outputs of sfc32 are weakly mixed
  }

  /** Next unsigned 32-bit integer (sfc32). */
  u32(): number {
    const st = this.s;
    const a = st[0];
    const b = st[1];
    let c = st[2];
    const d = st[3];
    const t = (((a + b) | 0) + d) | 0;
    st[3] = (d + 1) | 0;
    st[0] = b ^ (b >>> 9);
    st[1] = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    st[2] = (c + t) | 0;
    return t >>> 0;
  }

  /** Uniform [0,1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal via Box–Muller, caching the second value. */
  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return mean + sd * z;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(th);
    return mean + sd * r * Math.cos(th);
  }

  /** Log-normal with the given median (exp(mu)) and log-sd. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given rate. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Gamma(shape, scale) by Marsaglia–Tsang; shape < 1 boosted with the usual U^(1/shape) trick. */
  gamma(shape: number, scale = 1): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  /** Dirichlet draw: normalised independent gammas. */
  dirichlet(alpha: ArrayLike<number>): Float64Array {
    const out = new Float64Array(alpha.length);
    let sum = 0;
    for (let i = 0; i < alpha.length; i++) sum += out[i] = this.gamma(alpha[i]);
    for (let i = 0; i < out.length; i++) out[i] = sum > 0 ? out[i] / sum : 1 / out.length;
    return out;
  }

  /** Poisson: Knuth's product method for small means, a rounded normal for large ones. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Index drawn with probability proportional to weights (linear scan: for short lists). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Index drawn from a cumulative weight table (binary search: for long lists). */
  fromCumulative(cum: ArrayLike<number>, lo = 0, hi = cum.length): number {
    const base = lo > 0 ? cum[lo - 1] : 0;
    const x = base + this.next() * (cum[hi - 1] - base);
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (cum[m] > x) b = m;
      else a = m + 1;
    }
    return a;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
    return xs;
  }

  /** Gumbel noise: argmax(score + gumbel) samples from softmax(score) without normalising. */
  gumbel(): number {
    return -Math.log(-Math.log(this.next() * 0.999999 + 0.0000005));
  }

  /** Gumbel noise from a 4096-quantile table: the hot path (item choice) needs no logarithms. */
  gumbelFast(): number {
    return GUMBEL_TABLE[this.u32() >>> 20];
  }

  /** Standard normal from a 4096-quantile table (for dwell times and other cosmetic noise). */
  normalFast(): number {
    return NORMAL_TABLE[this.u32() >>> 20];
  }

  /** A UUID-v4-shaped string drawn from this stream (deterministic, not cryptographic). */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    return (
      HEX[a >>> 24] + HEX[(a >>> 16) & 255] + HEX[(a >>> 8) & 255] + HEX[a & 255] + '-' +
      HEX[b >>> 24] + HEX[(b >>> 16) & 255] + '-' +
      HEX[0x40 | ((b >>> 8) & 15)] + HEX[b & 255] + '-' +
      HEX[0x80 | ((c >>> 24) & 63)] + HEX[(c >>> 16) & 255] + '-' +
      HEX[(c >>> 8) & 255] + HEX[c & 255] + HEX[d >>> 24] + HEX[(d >>> 16) & 255] + HEX[(d >>> 8) & 255] + HEX[d & 255]
    );
  }
}

/** Build a cumulative table from weights. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) out[i] = s += weights[i];
  return out;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  const q = Math.min(0.999999, Math.max(0.000001, p));
  return Math.log(q / (1 - q));
}
