import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armStats, uplift, Z95 } from './stats.ts';

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
