import { uplift as welch, type ArmStats } from '../../experiments/stats.ts';

export interface Uplift {
  /** treated − control (conversion rate, or GMV per person) */
  absolute: number;
  /** 95% interval of `absolute` (normal approximation, Welch's unequal variances) */
  ci: [number, number];
  /** absolute ÷ control; null when the control's figure is 0 */
  relative: number | null;
  /** two-sided p-value of "no difference" */
  pValue: number;
  /** the interval excludes 0 */
  significant: boolean;
}

/** a binary outcome's statistics: mean p, sample variance p(1−p)·n/(n−1) */
export function rateStats(n: number, successes: number): ArmStats {
  if (n === 0) return { n, mean: 0, variance: 0 };
  const p = successes / n;
  return { n, mean: p, variance: n > 1 ? (p * (1 - p) * n) / (n - 1) : 0 };
}

/** a sum's statistics from the count, the sum and the sum of squares */
export function sumStats(n: number, sum: number, sumSq: number): ArmStats {
  if (n === 0) return { n, mean: 0, variance: 0 };
  const mean = sum / n;
  return { n, mean, variance: n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0 };
}

export function toUplift(t: ArmStats, c: ArmStats): Uplift {
  const u = welch(t, c);
  return { absolute: u.absolute, ci: u.absoluteCi, relative: u.relative, pValue: u.pValue, significant: u.significant };
}

