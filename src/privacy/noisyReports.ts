import type { Funnel, FunnelStepResult, Retention } from '../analytics/index.ts';
import { ReportNoise, type NoiseMarker } from './noise.ts';

/**
 * Noisy versions of the funnel and retention answers (docs/privacy.md, "Differential privacy"). Both count
 * distinct people only, so every cell has sensitivity 1; the groups left are those that passed the minimum
 * group size on their exact counts. Derived numbers are recomputed from the noisy counts (post-processing):
 * a funnel's counts are made non-increasing step by step, a cohort never retains more than its size.
 */

export interface DpSetting {
  epsilon: number;
}

/**
 * The funnel with noisy step counts: a person changes every step of the total and of each group they are in
 * — one group when the breakdown is a tag (`disjointGroups`), any of them with segments. Times between
 * steps are withheld.
 */
export function noisyFunnel<F extends Pick<Funnel, 'steps' | 'groups'>>(f: F, dp: DpSetting, k: number, disjointGroups: boolean): F & { privacy: NoiseMarker } {
  const groups = f.groups ?? [];
  const noise = new ReportNoise(dp, f.steps.length * (1 + (disjointGroups ? Math.min(1, groups.length) : groups.length)), [], k);
  const steps = (list: FunnelStepResult[]): FunnelStepResult[] => {
    const counts: number[] = [];
    for (const s of list) counts.push(Math.min(noise.count(s.count), counts.length ? counts[counts.length - 1]! : Infinity));
    return list.map((s, i) => {
      const count = counts[i]!;
      const prev = i === 0 ? count : counts[i - 1]!;
      const next = i + 1 < counts.length ? counts[i + 1]! : count;
      return {
        ...s, count,
        conversionFromStart: counts[0] ? count / counts[0] : 0,
        conversionFromPrevious: prev ? count / prev : 0,
        dropped: count - next,
        dropOffRate: count ? (count - next) / count : 0,
        medianSeconds: null,
        p90Seconds: null,
      };
    });
  };
  return { ...f, steps: steps(f.steps), groups: f.groups ? groups.map((g) => ({ ...g, steps: steps(g.steps) })) : null, privacy: noise.marker() };
}

type Curve = Retention['average'];

/**
 * Retention with noisy cohorts: each cohort's size and every observable retained count are cells, and the
 * average curve is summed from the noisy cohorts (no extra cells); each group shown adds its size and its
 * curve's retained and size per period (1 + 2·periods cells). A person changes the cells of their one
 * cohort when cohorts are by first event (`oneCohortPerPerson`), else of any; of their one group with a tag
 * breakdown (`disjointGroups`), else of any.
 */
export function noisyRetention<R extends Pick<Retention, 'cohorts' | 'average' | 'groups' | 'periods'>>(
  r: R, dp: DpSetting, k: number, o: { disjointGroups: boolean; oneCohortPerPerson: boolean },
): R & { privacy: NoiseMarker } {
  const n = r.periods;
  const groups = r.groups ?? [];
  const perCohort = r.cohorts.map((c) => 1 + c.retained.slice(1).filter((x) => x !== null).length);
  const cohortCells = o.oneCohortPerPerson ? Math.max(0, ...perCohort) : perCohort.reduce((a, x) => a + x, 0);
  const groupCells = (o.disjointGroups ? Math.min(1, groups.length) : groups.length) * (1 + 2 * n);
  const noise = new ReportNoise(dp, cohortCells + groupCells, [], k);
  const rate = (x: number | null, size: number) => (x === null || size === 0 ? null : x / size);

  const cohorts = r.cohorts.map((c) => {
    const size = noise.count(c.size);
    const retained = c.retained.map((x, i) => (x === null ? null : i === 0 ? size : Math.min(size, noise.count(x))));
    return { ...c, size, retained, rates: retained.map((x) => rate(x, size)) };
  });
  const average: Curve = { retained: new Array<number>(n + 1).fill(0), sizes: new Array<number>(n + 1).fill(0), rates: [] };
  for (const c of cohorts) {
    c.retained.forEach((x, i) => {
      if (x === null) return;
      average.retained[i]! += x;
      average.sizes[i]! += c.size;
    });
  }
  average.rates = average.retained.map((x, i) => rate(x, average.sizes[i]!));

  const noisyGroups = groups.map((g) => {
    const size = noise.count(g.size);
    const sizes = g.curve.sizes.map((s, i) => (i === 0 ? size : Math.min(size, noise.count(s))));
    const retained = g.curve.retained.map((x, i) => (i === 0 ? size : Math.min(sizes[i]!, noise.count(x))));
    return { ...g, size, curve: { retained, sizes, rates: retained.map((x, i) => rate(x, sizes[i]!)) } };
  });
  return { ...r, cohorts, average, groups: r.groups ? noisyGroups : null, privacy: noise.marker() };
}
