/**
 * Basket rules over every completed order of the world (target: ≤ 10 s on the 10M-event world), by item
 * and by category, and "bought together" for the most bought item.
 *
 *   node bin/run-ts.js bench/analytics/baskets.ts --data DIR [--runs 7]
 */
import { basketRules, boughtTogether } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const runs = Math.min(opts.runs, 5);
  const note = (r: Awaited<ReturnType<typeof basketRules>>) =>
    `${r.orders} orders (${r.skippedOrders} over the cap), ${r.frequent.items} items / ${r.frequent.pairs} pairs / ${r.frequent.triples} triples frequent, ${r.rules.length} rules; target ≤ 10000 ms`;
  const rows = [
    await timeRuns('baskets: rules by item, all orders, support 0.1%', runs, () => basketRules(rt.olap, { level: 'item' }), note),
    await timeRuns('baskets: rules by item, all orders, support 0.01%', runs, () => basketRules(rt.olap, { level: 'item', minSupport: 0.0001 }), note),
    await timeRuns('baskets: rules by category, all orders', runs, () => basketRules(rt.olap, { level: 'category' }), note),
  ];
  const [top] = await rt.olap.query<{ k: string }>(
    `SELECT l.product_id AS k, count() AS n FROM ${rt.olap.db}.events ARRAY JOIN products AS l
     WHERE type = 'track' AND event = 'Order Completed' GROUP BY k ORDER BY n DESC LIMIT 1`);
  if (top) rows.push(await timeRuns(`baskets: bought together with ${top.k}`, opts.runs, () => boughtTogether(rt.olap, top.k), (r) => `${r.withKey} orders with it, ${r.together.length} companions`));
  return rows;
}

if (isMain(import.meta.url)) await runAlone(bench);
