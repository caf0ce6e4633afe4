import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { laplace, ReportNoise, twoSidedGeometric, uniform } from '../../src/privacy/noise.ts';

/**
 * The noise samplers, checked statistically on fixed large samples. Each bound is about ten standard errors
 * of the statistic at this sample size (computed in the comments), so a correct sampler cannot fail it by
 * chance and a wrong scale (a factor 2 in b, α for 1 − α) fails it every time.
 */
const N = 200_000;
const stats = (draw: () => number) => {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / N;
  return { mean, variance: s2 / N - mean * mean };
};

describe('differential-privacy noise', () => {
  it('uniform draws lie in (0, 1) with mean 1/2 and variance 1/12', () => {
    let min = 1;
    let max = 0;
    const r = stats(() => {
      const u = uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    });
    assert.ok(min > 0 && max < 1);
    // standard error of the mean: sqrt(1/12 / N) = 0.00065
    assert.ok(Math.abs(r.mean - 0.5) < 0.007, String(r.mean));
    assert.ok(Math.abs(r.variance - 1 / 12) < 0.002, String(r.variance));
  });

  it('Laplace(b): mean 0 and variance 2b²', () => {
    const b = 2;
    const r = stats(() => laplace(b));
    // sd of the mean sqrt(2b²/N) = 0.0063; sd of the sample variance sqrt((24b⁴ − 4b⁴)/N) = 0.04
    assert.ok(Math.abs(r.mean) < 0.065, String(r.mean));
    assert.ok(Math.abs(r.variance - 2 * b * b) < 0.4, String(r.variance));
  });

  it('two-sided geometric(α): integers, mean 0 and variance 2α/(1−α)²', () => {
    const alpha = Math.exp(-0.5);
    let integers = true;
    const r = stats(() => {
      const z = twoSidedGeometric(alpha);
      integers &&= Number.isInteger(z);
      return z;
    });
    const variance = (2 * alpha) / (1 - alpha) ** 2; // 7.84
    assert.ok(integers);
    // sd of the mean sqrt(7.84/N) = 0.0063; of the sample variance about 0.04 (fourth moment ≈ 6σ⁴)
    assert.ok(Math.abs(r.mean) < 0.065, String(r.mean));
    assert.ok(Math.abs(r.variance - variance) < 0.45, `${r.variance} vs ${variance}`);
  });

  it('a report splits ε over its cells: counts stay unbiased, sums get Laplace(clip/ε_cell), both clamp at 0', () => {
    const noise = new ReportNoise({ epsilon: 1 }, 4, [{ what: 'gmv', clip: 100 }], 5);
    assert.equal(noise.epsilonPerCell, 0.25);
    const m = noise.marker();
    assert.equal(m.counts.alpha, Math.exp(-0.25));
    assert.equal(m.sums[0]!.scale, 400);
    assert.deepEqual([m.cellsPerPerson, m.cells, m.minGroupSize], [4, 0, 5]);
    // counts far from 0 (no clamping): mean = the true value; sd of the mean sqrt(2α/(1−α)²/N) = 0.0126
    const c = stats(() => noise.count(10_000));
    assert.ok(Math.abs(c.mean - 10_000) < 0.13, String(c.mean));
    assert.ok(Math.abs(c.variance / m.counts.stddev ** 2 - 1) < 0.05, `${c.variance} vs ${m.counts.stddev ** 2}`);
    // sums: sd of the mean 400·√2/√N = 1.26
    const s = stats(() => noise.sum('gmv', 1e6));
    assert.ok(Math.abs(s.mean - 1e6) < 13, String(s.mean));
    assert.ok(Math.abs(s.variance / (2 * 400 * 400) - 1) < 0.05, String(s.variance));
    assert.equal(noise.marker().cells, 2 * N, 'every draw is a cell of the answer');
    for (let i = 0; i < 10_000; i++) {
      assert.ok(noise.count(0) >= 0);
      const x = noise.sum('gmv', 0);
      assert.ok(x >= 0);
      assert.equal(x, Math.round(x * 100) / 100, 'rounded to cents');
    }
  });
});
