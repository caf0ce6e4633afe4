/**
 * Tag engine figures on an imported world (make one with bench/world.ts --data DIR):
 *   1. full build of the whole library (in this process), twice;
 *   2. profile API latency (GET /api/v1/profiles/{id}) against a server process: closed loop (N clients, each
 *      asking again as soon as answered), then open loop at each of --profile-rates requests/s (requests
 *      leave on a fixed schedule whether or not earlier ones were answered, and each is timed from its
 *      scheduled moment, so a queue shows in the figures);
 *   3. freshness: an order sent over /v1/track → the profile shows it in orders_30d, under a steady
 *      background load of page/product views over /v1/batch at --rate events/s.
 *
 *   node bin/run-ts.js bench/tags.ts --data DIR [--as-of ISO] [--rate 10000] [--probes 40] [--profile-requests 2000]
 *     [--profile-clients 4] [--profile-rates 25,50,100] [--skip-build]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { startServerProcess, waitForStartupTraining } from './lib/proc.ts';
import { startBackgroundLoad } from './lib/background.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'as-of': { type: 'string' },
    rate: { type: 'string' },
    probes: { type: 'string' },
    'profile-requests': { type: 'string' },
    'profile-clients': { type: 'string' },
    'profile-rates': { type: 'string' },
    'skip-build': { type: 'boolean' },
  },
});
if (!values.data) throw new Error('usage: bench/tags.ts --data DIR (an imported world; see bench/world.ts)');
const dataDir = path.resolve(values.data);
const rate = Number(values.rate ?? 10_000);
const probes = Number(values.probes ?? 40);
const profileRequests = Number(values['profile-requests'] ?? 2000);
const profileClients = Number(values['profile-clients'] ?? 4);
const profileRates = (values['profile-rates'] ?? '25,50,100').split(',').filter(Boolean).map(Number);
const line = (o: object) => console.log(JSON.stringify({ bench: 'tags', ...o }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : NaN;
};

// ---- 1. full build ------------------------------------------------------------------------------
if (!values['skip-build']) {
  const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
  try {
    const [{ n: events }] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${rt.olap.db}.events`);
    const asOf = values['as-of'] ? new Date(values['as-of']) : undefined;
    for (let i = 1; i <= 2; i++) {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
      const r = await rt.tags.build({ asOf, trigger: 'bench' });
      clearInterval(sampler);
      line({ step: 'full-build', run: i, events: Number(events), persons: r.persons, tags: r.tags, values: r.rows, seconds: r.seconds, timings: r.timings, peakRssMB: Math.round(peak / 2 ** 20) });
    }
  } finally {
    await rt.close();
  }
}

// ---- 2 & 3. against a server process ------------------------------------------------------------
const server = await startServerProcess({ dataDir, logLevel: 'warn' });
const { adminToken } = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { adminToken: string };
const bearer = { authorization: `Bearer ${adminToken}` };
const basic = { authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' };
try {
  // the server trains its recommendation models at start, which holds the embedded engine for minutes:
  // the figures wait for it (a server's steady state, not its start-up)
  line({ step: 'server-ready', waitedSeconds: (await waitForStartupTraining(server.url, bearer)).seconds });
  const users = ((await (await fetch(`${server.url}/api/v1/profiles?limit=500`, { headers: bearer })).json()) as { users: { userId: string }[] }).users.map((u) => u.userId);
  if (users.length < 50) throw new Error(`only ${users.length} people found; build tags on an imported world first`);

  // 2. profile latency: concurrent keep-alive clients (4 unless --profile-clients) over random people
  const profile = async (id: string) => {
    const res = await fetch(`${server.url}/api/v1/profiles/${encodeURIComponent(id)}`, { headers: bearer });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`profile ${id}: ${res.status}`);
  };
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: profileClients }, async () => {
    while (next < profileRequests) {
      const id = users[next++ % users.length]!;
      const s = performance.now();
      await profile(id);
      lat.push(performance.now() - s);
    }
  }));
  line({ step: 'profile-api', requests: lat.length, clients: profileClients, rps: Math.round(lat.length / ((performance.now() - t0) / 1000)), p50ms: pct(lat, 50), p95ms: pct(lat, 95), p99ms: pct(lat, 99) });

  // open loop: request i leaves at start + i / rate, and its latency counts from then
  for (const perSecond of profileRates) {
    const n = Math.min(profileRequests, Math.max(200, perSecond * 20));
    const open: number[] = [];
    const start = performance.now() + 50;
    await Promise.all(Array.from({ length: n }, async (_, i) => {
      const due = start + (i * 1000) / perSecond;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      await profile(users[(i * 31) % users.length]!);
      open.push(performance.now() - due);
    }));
    line({ step: 'profile-api-open-loop', offeredPerSecond: perSecond, requests: open.length, p50ms: pct(open, 50), p95ms: pct(open, 95), p99ms: pct(open, 99), maxms: pct(open, 100) });
  }

  // 3. freshness under background load (open loop: a batch every 100 ms)
  const run = `bt${Date.now().toString(36)}`;
  const load = startBackgroundLoad({ url: server.url, headers: basic, users, rate, run });
  await new Promise((r) => setTimeout(r, 3000)); // let the load settle

  const orders = async (id: string) => {
    const p = (await (await fetch(`${server.url}/api/v1/profiles/${encodeURIComponent(id)}`, { headers: bearer })).json()) as { tags: Record<string, number> };
    return Number(p.tags.orders_30d ?? 0);
  };
  const fresh: number[] = [];
  let timeouts = 0;
  const loadStart = { acked: load.acked, t: performance.now() };
  for (let i = 0; i < probes; i++) {
    const id = users[(i * 7919) % users.length]!;
    const before = await orders(id);
    const s = performance.now();
    const r = await fetch(`${server.url}/v1/track`, {
      method: 'POST', headers: basic,
      body: JSON.stringify({ event: 'Order Completed', userId: id, messageId: `${run}.probe.${i}`, timestamp: new Date().toISOString(),
        properties: { order_id: `${run}-o${i}`, revenue: 100, products: [{ product_id: 'p_000001', price: 100, quantity: 1, category: '服装/女装/连衣裙', brand: '简屿' }] } }),
    });
    await r.arrayBuffer();
    let seen = false;
    while (performance.now() - s < 10_000) {
      if ((await orders(id)) > before) { seen = true; break; }
      await new Promise((res) => setTimeout(res, 25));
    }
    if (seen) fresh.push(performance.now() - s); else timeouts++;
    await new Promise((res) => setTimeout(res, 250));
  }
  const loadSeconds = (performance.now() - loadStart.t) / 1000;
  await load.stop();
  line({
    step: 'freshness', probes, seen: fresh.length, timeouts, targetRate: rate, achievedRate: Math.round((load.acked - loadStart.acked) / loadSeconds),
    sent: load.sent, failedOrSkipped: load.failed, p50ms: pct(fresh, 50), p95ms: pct(fresh, 95), maxms: pct(fresh, 100),
  });
} finally {
  await server.stop();
}
