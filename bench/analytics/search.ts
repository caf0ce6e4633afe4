/**
 * Search report timings (target on the 10M-event world: ≤ 1 s p50 for the report), by calling the
 * queries directly:
 *
 *   node bin/run-ts.js bench/analytics/search.ts --data DIR [--runs 7] [--days 30]
 *   node bin/run-ts.js bench/analytics/run.ts --data DIR --only search
 */
import { searchReport, searchZeroResults } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const { runs, range } = opts;
  return [
    await timeRuns('search: report (30 min clicks, 24 h window)', runs, () => searchReport(rt.olap, range),
      (r) => `${r.totals.searches} searches, ${r.totals.keywords} keywords; target p50 ≤ 1000 ms`),
    await timeRuns('search: report (10 min clicks, 72 h window, top 100)', runs, () => searchReport(rt.olap, { ...range, clickMinutes: 10, windowHours: 72, limit: 100 })),
    await timeRuns('search: zero-result keywords', runs, () => searchZeroResults(rt.olap, range),
      (r) => `${r.withResultCount} searches reported a result count`),
  ];
}

if (isMain(import.meta.url)) await runAlone(bench);
