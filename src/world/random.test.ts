// The PRNG and its samplers: reproducible streams and the right first moments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from './random.ts';

const N = 100_000;
const meanOf = (f: () => number): number => {
  let s = 0;
  for (let i = 0; i < N; i++) s += f();
  return s / N;
};

test('same seed and label give the same stream; labels and seeds separate streams', () => {
  const a = new Rng(42, 'x');
  const b = new Rng(42, 'x');
  for (let i = 0; i < 1000; i++) assert.equal(a.u32(), b.u32());
  assert.notEqual(new Rng(42, 'x').u32(), new Rng(42, 'y').u32());
  assert.notEqual(new Rng(42).u32(), new Rng(43).u32());
  assert.equal(new Rng('seed').uuid(), new Rng('seed').uuid());
  assert.match(new Rng(1).uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('samplers have the expected means', () => {
  const r = new Rng(7);
  assert.ok(Math.abs(meanOf(() => r.next()) - 0.5) < 0.01);
  assert.ok(Math.abs(meanOf(() => r.normal()) - 0) < 0.02);
  assert.ok(Math.abs(meanOf(() => r.normalFast()) - 0) < 0.02);
  assert.ok(Math.abs(meanOf(() => r.gamma(2.5, 2)) - 5) < 0.1);
  assert.ok(Math.abs(meanOf(() => r.gamma(0.3)) - 0.3) < 0.02);
  assert.ok(Math.abs(meanOf(() => r.poisson(3.2)) - 3.2) < 0.05);
  assert.ok(Math.abs(meanOf(() => r.exponential(4)) - 0.25) < 0.01);
  assert.ok(Math.abs(meanOf(() => r.gumbelFast()) - 0.5772) < 0.02);
  const d = r.dirichlet([1, 2, 3]);
  assert.ok(Math.abs(d[0] + d[1] + d[2] - 1) < 1e-12);
  const counts = [0, 0, 0];
  for (let i = 0; i < N; i++) counts[r.weighted([1, 2, 7])]++;
  assert.ok(Math.abs(counts[2] / N - 0.7) < 0.01);
  const cum = Float64Array.from([1, 3, 10]);
  let hits = 0;
  for (let i = 0; i < N; i++) if (r.fromCumulative(cum) === 2) hits++;
  assert.ok(Math.abs(hits / N - 0.7) < 0.01);
});
