/**
 * Overview figures: the overview report, active users (DAU/WAU/MAU, new vs returning) and a metric
 * breakdown, on the world's last 30 days (target: overview ≤ 1 s p50 on the 10M-event world).
 *
 *   node bin/run-ts.js bench/analytics/overview.ts --data DIR [--runs 7]
 */
import { activeUsers, metricBreakdown, overview } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const r = opts.range;
  return [
    await timeRuns('overview: 30 days', opts.runs, () => overview(rt.olap, r), (o) => `${o.current.activeUsers} active, ${o.current.orders} orders; target p50 ≤ 1000 ms`),
    await timeRuns('overview: active users (DAU/WAU/MAU)', opts.runs, () => activeUsers(rt.olap, r), (a) => `MAU ${a.summary.mau}`),
    await timeRuns('overview: GMV by city tier', opts.runs, () => metricBreakdown(rt.olap, { ...r, metric: 'gmv', breakdown: { by: 'tag', tag: 'city_tier' } }), (b) => `${b.groups.length} groups`),
  ];
}

if (isMain(import.meta.url)) await runAlone(bench);
