/**
 * Sessions & browsing figures on the world's last 30 days.
 *
 *   node bin/run-ts.js bench/analytics/sessions.ts --data DIR [--runs 7]
 */
import { sessions } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  return [
    await timeRuns('sessions: 30 days, top categories', opts.runs, () => sessions(rt.olap, { ...opts.range, categoryLevel: 1, limit: 20 }), (s) => `${s.totals.sessions} sessions, ${s.totals.views} views`),
  ];
}

if (isMain(import.meta.url)) await runAlone(bench);
