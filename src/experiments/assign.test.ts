import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignArm, bucket } from './assign.ts';

test('a unit always lands in the same arm, and buckets lie in [0, 1)', () => {
  const arms = [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }];
  for (let u = 0; u < 200; u++) {
    assert.equal(assignArm('exp-a', `u${u}`, arms), assignArm('exp-a', `u${u}`, arms));
    const b = bucket('exp-a', `u${u}`);
    assert.ok(b >= 0 && b < 1);
  }
});

test('arms get their weight’s share of units (20 000 units, within 1.5 points)', () => {
  const arms = [{ name: 'a', weight: 20 }, { name: 'b', weight: 30 }, { name: 'c', weight: 50 }];
  const n = 20_000;
  const count: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let u = 0; u < n; u++) count[assignArm('exp-w', `person-${u}`, arms)]!++;
  assert.ok(Math.abs(count.a! / n - 0.2) < 0.015, JSON.stringify(count));
  assert.ok(Math.abs(count.b! / n - 0.3) < 0.015, JSON.stringify(count));
  assert.ok(Math.abs(count.c! / n - 0.5) < 0.015, JSON.stringify(count));
});

test('two experiments split the same people independently', () => {
  const arms = [{ name: 'x', weight: 1 }, { name: 'y', weight: 1 }];
  const cross: Record<string, number> = {};
  const n = 20_000;
  for (let u = 0; u < n; u++) {
    const k = `${assignArm('first', `p${u}`, arms)}${assignArm('second', `p${u}`, arms)}`;
    cross[k] = (cross[k] ?? 0) + 1;
  }
  for (const k of ['xx', 'xy', 'yx', 'yy']) assert.ok(Math.abs(cross[k]! / n - 0.25) < 0.015, JSON.stringify(cross));
});
