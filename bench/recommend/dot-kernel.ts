/**
 * Scoring every item for one person (src/recommend/models/dotKernel.ts): the WebAssembly SIMD kernel against
 * the plain JavaScript loop it replaces, and the top-100 selection after it (from a sampled threshold, and by
 * the typed heap it falls back to), on random factors the size of
 * the 10M-event world's model (15,625 items × 32 factors). Prints microseconds per person for each, and the
 * largest difference between the two scores.
 *
 *   node bin/run-ts.js bench/recommend/dot-kernel.ts [--items 15625] [--factors 32] [--runs 3000] [--json]
 */
import { parseArgs } from 'node:util';
import { heapTopOf, topOf } from '../../src/recommend/models/als.ts';
import { DotKernel } from '../../src/recommend/models/dotKernel.ts';

const { values } = parseArgs({ options: { items: { type: 'string' }, factors: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } } });
const n = Number(values.items ?? 15_625);
const k = Number(values.factors ?? 32);
const runs = Number(values.runs ?? 3_000);

let seed = 7;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296) - 0.5;
const Y = new Float32Array(n * k).map(rand);
const people = Array.from({ length: 64 }, () => new Float32Array(k).map(rand));
const kernel = DotKernel.over(Y, k);
if (!kernel) throw new Error(`no SIMD kernel for k = ${k} (k must be a multiple of 4, and the runtime must support WebAssembly SIMD)`);

const out = new Float32Array(n);
function js(x: Float32Array): Float32Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * k;
    for (let f = 0; f < k; f++) s += x[f]! * Y[o + f]!;
    out[i] = s;
  }
  return out;
}

function time(f: (x: Float32Array) => unknown): number {
  for (let r = 0; r < 200; r++) f(people[r % people.length]!);
  const t = performance.now();
  for (let r = 0; r < runs; r++) f(people[r % people.length]!);
  return ((performance.now() - t) / runs) * 1000;
}

let maxDiff = 0;
for (const x of people) {
  const a = js(x).slice();
  const b = kernel.scores(x);
  for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
}
const result = {
  items: n, factors: k, runs,
  jsMicros: round(time(js)),
  simdMicros: round(time((x) => kernel.scores(x))),
  top100Micros: round(time((x) => topOf(kernel.scores(x), 100))),
  top100HeapMicros: round(time((x) => heapTopOf(kernel.scores(x), 100))),
  maxAbsDiff: maxDiff,
};
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` :
  `scores of ${n} items × ${k} factors, per person: JavaScript ${result.jsMicros} µs, WebAssembly SIMD ${result.simdMicros} µs (${(result.jsMicros / result.simdMicros).toFixed(1)}×); with the top 100 ${result.top100Micros} µs (by the typed heap alone ${result.top100HeapMicros} µs); largest difference ${maxDiff.toExponential(2)}\n`);

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
