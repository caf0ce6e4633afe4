/**
 * Serving latency of GET /api/v1/recommendations/users/{userId}?limit=20 on loopback, open loop: requests
 * leave at a fixed rate whether or not earlier ones have answered, and each latency is measured from the
 * moment its request was due (so a stall is not hidden by waiting for it). The server is a separate
 * `huaxiang serve` process on the data dir; the models are trained first (POST /train) and a warm-up pass
 * builds the per-person serving state, as a running shop would have it. Target: p99 ≤ 10 ms at 1,000 req/s.
 *
 *   node bin/run-ts.js bench/recommend/serve.ts --data DIR [--rate 1000] [--seconds 30] [--warmup 10] [--limit 20] [--people 2000] [--cpu-prof DIR] [--json]
 *
 * DIR is a data dir holding a shop (e.g. made by `bench/recommend/world.ts --data DIR`, or a copy of a big
 * world); the server must not be running on it.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../lib/proc.ts';
import { summarize } from '../lib/load.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' }, limit: { type: 'string' },
    people: { type: 'string' }, json: { type: 'boolean' }, 'cpu-prof': { type: 'string' },
  },
});
if (!values.data) throw new Error('--data DIR is required (a data dir holding a shop)');
const rate = Number(values.rate ?? 1000);
const seconds = Number(values.seconds ?? 30);
const warmup = Number(values.warmup ?? 10);
const limit = Number(values.limit ?? 20);

// --cpu-prof DIR writes a V8 CPU profile of the server to DIR when it stops
const server = await startServerProcess({ dataDir: values.data, nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [] });
try {
  const { adminToken } = JSON.parse(fs.readFileSync(path.join(values.data, 'credentials.json'), 'utf8')) as { adminToken: string };
  const headers = { authorization: `Bearer ${adminToken}` };
  const t0 = Date.now();
  const trained = (await (await fetch(`${server.url}/api/v1/recommendations/train`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).json()) as { seconds: number; persons: number; items: number };
  process.stderr.write(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${trained.persons} people, ${trained.items} items\n`);
  const people = ((await (await fetch(`${server.url}/api/v1/profiles?limit=500`, { headers })).json()) as { users: { userId: string }[] }).users.map((u) => u.userId);
  const want = Number(values.people ?? 2000);
  // more ids than the search returns: page on with the id prefix of the last one
  while (people.length < want) {
    const more = ((await (await fetch(`${server.url}/api/v1/profiles?limit=500&q=${encodeURIComponent(people[people.length - 1]!.slice(0, -1))}`, { headers })).json()) as { users: { userId: string }[] }).users.map((u) => u.userId).filter((u) => !people.includes(u));
    if (!more.length) break;
    people.push(...more);
  }
  if (!people.length) throw new Error('no people in the data dir');
  process.stderr.write(`${people.length} people; warm-up ${warmup} s, then ${seconds} s at ${rate} req/s\n`);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const { hostname, port } = new URL(server.url);
  const get = (p: string) =>
    new Promise<number>((resolve) => {
      const req = http.request({ agent, hostname, port, path: p, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });

  const phase = async (secs: number) => {
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    const total = Math.round(secs * rate);
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
        for (; sent < due; sent++) {
          const at = start + (sent * 1000) / rate;
          const who = people[(sent * 7919) % people.length]!;
          inflight.push(get(`/api/v1/recommendations/users/${encodeURIComponent(who)}?limit=${limit}`).then((status) => {
            if (status === 200) latencies.push(performance.now() - at);
            else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
          }));
        }
        if (sent >= total) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(inflight);
    return { latencies, errors, seconds: (performance.now() - start) / 1000 };
  };
  await phase(warmup);
  const m = await phase(seconds);
  const s = summarize(m.latencies.sort((a, b) => a - b));
  const result = { rate, achieved: Math.round(m.latencies.length / m.seconds), requests: m.latencies.length, errors: m.errors, limit, ...s, target: { p99Ms: 10 }, met: s.p99Ms <= 10 };
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `serving ${limit} items at ${rate} req/s: p50 ${s.p50Ms.toFixed(2)} ms, p90 ${s.p90Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(1)} ms (${result.achieved} req/s answered, errors ${JSON.stringify(m.errors)})\n`);
  agent.destroy();
} finally {
  await server.stop();
}
