/**
 * Where the embedded engine's time goes while events stream in: the real pipeline and batching writer in
 * this process (no HTTP), --rate Product Viewed events/s from --users known people for --seconds, with the
 * live tag refresh and every other listener the runtime wires. Every engine statement is run one at a
 * time and timed alone (a lock around the store port), so no statement's time includes another's.
 *
 *   node bin/run-ts.js bench/live-engine.ts --data DIR [--rate 10000] [--seconds 25] [--users 500]
 *
 * Prints one JSON line: events accepted per second, the engine's busy share, and the statements that took
 * the most time (total ms, count). Run it on a copy of a world: it stores the events it sends.
 */
import { parseArgs } from 'node:util';
import { testConfig } from '../src/config.ts';
import { runPipeline } from '../src/ingest/index.ts';
import { openRuntime } from '../src/runtime.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, users: { type: 'string' } } });
if (!values.data) throw new Error('--data DIR is required (a copy of a world: events are added to it)');
const rate = Number(values.rate ?? 10_000);
const seconds = Number(values.seconds ?? 25);

const rt = await openRuntime(testConfig({ dataDir: values.data, logLevel: 'warn' }), { command: 'bench' });
const db = rt.olap.db;
const users = (await rt.olap.query<{ p: string }>(`SELECT DISTINCT user_id AS p FROM ${db}.events WHERE user_id != '' LIMIT {n:UInt32}`, { n: Number(values.users ?? 500) })).map((r) => r.p);

// one statement at a time, each timed alone
const spent = new Map<string, { n: number; ms: number }>();
let lock: Promise<void> = Promise.resolve();
const label = (sql: string) => sql.replace(/\s+/g, ' ').replaceAll(`${db}.`, '').slice(0, 100);
for (const method of ['query', 'command', 'insert'] as const) {
  const store = rt.olap as unknown as Record<string, (a: string, ...rest: unknown[]) => Promise<unknown>>;
  const original = store[method]!.bind(rt.olap);
  store[method] = async (a: string, ...rest: unknown[]) => {
    let release!: () => void;
    const before = lock;
    lock = new Promise<void>((r) => (release = r));
    await before;
    const t = performance.now();
    try {
      return await original(a, ...rest);
    } finally {
      release();
      const key = method === 'insert' ? `INSERT ${a}` : label(a);
      const e = spent.get(key) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += performance.now() - t;
      spent.set(key, e);
    }
  };
}

let seq = 0;
let acked = 0;
let inflight = 0;
const start = performance.now();
const tick = setInterval(() => {
  if (inflight > 20) return; // the writer is behind: offer no more (counted as not accepted)
  const batch = Array.from({ length: rate / 10 }, () => ({
    type: 'track', event: 'Product Viewed', userId: users[Math.floor(Math.random() * users.length)], messageId: `le${start}.${seq++}`,
    timestamp: new Date().toISOString(), properties: { product_id: 'p_000001', price: 99, category: '服装/女装/连衣裙', brand: '简屿' },
  }));
  const out = runPipeline({ messages: batch, receivedAt: Date.now(), requestId: `le${seq}`, source: 'http', writeKeyId: 'bench', maxMessageBytes: 32_768, maxFutureMs: 86_400_000 }, rt.keyring);
  inflight++;
  rt.writer.submit(out.rows, out.dead).then(() => (acked += out.rows.length)).catch(() => undefined).finally(() => inflight--);
}, 100);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(tick);
const wall = performance.now() - start;
const busy = [...spent.values()].reduce((s, e) => s + e.ms, 0);
const top = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12).map(([sql, e]) => ({ ms: Math.round(e.ms), n: e.n, sql }));
console.log(JSON.stringify({ bench: 'live-engine', rate, seconds, users: users.length, acceptedPerSecond: Math.round(acked / (wall / 1000)), engineBusyShare: Math.round((busy / wall) * 100) / 100, top }));
// let the writer and the refresh under way finish: leaving with a statement in the engine crashes it
while (inflight > 0) await new Promise((r) => setTimeout(r, 50));
await rt.close();
