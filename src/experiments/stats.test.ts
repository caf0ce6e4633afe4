import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armStats, twoSidedP, uplift, Z95 } from './stats.ts';

test('arm statistics: mean and sample variance', () => {
  assert.deepEqual(armStats([2, 4, 4, 4, 5, 5, 7, 9]), { n: 8, mean: 5, variance: 32 / 7 });
  assert.deepEqual(armStats([]), { n: 0, mean: 0, variance: 0 });
});

test('uplift: Welch interval of the difference and the delta-method interval of the ratio', () => {
  const c = { n: 400, mean: 0.2, variance: 0.16 };
  const t = { n: 400, mean: 0.3, variance: 0.21 };
  const u = uplift(t, c);
  const se = Math.sqrt(0.21 / 400 + 0.16 / 400);
  assert.ok(Math.abs(u.absolute - 0.1) < 1e-12);
  assert.ok(Math.abs(u.absoluteCi[0] - (0.1 - Z95 * se)) < 1e-12 && Math.abs(u.absoluteCi[1] - (0.1 + Z95 * se)) < 1e-12);
  assert.ok(Math.abs(u.relative! - 0.5) < 1e-12);
  const seRel = Math.sqrt(0.21 / (400 * 0.04) + (0.09 * 0.16) / (400 * 0.0016));
  assert.ok(Math.abs(u.relativeCi![1] - (0.5 + Z95 * seRel)) < 1e-12);
  assert.equal(u.significant, true);
  assert.equal(uplift({ n: 10, mean: 1, variance: 4 }, { n: 10, mean: 0.9, variance: 4 }).significant, false);
  assert.equal(uplift(t, { n: 50, mean: 0, variance: 0 }).relative, null);
});

test('p-value: two-sided normal tail, 0.05 exactly at the 95% interval edge', () => {
  // reference values of 2·Φ(−|z|) (R: 2*pnorm(-z)), to the formula's 1.2e-7 relative accuracy
  const close = (a: number, b: number) => Math.abs(a - b) <= 2e-7 * b;
  assert.ok(close(twoSidedP(Z95, 1), 0.05));
  assert.ok(close(twoSidedP(-1, 1), 0.3173105078629141));
  assert.ok(close(twoSidedP(3 * 0.02, 0.02), 0.0026997960632601866));
  assert.ok(close(twoSidedP(0.5, 1), 0.6170750774519738));
  assert.ok(close(twoSidedP(5, 1), 5.733031437583878e-7));
  assert.ok(close(twoSidedP(0, 1), 1));
  assert.equal(twoSidedP(0, 0), 1);
  assert.equal(twoSidedP(0.1, 0), 0);
  const u = uplift({ n: 400, mean: 0.3, variance: 0.21 }, { n: 400, mean: 0.2, variance: 0.16 });
  assert.ok(u.pValue < 0.05 && u.significant);
  assert.ok(Math.abs(u.pValue - twoSidedP(0.1, Math.sqrt(0.21 / 400 + 0.16 / 400))) < 1e-15);
});
