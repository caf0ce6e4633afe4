import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeClusters } from '../../src/segments/cluster/describe.ts';
import { chooseK, fitKMeans, silhouette } from '../../src/segments/cluster/index.ts';
import { rng, sampleIndices, type FeatureMatrix } from '../../src/segments/features.ts';
import { auc, fitLogistic, predict } from '../../src/segments/lookalike/index.ts';
import { choleskySolve } from '../../src/segments/lookalike/logistic.ts';
import { adjustedRand, gaussian } from './metrics.ts';

/** `perBlob` points around each centre with unit noise; returns points and the true blob of each. */
function blobs(centres: number[][], perBlob: number, seed: number): { points: number[][]; truth: number[] } {
  const noise = gaussian(rng(seed));
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < perBlob; i++) {
    centres.forEach((c, b) => {
      points.push(c.map((x) => x + noise()));
      truth.push(b);
    });
  }
  return { points, truth };
}

const THREE = [[0, 0, 0, 0], [8, 0, 0, 0], [0, 8, 8, 0]];

describe('k-means', () => {
  it('recovers well-separated blobs, and the same seed gives the same answer', () => {
    const { points, truth } = blobs(THREE, 300, 1);
    const a = fitKMeans(points, 3, { seed: 7 });
    assert.equal(adjustedRand(truth, [...a.assign]), 1);
    const b = fitKMeans(points, 3, { seed: 7 });
    assert.deepEqual([...b.assign], [...a.assign]);
    assert.equal(b.inertia, a.inertia);
    // the inertia is about n·d for unit noise around the right centres
    assert.ok(Math.abs(a.inertia / (points.length * 4) - 1) < 0.1, `inertia per coordinate ${a.inertia / (points.length * 4)}`);
  });

  it('chooses k by silhouette', () => {
    const { points, truth } = blobs(THREE, 200, 2);
    const c = chooseK(points, { kMin: 2, kMax: 6, seed: 1 });
    assert.equal(c.fit.k, 3);
    assert.deepEqual(c.tried.map((t) => t.k), [2, 3, 4, 5, 6]);
    assert.ok(c.silhouette > 0.6, `silhouette ${c.silhouette}`);
    assert.equal(adjustedRand(truth, [...c.fit.assign]), 1);
  });

  it('fits candidates on a sample when there are many points, then assigns everyone', () => {
    const { points, truth } = blobs([...THREE, [0, 0, 0, 9]], 2_500, 3);
    const c = chooseK(points, { kMin: 2, kMax: 6, seed: 4, fitSample: 1_500, silhouetteSample: 500 });
    assert.equal(c.fit.k, 4);
    assert.equal(c.fit.assign.length, points.length);
    assert.ok(adjustedRand(truth, [...c.fit.assign]) > 0.99);
  });
});

describe('silhouette', () => {
  it('matches a hand computation', () => {
    const pts = [[0], [1], [10], [11]];
    // point 0: a = 1, b = (10 + 11) / 2 = 10.5 → 1 − 1/10.5; point 1: a = 1, b = 9.5 → 1 − 1/9.5; symmetric for 2, 3
    const want = (2 * (1 - 1 / 10.5) + 2 * (1 - 1 / 9.5)) / 4;
    assert.ok(Math.abs(silhouette(pts, [0, 0, 1, 1], [0, 1, 2, 3]) - want) < 1e-12);
  });

  it('scores a point alone in its cluster 0, and averages over the sample only', () => {
    const pts = [[0], [1], [10]];
    const s = silhouette(pts, [0, 0, 1], [0, 1, 2]);
    assert.ok(Math.abs(s - ((1 - 1 / 10) + (1 - 1 / 9) + 0) / 3) < 1e-12);
    assert.equal(silhouette(pts, [0, 0, 1], [0]), 0);
  });
});

describe('samples', () => {
  it('are distinct, sorted, within range and reproducible', () => {
    const a = sampleIndices(1_000, 100, 5);
    assert.equal(new Set(a).size, 100);
    assert.deepEqual(a, [...a].sort((x, y) => x - y));
    assert.ok(a.every((i) => i >= 0 && i < 1_000));
    assert.deepEqual(sampleIndices(1_000, 100, 5), a);
    assert.notDeepEqual(sampleIndices(1_000, 100, 6), a);
    assert.deepEqual(sampleIndices(5, 10, 1), [0, 1, 2, 3, 4]);
  });
});

describe('logistic regression', () => {
  it('solves a small positive-definite system', () => {
    const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    assert.ok(Math.abs(x[0]! - 0.5) < 1e-12 && Math.abs(x[1]!) < 1e-12);
  });

  it('recovers the coefficients that generated the labels', () => {
    const next = rng(11);
    const noise = gaussian(next);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = [noise(), noise(), noise()];
      const p = 1 / (1 + Math.exp(-(2 * x[0]! - 1 * x[1]! + 0.5)));
      X.push(x);
      y.push(next() < p ? 1 : 0);
    }
    const m = fitLogistic(X, y, { l2: 1e-6 });
    assert.ok(m.iterations < 15, `${m.iterations} Newton steps`);
    const want = [2, -1, 0];
    m.weights.forEach((w, j) => assert.ok(Math.abs(w - want[j]!) < 0.1, `weight ${j}: ${w}`));
    assert.ok(Math.abs(m.bias - 0.5) < 0.1, `bias ${m.bias}`);
    assert.ok(Math.abs(predict(m, [0, 0, 0]) - 1 / (1 + Math.exp(-m.bias))) < 1e-12);
  });

  it('stays finite on separable data thanks to the penalty', () => {
    const X = [[-2], [-1], [1], [2]];
    const m = fitLogistic(X, [0, 0, 1, 1], { l2: 1 });
    assert.ok(Number.isFinite(m.weights[0]!) && m.weights[0]! > 0);
    assert.ok(predict(m, [2]) > 0.5 && predict(m, [-2]) < 0.5);
  });

  it('AUC: 1 when every positive is above every negative, ties count half', () => {
    assert.equal(auc([3, 4], [1, 2]), 1);
    assert.equal(auc([1, 2], [3, 4]), 0);
    assert.equal(auc([1], [1]), 0.5);
    assert.equal(auc([2, 1], [1, 0]), (1 + 0.5 + 1 + 1) / 4);
  });
});

describe('cluster descriptions', () => {
  it('name clusters by their strongest differences and list the distinguishing features', () => {
    const features = [
      { tag: 'avg_price_pct', read: 'num' as const, zh: '价位', en: 'Price', high: ['偏好高价位', 'premium-priced'] as [string, string], low: ['偏好低价位', 'budget-priced'] as [string, string] },
      { tag: 'coupon_order_share', read: 'num' as const, zh: '用券', en: 'Coupons', high: ['爱用券促销', 'deal-driven'] as [string, string] },
    ];
    // cluster 0: cheap, coupons; cluster 1: dear, no coupons; 10 people each
    const rows = [...Array(20).keys()].map((i) => (i < 10 ? [0.1, 0.9] : [0.9, 0]));
    const raw = Float64Array.from(rows.flat());
    const m: FeatureMatrix = { features, ids: rows.map((_, i) => `p${i}`), n: 20, d: 2, raw, mean: [0.5, 0.45], sd: [0.4, 0.45] };
    const [a, b] = describeClusters(m, rows.map((_, i) => (i < 10 ? 0 : 1)), 2, [[-1, 1], [1, -1]], [0, 1]);
    assert.equal(a!.name_zh, '偏好低价位·爱用券促销');
    assert.equal(a!.name_en, 'Budget-priced · deal-driven');
    assert.equal(b!.name_en, 'Premium-priced');
    assert.deepEqual(a!.centroid, { avg_price_pct: -1, coupon_order_share: 1 });
    assert.equal(a!.size, 10);
    assert.equal(a!.share, 0.5);
    const price = a!.distinguishing.find((d) => d.feature === 'avg_price_pct')!;
    assert.deepEqual({ mean: price.mean, populationMean: price.populationMean, lift: price.lift, z: price.z }, { mean: 0.1, populationMean: 0.5, lift: 0.2, z: -1 });
  });
});
