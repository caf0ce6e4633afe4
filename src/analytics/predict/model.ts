import { auc, fitLogistic, predict, type LogisticModel } from '../../segments/lookalike/index.ts';

/**
 * The numeric side of the churn model: standardisation fixed on the training rows and reapplied to the
 * rows scored later, the logistic fit (Newton, from src/segments/lookalike), calibration by deciles.
 */

export interface Standardisation {
  mean: number[];
  sd: number[];
}

/** Mean and standard deviation of each column over the rows that have a value. */
export function fitStandardisation(x: readonly number[][], d: number): Standardisation {
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    let c = 0;
    for (const row of x) {
      const v = row[j]!;
      if (Number.isNaN(v)) continue;
      s += v;
      s2 += v * v;
      c++;
    }
    const m = c ? s / c : 0;
    mean.push(m);
    sd.push(c ? Math.sqrt(Math.max(0, s2 / c - m * m)) : 0);
  }
  return { mean, sd };
}

/** z-scores with the training rows' mean and sd: a missing value is the mean (0); clipped to ±5. */
export function standardiseRows(x: readonly number[][], s: Standardisation): number[][] {
  return x.map((row) => row.map((v, j) => {
    const z = Number.isNaN(v) || !s.sd[j] ? 0 : (v - s.mean[j]!) / s.sd[j]!;
    return z > 5 ? 5 : z < -5 ? -5 : z;
  }));
}

export function fit(z: number[][], y: number[], l2: number): LogisticModel {
  return fitLogistic(z, y, { l2 });
}

export const score = (m: LogisticModel, z: readonly number[]) => predict(m, z);

/** AUC of scores against 0/1 labels (ties count half); NaN when a class is empty. */
export function aucOf(scores: readonly number[], y: readonly number[]): number {
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => (y[i] ? pos : neg).push(s));
  return pos.length && neg.length ? auc(pos, neg) : NaN;
}

export interface CalibrationBin {
  /** 1…10, lowest predicted risk first */
  decile: number;
  n: number;
  predicted: number;
  observed: number;
}

/** People sorted by predicted risk into ten groups of (nearly) equal size: mean predicted vs observed rate. */
export function calibration(scores: readonly number[], y: readonly number[], bins = 10): CalibrationBin[] {
  const order = [...scores.keys()].sort((a, b) => scores[a]! - scores[b]! || a - b);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * order.length) / bins);
    const hi = Math.floor(((b + 1) * order.length) / bins);
    if (hi <= lo) continue;
    let p = 0;
    let o = 0;
    for (let k = lo; k < hi; k++) {
      p += scores[order[k]!]!;
      o += y[order[k]!]!;
    }
    out.push({ decile: b + 1, n: hi - lo, predicted: r4(p / (hi - lo)), observed: r4(o / (hi - lo)) });
  }
  return out;
}

export const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
