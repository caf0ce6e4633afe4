/**
 * Training time of every recommendation model on a data dir (target: ≤ 5 min on the 10M-event world),
 * step by step, and the rate of incremental item-CF updates (events applied to the neighbour lists per
 * second, as the engine does when the writer stores events).
 *
 *   node bin/run-ts.js bench/recommend/train.ts --data DIR [--as-of ISO] [--events 100000] [--json]
 *
 * Opens the data dir itself (no server may hold it). Use a copy of a big world, never a shared one:
 * opening a data dir applies pending migrations to it.
 */
import { parseArgs } from 'node:util';
import { testConfig } from '../../src/config.ts';
import { touchesOf } from '../../src/recommend/data.ts';
import { openRuntime } from '../../src/runtime.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, 'as-of': { type: 'string' }, events: { type: 'string' }, json: { type: 'boolean' } } });
if (!values.data) throw new Error('--data DIR is required');
const rt = await openRuntime(testConfig({ dataDir: values.data, logLevel: 'warn' }), { command: 'bench' });
try {
  await rt.tags.live.stop();
  const run = await rt.recommend.train({ trigger: 'bench', asOf: values['as-of'] ? new Date(values['as-of']) : undefined });
  const m = rt.recommend.models!;
  // incremental: a person's new event pairs with their history, as the engine's live path does
  const n = Number(values.events ?? 100_000);
  let seed = 7;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const histories = Array.from({ length: Math.min(2000, m.x.persons.length) }, (_, u) => touchesOf(m.x, Math.floor(rand() * m.x.persons.length)).slice(0, 100));
  const t = performance.now();
  for (let e = 0; e < n; e++) {
    const h = histories[e % histories.length]!;
    const item = Math.floor(rand() * m.catalog.ids.length);
    const damp = 1 / Math.sqrt(Math.log(3 + h.length));
    m.itemcf.observe(item, Math.log1p(1) * damp, h.map((x) => ({ item: x.item, v: Math.log1p(x.weight) * damp })));
  }
  const rate = Math.round(n / ((performance.now() - t) / 1000));
  const out = { ...run, incrementalEventsPerSecond: rate, target: { trainSeconds: 300 } };
  process.stdout.write(values.json ? `${JSON.stringify(out)}\n` : `trained in ${run.seconds.toFixed(1)} s (${run.persons} people, ${run.items} items, ${run.interactions} pairs): ${Object.entries(run.timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}\nincremental item-CF: ${rate} events/s applied to the neighbour lists\n`);
} finally {
  await rt.close();
}
