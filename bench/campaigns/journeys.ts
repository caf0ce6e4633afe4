/**
 * Journey engine figures (issue 8: ≥ 5,000 trigger events/s, p95 trigger-to-send ≤ 2 s excluding waits).
 * Two journeys are active, both templates' shapes: "view → send now" (entry Product Viewed, a send, the
 * end; 10 % held out) and the abandoned cart (entry Product Added, wait until Order Completed). Every
 * event below is something one of them listens for.
 *
 *   1. end_to_end: Segment messages through the real ingestion pipeline and the batching writer (dedupe,
 *      identity, ClickHouse insert), from --clients concurrent submitters of --request events each, the
 *      writer's hook into the engine, the engine's batches into the campaign queue (campaign_messages).
 *      Throughput = trigger events / (first submit → engine idle). Latency per message = submit of its
 *      trigger event → its enqueue returned (the ingestion's own flush included; no waits involved).
 *   2. engine_burst / engine_paced: rows as the writer hands them over, fed straight to the engine's hook
 *      for fresh people — all at once (the engine's own throughput: identity lookup, state read, walk,
 *      enqueue, state write), then at a steady --rate in 100 ms ticks (trigger-to-enqueue at that rate).
 *
 *   node bin/run-ts.js bench/campaigns/journeys.ts [--events 20000] [--engine-events 20000] [--rate 5000]
 *        [--clients 8] [--request 500] [--batch 5000] [--pg postgres://…] [--keep]
 *
 * Full size: --events 200000 --engine-events 200000 (add --pg URL for a Postgres server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JOURNEY_TEMPLATES } from '../../src/campaigns/journeys/index.ts';
import type { OutgoingMessage } from '../../src/campaigns/types.ts';
import { testConfig } from '../../src/config.ts';
import type { EventRow } from '../../src/events/index.ts';
import { runPipeline } from '../../src/ingest/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    'engine-events': { type: 'string', default: '20000' },
    clients: { type: 'string', default: '8' },
    request: { type: 'string', default: '500' },
    batch: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '5000' },
    pg: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const EVENTS = Number(values.events);
const ENGINE_EVENTS = Number(values['engine-events']);
const CLIENTS = Number(values.clients);
const REQUEST = Number(values.request);
const RATE = Number(values.rate);
const line = (o: object) => console.log(JSON.stringify({ bench: 'journeys', ...o }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!) : NaN;
};

type Msg = Record<string, unknown>;
/** event i: two thirds Product Viewed (a send now), one third Product Added (a wait); every person is new */
function message(tag: string, i: number, now: number): Msg {
  const viewed = i % 3 !== 2;
  return {
    type: 'track', messageId: `${tag}-${i}`, userId: `${tag}-u${i}`, event: viewed ? 'Product Viewed' : 'Product Added',
    timestamp: new Date(now).toISOString(), properties: { product_id: `p${i % 997}`, category: 'apparel', price: 99 },
  };
}

function rowsOf(rt: Runtime, messages: Msg[], receivedAt: number): EventRow[] {
  const out = runPipeline(
    { messages, receivedAt, requestId: `bench-${receivedAt}-${Math.random()}`, source: 'http', writeKeyId: 'bench', maxMessageBytes: rt.config.ingest.maxMessageBytes, maxFutureMs: rt.config.ingest.maxFutureMs },
    rt.keyring,
  );
  if (out.rejected.length) throw new Error(`rejected: ${JSON.stringify(out.rejected[0])}`);
  return out.rows;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-journeys-'));
  const rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'warn', ...(values.pg ? { databaseUrl: values.pg } : {}) }), { command: 'bench' });
  try {
    await rt.tags.live.stop(); // the live tag refresher is not what is measured
    rt.journeys.batchSize = Number(values.batch);
    const cart = JOURNEY_TEMPLATES.find((t) => t.id === 'abandoned_cart')!.journey;
    const now = rt.journeys.create({
      id: 'bench-view-send', name: 'view → send now', entry: { kind: 'event', event: 'Product Viewed' }, reentry: { policy: 'always' }, holdout: 0.1,
      steps: [{ id: 'send', type: 'send', channel: 'inapp', content: { body: { 'zh-CN': '看看相似好物', en: 'Similar picks' }, recommendations: 3 } }],
    }, 'bench');
    await rt.journeys.activate((await now).id);
    await rt.journeys.activate((await rt.journeys.create({ ...cart, id: 'bench-cart' }, 'bench')).id);

    // who triggered each message, and when (the trigger's submit time)
    const submittedAt = new Map<string, number>();
    const latencies: number[] = [];
    let queued = 0;
    const enqueue = rt.journeys.send;
    rt.journeys.send = async (msgs: OutgoingMessage[]) => {
      const r = await enqueue(msgs);
      const t = performance.now();
      queued += r.queued;
      for (const m of msgs) {
        const at = submittedAt.get(m.userId);
        if (at !== undefined) latencies.push(t - at);
      }
      return r;
    };

    // 1. end to end
    {
      const tag = `e${Date.now().toString(36)}`;
      const wall = Date.now();
      const requests: Msg[][] = [];
      for (let i = 0; i < EVENTS; i += REQUEST) requests.push(Array.from({ length: Math.min(REQUEST, EVENTS - i) }, (_, k) => message(tag, i + k, wall)));
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (next < requests.length) {
          const req = requests[next++]!;
          const t = performance.now();
          for (const m of req) submittedAt.set(m.userId as string, t);
          await rt.writer.submit(rowsOf(rt, req, Date.now()));
        }
      }));
      const stored = performance.now();
      await rt.journeys.idle();
      const seconds = (performance.now() - started) / 1000;
      line({
        phase: 'end_to_end', events: EVENTS, clients: CLIENTS, request: REQUEST, seconds: Math.round(seconds * 100) / 100,
        events_per_s: Math.round(EVENTS / seconds), ingest_seconds: Math.round((stored - started) / 10) / 100,
        messages: latencies.length, queued, p50_ms: pct(latencies, 50), p95_ms: pct(latencies, 95), p99_ms: pct(latencies, 99), max_ms: pct(latencies, 100),
      });
    }

    // 2. the engine alone: a burst (all at once: its throughput), then a steady --rate (latency at that rate)
    for (const mode of ['burst', 'paced'] as const) {
      latencies.length = 0;
      submittedAt.clear();
      const tag = `${mode[0]}${Date.now().toString(36)}`;
      const wall = Date.now();
      const tickRows = mode === 'burst' ? REQUEST : Math.max(1, Math.round(RATE / 10));
      const rows: EventRow[][] = [];
      for (let i = 0; i < ENGINE_EVENTS; i += tickRows) rows.push(rowsOf(rt, Array.from({ length: Math.min(tickRows, ENGINE_EVENTS - i) }, (_, k) => message(tag, i + k, wall)), wall));
      const started = performance.now();
      for (const [n, chunk] of rows.entries()) {
        // paced: chunk n leaves at n × 100 ms
        if (mode === 'paced') await new Promise((r) => setTimeout(r, Math.max(0, started + n * 100 - performance.now())));
        const t = performance.now();
        for (const r of chunk) submittedAt.set(r.user_id, t);
        rt.journeys.triggered(chunk);
      }
      await rt.journeys.idle();
      const seconds = (performance.now() - started) / 1000;
      line({
        phase: `engine_${mode}`, events: ENGINE_EVENTS, ...(mode === 'paced' ? { offered_per_s: RATE } : {}), seconds: Math.round(seconds * 100) / 100,
        events_per_s: Math.round(ENGINE_EVENTS / seconds), messages: latencies.length, p50_ms: pct(latencies, 50), p95_ms: pct(latencies, 95), max_ms: pct(latencies, 100),
      });
    }
    const states = await rt.oltp.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM journey_states GROUP BY status ORDER BY status');
    line({ phase: 'states', ...Object.fromEntries(states.map((s) => [s.status, Number(s.n)])) });
  } finally {
    await rt.close();
    if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
    else line({ kept: dir });
  }
}

await main();
