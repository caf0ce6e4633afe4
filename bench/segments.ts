/**
 * Segment figures on an imported world (make one with bench/world.ts --data DIR; tags are built first
 * when the world has no build yet), against a server process:
 *   1. preview latency (POST /api/v1/segments/preview) of a 5-condition rule — two traits, two tags and an
 *      event count — over everyone, --runs times with varied values; and each condition alone;
 *   2. event → dynamic membership: an order sent over /v1/track → the person shows among the segment's
 *      members (then their profile is checked to list it too), under a steady open-loop background load
 *      of product views over /v1/batch at --rate events/s.
 *
 *   node bin/run-ts.js bench/segments.ts --data DIR [--runs 50] [--rate 500] [--probes 20] [--timeout-seconds 60]
 *     [--skip-preview] [--keep-segment]
 *
 * --rate 0 measures membership with no background load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess, waitForStartupTraining } from './lib/proc.ts';
import { startBackgroundLoad } from './lib/background.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    runs: { type: 'string' },
    rate: { type: 'string' },
    probes: { type: 'string' },
    'timeout-seconds': { type: 'string' },
    'keep-segment': { type: 'boolean' },
    'skip-preview': { type: 'boolean' },
  },
});
if (!values.data) throw new Error('usage: bench/segments.ts --data DIR (an imported world; see bench/world.ts)');
const dataDir = path.resolve(values.data);
const runs = Number(values.runs ?? 50);
const rate = Number(values.rate ?? 500);
const probes = Number(values.probes ?? 20);
const timeoutMs = Number(values['timeout-seconds'] ?? 60) * 1000;
// every line carries the 1-minute load average: the machine may be shared, and figures move with it
const line = (o: object) => console.log(JSON.stringify({ bench: 'segments', ...o, load1: Math.round(os.loadavg()[0]! * 10) / 10 }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: the varied values are the same on every run */
let seed = 20261123;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const TIERS = ['一线', '新一线', '二线', '三线', '四线及以下'];
const GROUPS = ['服装', '鞋靴箱包', '美妆', '个护清洁', '数码', '家电', '家居', '食品', '母婴', '运动户外', '图书', '宠物'];

/** The five conditions of the preview rule, with values drawn afresh for each run. */
function conditions() {
  const age = 18 + Math.floor(rand() * 30);
  const tiers = TIERS.filter(() => rand() < 0.5);
  return [
    { trait: 'gender', op: 'eq', value: pick(['female', 'male']) },
    { trait: 'age', op: 'between', value: [age, age + 5 + Math.floor(rand() * 20)] },
    { tag: 'city_tier', op: 'in', value: tiers.length ? tiers : [pick(TIERS)] },
    { tag: 'top_category_groups', op: 'contains', value: pick(GROUPS), topN: 2 },
    { event: 'Order Completed', count: { op: 'gte', value: 1 + Math.floor(rand() * 3) }, within: { days: pick([30, 60, 90, 180]) } },
  ];
}

const server = await startServerProcess({ dataDir, logLevel: 'warn' });
const { adminToken } = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { adminToken: string };
const bearer = { authorization: `Bearer ${adminToken}` };
const basic = { authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' };
const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
  const res = await fetch(server.url + p, body === undefined ? { method, headers: bearer } : { method, headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
};
let segmentId: string | null = null;
try {
  // tags are what segments read: the server builds them at start when this world has none yet; wait for it
  type Build = { id: string; asOf: string; status: string; persons: number | null; startedAt: string; finishedAt: string | null };
  const t0 = performance.now();
  let latest: Build | undefined;
  for (;;) {
    latest = (await api<{ builds: Build[] }>('GET', '/api/v1/builds')).builds.find((b) => b.status !== 'failed');
    if (latest && latest.status !== 'running') break;
    if (!latest && performance.now() - t0 > 10_000) {
      await api('POST', '/api/v1/builds', {});
      continue;
    }
    await sleep(1000);
  }
  line({ step: 'tag-build', build: latest.id, asOf: latest.asOf, persons: latest.persons, waitedSeconds: Math.round((performance.now() - t0) / 100) / 10,
    buildSeconds: latest.finishedAt ? (Date.parse(latest.finishedAt) - Date.parse(latest.startedAt)) / 1000 : null });
  // the server may be busy with its start-up work (recommendation training reads every event): the first
  // query waits behind it, longer than fetch waits for headers, so it is asked again until it answers
  const t1 = performance.now();
  let people: { count: number } | undefined;
  while (!people) {
    people = await api<{ count: number }>('POST', '/api/v1/segments/preview', { rule: { not: { event: 'No Such Event' } }, sample: 0 }).catch((err: Error) => {
      if (!/fetch failed/.test(String(err)) || performance.now() - t1 > 3_600_000) throw err;
      return undefined;
    });
  }
  // …and recommendation training at start holds the embedded engine for minutes: the figures wait for it
  await waitForStartupTraining(server.url, bearer);
  line({ step: 'server-ready', persons: people.count, waitedSeconds: Math.round((performance.now() - t1) / 100) / 10 });

  // ---- 1. preview latency ----------------------------------------------------------------------------------
  if (!values['skip-preview']) {
    const warm = await api<{ count: number; ms: number }>('POST', '/api/v1/segments/preview', { rule: { all: conditions() }, sample: 10 });
    line({ step: 'preview-warmup', persons: people.count, count: warm.count, serverMs: warm.ms });
    const http: number[] = [];
    const engine: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const rule = { all: conditions() };
      const s = performance.now();
      const r = await api<{ count: number; ms: number }>('POST', '/api/v1/segments/preview', { rule, sample: 10 });
      http.push(performance.now() - s);
      engine.push(r.ms);
      counts.push(r.count);
    }
    line({
      step: 'preview', conditions: 5, runs, persons: people.count, p50ms: pct(http, 50), p99ms: pct(http, 99), maxms: pct(http, 100),
      serverP50ms: pct(engine, 50), serverP99ms: pct(engine, 99), matchedMin: Math.min(...counts), matchedMedian: pct(counts, 50), matchedMax: Math.max(...counts),
    });
    // where the time goes: each condition alone (median of 5)
    const names = ['trait gender eq', 'trait age between', 'tag city_tier in', 'tag top_category_groups contains topN 2', 'event Order Completed count gte N within D days'];
    for (let k = 0; k < 5; k++) {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) ms.push((await api<{ ms: number }>('POST', '/api/v1/segments/preview', { rule: conditions()[k], sample: 10 })).ms);
      line({ step: 'preview-one-condition', condition: names[k], serverP50ms: pct(ms, 50) });
    }
  }

  // ---- 2. event → dynamic membership under load ----------------------------------------------------------
  const run = `bs${Date.now().toString(36)}`;
  const seg = await api<{ id: string; size: number }>('POST', '/api/v1/segments', {
    name: `bench ${run}`,
    description: 'bench/segments.ts: people with an order carrying this run\'s coupon today',
    rule: { all: [
      { event: 'Order Completed', within: { days: 1 }, where: [{ field: 'coupon', op: 'eq', value: run }] },
      { tag: 'orders_total', op: 'gte', value: 1 },
      { tag: 'days_since_active', op: 'lte', value: 1 },
    ] },
  });
  segmentId = seg.id;
  const all = await api<{ segments: { kind: string }[] }>('GET', '/api/v1/segments');
  const dynamic = all.segments.filter((s) => s.kind === 'dynamic').length;
  const users = (await api<{ users: { userId: string }[] }>('GET', '/api/v1/profiles?limit=500')).users.map((u) => u.userId);
  if (users.length < probes) throw new Error(`only ${users.length} people found`);

  const load = startBackgroundLoad({ url: server.url, headers: basic, users, rate, run });
  await sleep(3000); // let the load settle

  // polled: the segment's members (cheap); the person's profile is checked once the member shows
  const segmentsOf = async (id: string) => (await api<{ segments: string[] }>('GET', `/api/v1/profiles/${encodeURIComponent(id)}`)).segments;
  const memberIds = async () => new Set((await api<{ userIds: string[] }>('GET', `/api/v1/segments/${seg.id}/members`)).userIds);
  const fresh: number[] = [];
  let timeouts = 0;
  let profileAgrees = 0;
  const loadStart = { acked: load.acked, t: performance.now() };
  for (let i = 0; i < probes; i++) {
    const id = users[(i * 7919) % users.length]!;
    const person = (await api<{ userId: string }>('GET', `/api/v1/profiles/${encodeURIComponent(id)}`)).userId;
    if ((await memberIds()).has(person)) continue;
    const s = performance.now();
    const r = await fetch(`${server.url}/v1/track`, {
      method: 'POST', headers: basic,
      body: JSON.stringify({ event: 'Order Completed', userId: id, messageId: `${run}.probe.${i}`, timestamp: new Date().toISOString(),
        properties: { order_id: `${run}-o${i}`, revenue: 100, coupon: run, products: [{ product_id: 'p_000001', price: 100, quantity: 1, category: '服装/女装/连衣裙', brand: '简屿' }] } }),
    });
    await r.arrayBuffer();
    let seen = false;
    while (performance.now() - s < timeoutMs) {
      if ((await memberIds()).has(person)) { seen = true; break; }
      await sleep(50);
    }
    if (seen) fresh.push(performance.now() - s); else timeouts++;
    if (seen && (await segmentsOf(id)).includes(seg.id)) profileAgrees++;
    await sleep(250);
  }
  const loadSeconds = (performance.now() - loadStart.t) / 1000;
  await load.stop();
  const after = await api<{ size: number }>('GET', `/api/v1/segments/${seg.id}`);
  line({
    step: 'membership', probes, seen: fresh.length, timeouts, timeoutSeconds: timeoutMs / 1000, profileAgrees, dynamicSegments: dynamic, segmentSize: after.size, targetRate: rate,
    achievedRate: Math.round((load.acked - loadStart.acked) / loadSeconds), sent: load.sent, failedOrSkipped: load.failed,
    p50ms: pct(fresh, 50), p95ms: pct(fresh, 95), maxms: pct(fresh, 100),
  });
} finally {
  if (segmentId && !values['keep-segment']) await api('DELETE', `/api/v1/segments/${segmentId}`).catch((err) => console.error(String(err)));
  await server.stop();
}
