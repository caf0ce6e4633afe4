import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALS, heapTopOf, topOf } from '../../src/recommend/models/als.ts';
import { DotKernel } from '../../src/recommend/models/dotKernel.ts';
import { kthSmallest } from '../../src/recommend/models/itemcf.ts';
import { selectItems, sortItems } from '../../src/recommend/sortItems.ts';

/**
 * The SIMD scorer gives the scores of the plain loop (to float32 rounding) for every item, whatever the
 * vector; it declines a factor count that is not a multiple of 4 (the ALS then keeps its loop); and the
 * top-N selection returns exactly what sorting every score would, ties broken by the lower index.
 */

let seed = 11;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296) - 0.5;

function plain(Y: Float32Array, k: number, x: Float32Array): Float64Array {
  const n = Y.length / k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let f = 0; f < k; f++) out[i]! += x[f]! * Y[i * k + f]!;
  return out;
}

describe('SIMD item scores', () => {
  it('matches the plain dot products for every item, for several vectors and sizes', () => {
    for (const [n, k] of [[1, 4], [7, 8], [1000, 32], [333, 64]] as const) {
      const Y = new Float32Array(n * k).map(rand);
      const kernel = DotKernel.over(Y, k);
      assert.ok(kernel, `a kernel for k = ${k}`);
      for (let v = 0; v < 5; v++) {
        const x = new Float32Array(k).map(rand);
        const want = plain(Y, k, x);
        const got: Float32Array = kernel.scores(x);
        assert.equal(got.length, n);
        for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5 * (1 + Math.abs(want[i]!)), `item ${i}: ${got[i]} vs ${want[i]} (n ${n}, k ${k})`);
      }
    }
  });

  it('declines factor counts that are not a multiple of 4', () => {
    assert.equal(DotKernel.over(new Float32Array(30), 6), null);
  });

  it('serves the same ALS lists through the kernel as through the plain scores', () => {
    const k = 16;
    const n = 500;
    const Y = new Float32Array(n * k).map(rand);
    const X = new Float32Array(3 * k).map(rand);
    const als = new ALS(k, X, Y, 0.1, (w) => 1 + w, 3);
    for (let u = 0; u < 3; u++) {
      const scores = plain(Y, k, als.userVector(u));
      const want = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 20);
      assert.deepEqual(als.recommend(als.userVector(u), 20).map((s) => s.item), want);
    }
  });
});

describe('top-N selection', () => {
  it('equals a full sort, ties by the lower index, for any length and limit', () => {
    for (const [n, limit] of [[0, 5], [3, 5], [5, 5], [1000, 1], [1000, 100], [20000, 100]] as const) {
      // values on a coarse grid, so ties are common
      const s = new Float32Array(n).map(() => Math.round(rand() * 200) / 10);
      const want = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, limit).map((i) => ({ item: i, score: s[i]! }));
      assert.deepEqual(topOf(s, limit), want, `n ${n}, limit ${limit}`);
      assert.deepEqual(heapTopOf(s, limit), want, `heap: n ${n}, limit ${limit}`);
    }
  });

  it('sorting items by score, then the lower item, without a comparator: the order of the comparator sort', () => {
    for (const n of [0, 1, 2, 15, 16, 17, 100, 600, 5000]) {
      for (const grid of [3, 1000, 1e9]) {
        const score = new Float64Array(n * 2).map(() => Math.round(rand() * grid) / grid);
        // items in a shuffled order, each once
        const items = Int32Array.from({ length: n }, (_, j) => (j * 7919) % (n * 2));
        const want = [...items].sort((a, b) => score[b]! - score[a]! || a - b);
        sortItems(items, n, score);
        assert.deepEqual([...items], want, `n ${n}, grid ${grid}`);
      }
    }
  });

  it('selecting the best k, then sorting them: the first k of the full sort, the rest all below them', () => {
    for (const n of [1, 5, 16, 17, 128, 129, 600]) {
      for (const grid of [3, 1e9]) {
        const score = new Float64Array(n * 2).map(() => Math.round(rand() * grid) / grid);
        const items = Int32Array.from({ length: n }, (_, j) => (j * 7919) % (n * 2));
        const want = [...items].sort((a, b) => score[b]! - score[a]! || a - b);
        for (const k of [1, 8, 100, 128, n]) {
          const got = items.slice();
          selectItems(got, n, Math.min(k, n), score);
          sortItems(got, Math.min(k, n), score);
          assert.deepEqual([...got.subarray(0, Math.min(k, n))], want.slice(0, k), `n ${n}, grid ${grid}, k ${k}`);
          assert.deepEqual(new Set(got.subarray(Math.min(k, n))), new Set(want.slice(k)), `the rest: n ${n}, k ${k}`);
        }
      }
    }
  });

  it('the k-th smallest by selection is what a full sort puts at k, ties and all', () => {
    for (const n of [1, 2, 3, 10, 101, 1500]) {
      for (const grid of [2, 50, 1e9]) {
        const a = new Float64Array(n).map(() => Math.round(rand() * grid) / grid + 0); // + 0: no −0, which sorts before 0 but equals it
        const sorted = a.slice().sort();
        for (const k of new Set([0, n >> 1, n - 1, Math.max(0, n - 100)])) assert.equal(kthSmallest(a.slice(), k), sorted[k], `n ${n}, grid ${grid}, k ${k}`);
      }
    }
  });

  it('answers the same whatever the sample happens to see: smooth scores, a few high ones, all equal, ascending', () => {
    const n = 15_625;
    const cases: [string, Float32Array][] = [
      ['smooth', new Float32Array(n).map(() => rand() * 2 - 1)],
      // the best 100 all fall between the sampled positions (every 16th): the threshold is too high, fewer pass
      ['off the sample', new Float32Array(n).map((_, i) => (i % 16 === 7 && i < 1700 ? 10 + i : rand()))],
      // the sampled positions are the best: too few reach the threshold, and the heap answers
      ['on the sample', new Float32Array(n).map((_, i) => (i % 16 === 0 ? 10 + i : rand()))],
      ['all equal', new Float32Array(n).fill(0.5)],
      ['ascending', new Float32Array(n).map((_, i) => i / n)],
    ];
    for (const [what, s] of cases) {
      for (const limit of [1, 20, 100, 300]) {
        const want = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, limit).map((i) => ({ item: i, score: s[i]! }));
        assert.deepEqual(topOf(s, limit), want, `${what}, limit ${limit}`);
      }
    }
  });
});
