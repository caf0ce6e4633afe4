/**
 * Carts report timings (target on the 10M-event world: ≤ 1 s p50 for the report), by calling the
 * queries directly:
 *
 *   node bin/run-ts.js bench/analytics/carts.ts --data DIR [--runs 7] [--days 30]
 *   node bin/run-ts.js bench/analytics/run.ts --data DIR --only carts
 */
import { cartReport, recoverablePeople } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const { runs, range } = opts;
  return [
    await timeRuns('carts: report (24 h window)', runs, () => cartReport(rt.olap, range),
      (r) => `${r.totals.carts} carts, ${r.recoverable.people} recoverable; target p50 ≤ 1000 ms`),
    await timeRuns('carts: report (72 h window)', runs, () => cartReport(rt.olap, { ...range, windowHours: 72 })),
    await timeRuns('carts: recoverable people (7 days)', runs, () => recoverablePeople(rt.olap), (r) => `${r.length} people`),
  ];
}

if (isMain(import.meta.url)) await runAlone(bench);
