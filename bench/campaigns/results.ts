/**
 * Campaign results on a large assignment: how long GET /api/v1/campaigns/:id/results takes to compute
 * (src/campaigns/results.ts) when a campaign assigned --assigned people (control 10%, two variants), each
 * person has --events-per-person behaviour events (views, carts) besides the goal orders of the
 * converters, every person has two device ids in person_ids, and the message log holds one row per treated
 * person. The data are generated inside the stores (ClickHouse INSERT … SELECT FROM numbers(), Postgres
 * generate_series), in a fresh data dir, then measured --runs times:
 *   results        per-arm funnel, conversions, GMV and uplift (one ClickHouse query + one Postgres query)
 *   results_by_tag the same split by a tag's values (5 values over everyone)
 *   winner         the automatic winner rule (the same two queries, then the rule)
 *   assignments    one page of 100,000 assignments (what the sandbox reads)
 *
 *   node bin/run-ts.js bench/campaigns/results.ts [--assigned 1000000] [--events-per-person 10] [--runs 3] [--data DIR]
 *
 * Prints one JSON line per measurement and a summary line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { campaignResults, decideWinner } from '../../src/campaigns/results.ts';
import { assignmentsOf } from '../../src/campaigns/results/assignments.ts';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';

const { values } = parseArgs({
  options: { assigned: { type: 'string' }, 'events-per-person': { type: 'string' }, runs: { type: 'string' }, data: { type: 'string' } },
});
const N = Number(values.assigned ?? 20_000);
const perPerson = Number(values['events-per-person'] ?? 10);
const runs = Number(values.runs ?? 3);
if (!(Number.isInteger(N) && N > 0 && Number.isInteger(perPerson) && perPerson >= 0 && Number.isInteger(runs) && runs > 0)) {
  throw new Error('usage: bench/campaigns/results.ts [--assigned N] [--events-per-person K] [--runs R] [--data DIR]');
}
const line = (o: object) => console.log(JSON.stringify({ bench: 'campaign-results', ...o }));
const dataDir = values.data ? path.resolve(values.data) : fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-cmp-results-'));
const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
const id = `bench_results_${N}`;
try {
  const db = rt.olap.db;
  const t0 = Date.now();
  const start = Date.UTC(2026, 9, 1);
  const exists = await rt.campaigns.store.get(id).then(() => true, () => false);
  if (!exists) {
    await rt.campaigns.store.create({
      id, name: 'results bench', owner: 'bench', channel: 'webhook', audience: { kind: 'list', userIds: ['p0'] },
      goal: { event: 'Order Completed', windowDays: 7 },
      variants: [{ name: 'A', weight: 1, content: { body: { en: 'a' } } }, { name: 'B', weight: 1, content: { body: { en: 'b' } } }],
      experiment: { holdout: 0.1, autoWinner: { metric: 'cvr', minSample: 1000 } },
    }, 'bench');
    const p = { n: N, campaign: id, start: start / 1000 };
    // person i: arm by i mod 10 (0 → control, odd → A, even → B), assigned over one day
    await rt.olap.command(
      `INSERT INTO ${db}.campaign_assignments (campaign_id, run_id, person_id, user_id, arm, assigned_at)
       SELECT {campaign:String}, 'run1', concat('p', toString(number)), concat('u', toString(number)),
              multiIf(number % 10 = 0, 'control', number % 2 = 1, 'A', 'B'),
              toDateTime64({start:UInt32} + intDiv(number * 86400, {n:UInt64}), 3, 'UTC')
       FROM numbers({n:UInt64})`, p);
    await rt.olap.command(
      `INSERT INTO ${db}.person_ids (distinct_id, person_id, version)
       SELECT if(k = 0, concat('u', toString(i)), concat('d', toString(i))), concat('p', toString(i)), 1
       FROM (SELECT number AS i FROM numbers({n:UInt64})) ARRAY JOIN [0, 1] AS k`, p);
    // behaviour: views and cart adds over the month, half from the device id
    await rt.olap.command(
      `INSERT INTO ${db}.events (message_id, type, event, distinct_id, user_id, timestamp, original_timestamp, received_at, product_id, category)
       SELECT concat('v', toString(number)), 'track', if(number % 5 = 0, 'Product Added', 'Product Viewed'),
              if(number % 2 = 0, concat('u', toString(intDiv(number, {k:UInt64}))), concat('d', toString(intDiv(number, {k:UInt64})))), '',
              toDateTime64({start:UInt32} + (cityHash64(number) % (30 * 86400)), 3, 'UTC') AS ts, ts, ts, 'p1', '美妆/彩妆/口红'
       FROM numbers({n:UInt64} * {k:UInt64})`, { ...p, k: perPerson });
    // orders: control 4%, A 5%, B 7% convert within the window; some order twice; some order outside it
    await rt.olap.command(
      `INSERT INTO ${db}.events (message_id, type, event, distinct_id, user_id, timestamp, original_timestamp, received_at, order_id, revenue, category)
       SELECT concat('o', toString(i), '-', toString(j)), 'track', 'Order Completed', if(j = 0, concat('u', toString(i)), concat('d', toString(i))), '',
              toDateTime64({start:UInt32} + intDiv(i * 86400, {n:UInt64}) + (cityHash64(i, j) % (9 * 86400)), 3, 'UTC') AS ts, ts, ts,
              concat('o', toString(i), '-', toString(j)), 50 + cityHash64(i, j, 1) % 400, '美妆/彩妆/口红'
       FROM (SELECT number AS i FROM numbers({n:UInt64})) ARRAY JOIN [0, 1] AS j
       WHERE (cityHash64(i) % 1000) < multiIf(i % 10 = 0, 40, i % 2 = 1, 50, 70) AND (j = 0 OR cityHash64(i, 2) % 4 = 0)`, p);
    await rt.olap.command(
      `INSERT INTO ${db}.tag_values (tag_code, person_id, value_str, build_id, version)
       SELECT 'rfm_class', concat('p', toString(number)), ['important_value', 'important_keep', 'general_value', 'general_keep', 'lost'][1 + number % 5], 'bench', 1
       FROM numbers({n:UInt64})`, p);
    await rt.oltp.query(
      `INSERT INTO campaign_messages (id, dedup_key, campaign_id, person_id, user_id, channel, arm, content, status, sent_at, opened_at, clicked_at)
       SELECT $1 || ':' || i, $1 || ':run1:p' || i, $1, 'p' || i, 'u' || i, 'webhook', CASE WHEN i % 2 = 1 THEN 'A' ELSE 'B' END, '{}',
              CASE WHEN i % 50 = 1 THEN 'failed' WHEN i % 3 = 0 THEN 'delivered' ELSE 'sent' END, now(),
              CASE WHEN i % 4 = 0 THEN now() END, CASE WHEN i % 20 = 0 THEN now() END
       FROM generate_series(1, $2::int - 1) AS i WHERE i % 10 <> 0`,
      [id, N],
    );
  }
  const [size] = await rt.olap.query<{ events: string }>(`SELECT count() AS events FROM ${db}.events`);
  line({ phase: 'setup', assigned: N, events: Number(size!.events), seconds: (Date.now() - t0) / 1000, dataDir, reused: exists });

  const c = await rt.campaigns.store.get(id);
  const d = { olap: rt.olap, oltp: rt.oltp };
  const measure = async (name: string, fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    let out: unknown;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      out = await fn();
      ms.push(Math.round(performance.now() - t));
    }
    const sorted = [...ms].sort((a, b) => a - b);
    line({ phase: name, assigned: N, runs: ms, medianMs: sorted[Math.floor(sorted.length / 2)] });
    return { out, median: sorted[Math.floor(sorted.length / 2)]! };
  };
  const all = await measure('results', () => campaignResults(d, c));
  const byTag = await measure('results_by_tag', () => campaignResults(d, c, { by: { kind: 'tag', code: 'rfm_class' } }));
  const win = await measure('winner', () => decideWinner({ ...d, store: { get: async () => c, setWinner: async () => c } }, id));
  const page = await measure('assignments', () => assignmentsOf(rt.olap, id, { limit: 100_000 }));
  const r = all.out as Awaited<ReturnType<typeof campaignResults>>;
  for (const a of r.arms) line({ arm: a.arm, audience: a.audience, sent: a.sent, converted: a.converted, cvr: Number(a.cvr.toFixed(4)), uplift: a.uplift && Number(a.uplift.absolute.toFixed(4)), pValue: a.uplift?.pValue });
  line({
    summary: true, assigned: N, events: Number(size!.events),
    resultsMs: all.median, resultsByTagMs: byTag.median, winnerMs: win.median, assignmentsPageMs: page.median,
    winner: (win.out as { winner: string | null }).winner,
  });
} finally {
  await rt.close();
  if (!values.data) fs.rmSync(dataDir, { recursive: true, force: true });
}
