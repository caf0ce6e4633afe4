/**
 * Funnel report speed (target: 4 steps with a breakdown ≤ 1 s p50 on the 10M-event world):
 *
 *   node bin/run-ts.js bench/analytics/funnels.ts --data DIR [--runs 7] [--days 30]
 *
 * Calls the query function directly (no HTTP) over the world's last 30 days, 1-day window.
 */
import { funnel, funnelStep } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

const steps = (names: string[]) => names.map((event) => funnelStep.parse({ event }));
const FOUR = steps(['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed']);
const note = (f: Awaited<ReturnType<typeof funnel>>) => `${f.steps.map((s) => s.count).join(' → ')}${f.groups ? `, ${f.groups.length} groups` : ''}`;

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const base = { ...opts.range, windowMs: 86_400_000 };
  const out: BenchResult[] = [];
  out.push(await timeRuns('funnels: 4 steps, loose, breakdown by device (target p50 ≤ 1 s)', opts.runs, () => funnel(rt.olap, { ...base, steps: FOUR, order: 'loose', breakdown: { by: 'tag', tag: 'device_preference' } }), note));
  out.push(await timeRuns('funnels: 4 steps, loose', opts.runs, () => funnel(rt.olap, { ...base, steps: FOUR, order: 'loose' }), note));
  out.push(await timeRuns('funnels: 4 steps, strict', opts.runs, () => funnel(rt.olap, { ...base, steps: FOUR, order: 'strict' }), note));
  const filtered = [funnelStep.parse({ event: 'Product Viewed', where: [{ field: 'price', op: 'gte', value: 100 }, { field: 'category', op: 'contains', value: '手机' }] }), ...FOUR.slice(1)];
  out.push(await timeRuns('funnels: 4 steps, property filters on step 1', opts.runs, () => funnel(rt.olap, { ...base, steps: filtered, order: 'loose' }), note));
  return out;
}

if (isMain(import.meta.url)) await runAlone(bench);
