import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCatalog } from '../../src/recommend/data.ts';
import { exposure, gini } from '../../src/recommend/eval/fairness.ts';
import type { Models } from '../../src/recommend/rank.ts';
import type { Interactions } from '../../src/recommend/types.ts';

/** Exposure by popularity decile and department, and the Gini of exposure, on a catalog whose answer is known. */

// ten items; item i was touched by i + 1 people; items 0–4 are food, 5–9 apparel
const catalog = buildCatalog(Array.from({ length: 10 }, (_, i) => ({
  id: `i${i}`, title: '', titleEn: '', category: i < 5 ? 'food/snacks' : 'apparel/women', brand: '', price: 10, launched: null, attrs: '',
})));
const pairs = Array.from({ length: 10 }, (_, i) => Array.from({ length: i + 1 }, () => i)).flat();
const x: Interactions = {
  persons: pairs.map((_, n) => `p${n}`), personIndex: new Map(), ptr: Int32Array.from({ length: pairs.length + 1 }, (_, n) => n),
  item: Int32Array.from(pairs), weight: new Float32Array(pairs.length).fill(1), buys: new Uint16Array(pairs.length), last: new Float64Array(pairs.length), asOf: 0,
};
const models = { catalog, x } as unknown as Models;

describe('exposure', () => {
  it('puts each item in its popularity decile and counts the share of slots', () => {
    const e = exposure(models, [[9, 8], [9, 0]]);
    assert.deepEqual(e.deciles.map((d) => d.share), [0.25, 0, 0, 0, 0, 0, 0, 0, 0.25, 0.5]);
    // food: 15 of 55 touches, 1 of 4 slots; apparel: 40 of 55, 3 of 4
    const food = e.departments.find((d) => d.department === 'food')!;
    assert.equal(food.recommended, 0.25);
    assert.ok(Math.abs(food.interest - 15 / 55) < 1e-9);
    assert.ok(Math.abs(food.ratio - 0.25 / (15 / 55)) < 1e-9);
  });

  it('Gini is 0 for equal exposure and (n − 1)/n when one item gets every slot', () => {
    assert.equal(gini(Int32Array.from([3, 3, 3, 3])), 0);
    assert.ok(Math.abs(gini(Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 7])) - 0.9) < 1e-9);
    assert.equal(exposure(models, [[9], [9], [9]]).gini, gini(Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 3])));
  });
});
