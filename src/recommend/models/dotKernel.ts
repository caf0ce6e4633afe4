/**
 * The score of every item for one person's factor vector (y_i · x for all i) in WebAssembly with 128-bit
 * SIMD: four factors per instruction, where JavaScript does one. Serving a person's first request spends a
 * third of its time here otherwise (docs/recommend.md, "Serving"); `bench/recommend/dot-kernel.ts` measures
 * both. The item factors are copied once into the module's memory; each call copies the person's vector in
 * and reads the scores out.
 *
 * Sums are kept in four float32 lanes (one per factor modulo 4) and added at the end, so a score can differ
 * from the sequential float64 sum of the JavaScript loop in its last bits; rankings agree except between items
 * whose scores tie to about 1e-6.
 *
 * The module is small enough to write out as bytes (below, with the text form beside each instruction), which
 * keeps a compiler toolchain out of the install.
 */

/** LEB128, unsigned */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
/** LEB128, signed (small non-negative constants only) */
const sleb = (n: number): number[] => (n < 64 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

const I32 = 0x7f;
const V128 = 0x7b;
// locals: parameters y, x, out, n, k4 (0–4), then i, f, xp (5–7) and acc (8)
const [Y, X, OUT, N, K4, I, F, XP, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const i32 = (v: number) => [0x41, ...sleb(v)];
const addTo = (l: number, v: number) => [...get(l), ...i32(v), 0x6a, ...set(l)]; // l = l + v
const lane = (k: number) => [...get(ACC), 0xfd, 0x1f, k]; // f32x4.extract_lane k

// scores(y, x, out, n, k4): out[i] = Σ_f y[i*k + f] · x[f] for i < n, k = 4·k4
const body = [
  0x02, 0x40, //                          block $done
  0x03, 0x40, //                            loop $items
  ...get(I), ...get(N), 0x4f, 0x0d, 1, //     br_if $done (i >= n)
  0xfd, 0x0c, ...new Array(16).fill(0), //     v128.const 0
  ...set(ACC),
  ...i32(0), ...set(F),
  ...get(X), ...set(XP),
  0x02, 0x40, //                              block $factors_done
  0x03, 0x40, //                                loop $factors
  ...get(F), ...get(K4), 0x4f, 0x0d, 1, //        br_if $factors_done (f >= k4)
  ...get(ACC),
  ...get(Y), 0xfd, 0x00, 4, 0, //                 v128.load y
  ...get(XP), 0xfd, 0x00, 4, 0, //                v128.load xp
  0xfd, 0xe6, 0x01, //                            f32x4.mul
  0xfd, 0xe4, 0x01, //                            f32x4.add
  ...set(ACC),
  ...addTo(Y, 16), ...addTo(XP, 16), ...addTo(F, 1),
  0x0c, 0, //                                     br $factors
  0x0b, 0x0b, //                                end end
  ...get(OUT),
  ...lane(0), ...lane(1), 0x92, ...lane(2), 0x92, ...lane(3), 0x92, // the four lanes summed (f32.add)
  0x38, 2, 0, //                              f32.store out
  ...addTo(OUT, 4), ...addTo(I, 1),
  0x0c, 0, //                                 br $items
  0x0b, 0x0b, //                            end end
  0x0b, //                                  end (function)
];
const locals = [2, ...uleb(3), I32, ...uleb(1), V128];
const code = [...locals, ...body];

const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 ×5) → ()
  ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]), // import memory e.m, at least 1 page
  ...section(3, [1, 0]), // one function of type 0
  ...section(7, [1, ...name('scores'), 0x00, 0]), // export it
  ...section(10, [1, ...uleb(code.length), ...code]),
]);

/** the part of the WebAssembly API used here (the project's type libraries leave it out) */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => Memory;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
interface Memory {
  buffer: ArrayBuffer;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let compiled: object | null | undefined;
function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(moduleBytes);
    } catch {
      compiled = null; // no SIMD in this runtime: callers use the JavaScript loop
    }
  }
  return compiled;
}

const PAGE = 65_536;

/** Scores of every item against vectors of length k, over fixed item factors `Y` (row i at i·k). */
export class DotKernel {
  private constructor(
    private readonly run: (y: number, x: number, out: number, n: number, k4: number) => void,
    private readonly memory: Memory,
    private readonly n: number,
    private readonly k: number,
  ) {}

  /** A kernel over `Y`, or null when k is not a multiple of 4 or the runtime lacks WebAssembly SIMD. */
  static over(Y: Float32Array, k: number): DotKernel | null {
    const m = k % 4 === 0 && k > 0 ? module() : null;
    if (!m) return null;
    const n = Y.length / k;
    const bytes = (Y.length + k + n) * 4;
    const memory = new wasm.Memory({ initial: Math.ceil(bytes / PAGE) + 1 });
    const instance = new wasm.Instance(m, { e: { m: memory } });
    new Float32Array(memory.buffer, 0, Y.length).set(Y);
    return new DotKernel(instance.exports.scores as (y: number, x: number, out: number, n: number, k4: number) => void, memory, n, k);
  }

  /**
   * The scores, in a view of the kernel's memory that the next call overwrites (copy what must outlive it).
   * `x` must have length k.
   */
  scores(x: Float32Array): Float32Array {
    const xAt = this.n * this.k * 4;
    const outAt = xAt + this.k * 4;
    const buf = this.memory.buffer;
    new Float32Array(buf, xAt, this.k).set(x);
    this.run(0, xAt, outAt, this.n, this.k / 4);
    return new Float32Array(buf, outAt, this.n);
  }
}
