/**
 * Paths figures on the world's last 30 days (target: ≤ 1 s p50 on the 10M-event world at depth 6).
 *
 *   node bin/run-ts.js bench/analytics/paths.ts --data DIR [--runs 7]
 */
import { entryExitPages, paths, type PathsParams } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const base = { ...opts.range, top: 10, nodesPerStep: 8, include: 'all' as const };
  const cases: [string, Omit<PathsParams, keyof typeof base>][] = [
    ['after Product Viewed, depth 6', { anchor: 'Product Viewed', anchorType: 'event', direction: 'after', depth: 6 }],
    ['before Order Completed, depth 6', { anchor: 'Order Completed', anchorType: 'event', direction: 'before', depth: 6 }],
    ['after page Home, depth 4', { anchor: 'Home', anchorType: 'page', direction: 'after', depth: 4 }],
  ];
  const out: BenchResult[] = [];
  for (const [name, c] of cases) {
    out.push(await timeRuns(`paths: ${name}`, opts.runs, () => paths(rt.olap, { ...base, ...c }), (p) => `${p.sessions} sessions, ${p.distinctPaths} paths; target p50 ≤ 1000 ms`));
  }
  out.push(await timeRuns('paths: entry/exit pages', opts.runs, () => entryExitPages(rt.olap, { ...opts.range, limit: 20 }), (e) => `${e.sessions} sessions`));
  return out;
}

if (isMain(import.meta.url)) await runAlone(bench);
