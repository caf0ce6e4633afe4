/**
 * The iALS kernel alone (src/recommend/models/als.ts): conjugate-gradient half-steps over Float32Array
 * factors on a synthetic implicit-feedback matrix with a long-tailed item popularity, the shape of the
 * 10M-event world's person × item matrix (~200k people, ~20k items, ~3M pairs). Prints seconds per
 * iteration (both half-steps), pairs per second and the effective multiply-adds per second.
 *
 *   node bin/run-ts.js bench/recommend/als-kernel.ts [--users 200000] [--items 20000] [--pairs 3000000] [--factors 32] [--cg 3] [--iterations 3] [--json]
 */
import { parseArgs } from 'node:util';
import { ALS } from '../../src/recommend/models/als.ts';
import type { Interactions } from '../../src/recommend/types.ts';

const { values } = parseArgs({
  options: { users: { type: 'string' }, items: { type: 'string' }, pairs: { type: 'string' }, factors: { type: 'string' }, cg: { type: 'string' }, iterations: { type: 'string' }, json: { type: 'boolean' } },
});
const users = Number(values.users ?? 200_000);
const items = Number(values.items ?? 20_000);
const pairs = Number(values.pairs ?? 3_000_000);
const k = Number(values.factors ?? 32);
const cg = Number(values.cg ?? 3);
const iterations = Number(values.iterations ?? 3);

// deterministic long-tailed matrix: item i drawn with probability ∝ 1/(i+10)^0.9, per-person counts varying
let seed = 42;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
};
const cdf = new Float64Array(items);
let acc = 0;
for (let i = 0; i < items; i++) cdf[i] = acc += 1 / (i + 10) ** 0.9;
const pick = () => {
  const x = rand() * acc;
  let lo = 0;
  let hi = items - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const ptr = new Int32Array(users + 1);
const perUser = pairs / users;
const rows: number[] = [];
for (let u = 0; u < users; u++) {
  const n = Math.max(1, Math.round(perUser * -Math.log(1 - rand())));
  const set = new Set<number>();
  for (let t = 0; t < n; t++) set.add(pick());
  rows.push(...[...set].sort((a, b) => a - b));
  ptr[u + 1] = rows.length;
}
const nnz = rows.length;
const x: Interactions = {
  persons: Array.from({ length: users }, (_, u) => `u${u}`), personIndex: new Map(), ptr, item: Int32Array.from(rows),
  weight: Float32Array.from({ length: nnz }, () => 1 + Math.floor(rand() * 8)), buys: new Uint16Array(nnz), last: new Float64Array(nnz), asOf: 0,
};
const t = performance.now();
ALS.train(x, items, { factors: k, cgSteps: cg, iterations });
const seconds = (performance.now() - t) / 1000;
const perIteration = seconds / iterations;
// per row and CG step: k² (the Gram product) + 2k per pair; one extra residual pass; both half-steps
const madds = iterations * (cg + 1) * ((users + items) * k * k + 2 * 2 * nnz * k);
const out = { users, items, pairs: nnz, factors: k, cgSteps: cg, iterations, seconds: +seconds.toFixed(2), secondsPerIteration: +perIteration.toFixed(2), pairsPerSecond: Math.round((nnz * iterations * 2) / seconds), gMaddsPerSecond: +(madds / seconds / 1e9).toFixed(2) };
process.stdout.write(values.json ? `${JSON.stringify(out)}\n` : `iALS-CG k=${k}, ${cg} CG steps: ${users} people × ${items} items, ${nnz} pairs — ${perIteration.toFixed(2)} s per iteration (${out.pairsPerSecond} pair-updates/s, ${out.gMaddsPerSecond} G multiply-adds/s)\n`);
