/**
 * Retention report speed (target: 12 weekly periods ≤ 1 s p50 on the 10M-event world):
 *
 *   node bin/run-ts.js bench/analytics/retention.ts --data DIR [--runs 7]
 *
 * Calls the query function directly (no HTTP); cohorts of the 13 weeks up to the world's latest event.
 */
import { addDays, retention } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

const note = (r: Awaited<ReturnType<typeof retention>>) =>
  `${r.cohorts.length} cohorts, ${r.average.sizes[0]} people, period 1: ${r.average.rates[1] === null ? '—' : (100 * r.average.rates[1]!).toFixed(1) + '%'}`;

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const { to, tz } = opts.range;
  const weeks = { from: addDays(to, -13 * 7), to, tz, granularity: 'week' as const, periods: 12 };
  const base = { ...weeks, mode: 'n-day' as const, cohortEvent: null, cohortMode: 'first' as const, returnEvent: null };
  const out: BenchResult[] = [];
  out.push(await timeRuns('retention: 12 weeks, new users, any return (target p50 ≤ 1 s)', opts.runs, () => retention(rt.olap, base), note));
  out.push(await timeRuns('retention: 12 weeks, unbounded, return = Order Completed', opts.runs, () => retention(rt.olap, { ...base, mode: 'unbounded', returnEvent: 'Order Completed' }), note));
  out.push(await timeRuns('retention: 12 weeks, every-time cohorts of Product Viewed, breakdown by device', opts.runs,
    () => retention(rt.olap, { ...base, cohortEvent: 'Product Viewed', cohortMode: 'any', breakdown: { by: 'tag', tag: 'device_preference' } }), note));
  out.push(await timeRuns('retention: 30 days, daily, 14 periods', opts.runs, () => retention(rt.olap, { ...base, from: addDays(to, -30), granularity: 'day', periods: 14 }), note));
  return out;
}

if (isMain(import.meta.url)) await runAlone(bench);
