/**
 * Serving latency of GET /api/v1/recommendations/users/{userId}?limit=20 on loopback, open loop: requests
 * leave at a fixed rate whether or not earlier ones have answered, and each latency is measured from the
 * moment its request was due (so a stall is not hidden by waiting for it). The server is a separate
 * `huaxiang serve` process on the data dir; the models are trained first (POST /train) and a warm-up pass
 * builds the per-person serving state, as a running shop would have it. Target: p99 ≤ 10 ms at 1,000 req/s.
 *
 *   node bin/run-ts.js bench/recommend/serve.ts --data DIR [--rate 1000] [--seconds 30] [--warmup 10] [--limit 20]
 *        [--people 5000] [--probe] [--cpu-prof DIR] [--node-args=--single-threaded-gc] [--wait-quiet SECONDS] [--entry PATH/bin/huaxiang.js] [--nice=-10] [--json]
 *
 * People: a stable sample of those with product events in the data's last 30 days (bench/recommend/people.ts),
 * read before the server starts. The load generator writes requests on raw keep-alive sockets (a pool of
 * connections, one request in flight on each), so that it takes as little as it can of CPU the server shares.
 * The figures include the CPU the server, the generator and everything else on the machine used during the
 * measured phase (`otherCpuCores`: other people's work sharing the cores) and the load average.
 * After the training the server prepares the people active in the last 30 days (src/recommend/prepare.ts);
 * the bench waits for that to end and prints how long it took (a server from `--entry` that does not prepare
 * is measured on first requests).
 * `--probe` loads bench/recommend/probe.mjs into the server: every GC pause and the event-loop delay of each
 * second, summarised for the measured phase. `--wait-quiet S` waits up to S seconds after training for the
 * machine to be nearly idle (under half a core busy) before the warm-up starts. `--entry` serves from another
 * checkout's bin/huaxiang.js (a before/after comparison on the same data and machine). `--nice N` sets the
 * scheduling priority of every thread of the server and of this generator for the measured phases (N < 0
 * needs root): what serving costs when it is first in line for a core rather than sharing equally with
 * whatever else the machine runs.
 *
 * DIR is a data dir holding a shop (e.g. made by `bench/recommend/world.ts --data DIR`, or a copy of a big
 * world); the server must not be running on it.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, repoRoot, runTs, startServerProcess, systemBusySeconds, waitForQuiet, waitForStartupTraining } from '../lib/proc.ts';
import { percentile, summarize } from '../lib/load.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' }, limit: { type: 'string' },
    people: { type: 'string' }, json: { type: 'boolean' }, 'cpu-prof': { type: 'string' }, probe: { type: 'boolean' }, 'node-args': { type: 'string' },
    connections: { type: 'string' }, 'wait-quiet': { type: 'string' }, entry: { type: 'string' }, nice: { type: 'string' },
  },
});
if (!values.data) throw new Error('--data DIR is required (a data dir holding a shop)');
const dataDir = values.data;
const rate = Number(values.rate ?? 1000);
const seconds = Number(values.seconds ?? 30);
const warmup = Number(values.warmup ?? 10);
const limit = Number(values.limit ?? 20);
const want = Number(values.people ?? 5000);

async function main(): Promise<void> {
  const people = JSON.parse(await runTs(path.join(repoRoot, 'bench/recommend/people.ts'), ['--data', dataDir, '--n', String(want)])) as string[];
  if (!people.length) throw new Error('no people with product events in the data dir');

  const nodeArgs = [
    ...(values['node-args'] ? values['node-args'].split(/\s+/).filter(Boolean) : []),
    ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []),
    ...(values.probe ? ['--import', path.join(repoRoot, 'bench/recommend/probe.mjs')] : []),
  ];
  const server = await startServerProcess({ dataDir, nodeArgs, entry: values.entry ? [values.entry, 'serve'] : undefined });
  try {
    const { adminToken } = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { adminToken: string };
    const t0 = Date.now();
    // node:http rather than fetch: training the 10M world on a busy machine outlasts fetch's 300 s header timeout
    const trained = JSON.parse(await post(`${server.url}/api/v1/recommendations/train`, adminToken)) as { seconds: number; persons: number; items: number };
    process.stderr.write(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${trained.persons} people, ${trained.items} items\n`);
    // the server prepares the recently active people after a training (src/recommend/prepare.ts): wait for it
    const { preparation } = await waitForStartupTraining(server.url, { authorization: `Bearer ${adminToken}` });
    process.stderr.write(`preparation: ${preparation ? `${preparation.done} of ${preparation.total} people in ${preparation.seconds} s` : 'none'}\n`);
    process.stderr.write(`${people.length} people; warm-up ${warmup} s, then ${seconds} s at ${rate} req/s\n`);

    if (values['wait-quiet']) process.stderr.write(`busy cores before the warm-up: ${await waitForQuiet(Number(values['wait-quiet']) * 1000, 0.5)}\n`);
    if (values.nice !== undefined) for (const pid of [server.pid, process.pid]) renice(pid, Number(values.nice));
    const { hostname, port } = new URL(server.url);
    const pool = new Pool(hostname, Number(port), Number(values.connections ?? 64), `Authorization: Bearer ${adminToken}\r\n`);

    const phase = async (secs: number) => {
      const latencies: number[] = [];
      const slow: { at: number; ms: number }[] = [];
      const errors: Record<string, number> = {};
      const startWall = Date.now();
      const start = performance.now();
      const total = Math.round(secs * rate);
      let sent = 0;
      let answered = 0;
      const c0 = { server: cpuSeconds(server.pid) ?? 0, gen: process.cpuUsage(), busy: systemBusySeconds() };
      await new Promise<void>((done) => {
        const tick = () => {
          const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
          for (; sent < due; sent++) {
            const at = start + (sent * 1000) / rate;
            const who = people[(sent * 7919) % people.length]!;
            pool.get(`/api/v1/recommendations/users/${encodeURIComponent(who)}?limit=${limit}`, (status) => {
              const ms = performance.now() - at;
              if (status === 200) {
                latencies.push(ms);
                if (ms > 10) slow.push({ at: at - start, ms });
              } else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
              if (++answered === total) done();
            });
          }
          if (sent < total) setTimeout(tick, 1);
        };
        tick();
      });
      const wall = (performance.now() - start) / 1000;
      const gen = process.cpuUsage(c0.gen);
      const serverCpu = (cpuSeconds(server.pid) ?? 0) - c0.server;
      const genCpu = (gen.user + gen.system) / 1e6;
      const cpu = { serverCores: round(serverCpu / wall), generatorCores: round(genCpu / wall), otherCpuCores: round(Math.max(0, systemBusySeconds() - c0.busy - serverCpu - genCpu) / wall) };
      return { latencies, slow, errors, seconds: wall, startWall, cpu };
    };
    await phase(warmup);
    const load = os.loadavg().map((x) => round(x));
    const m = await phase(seconds);
    const serverRssMB = rssMB(server.pid);
    pool.close();
    const s = summarize(m.latencies.sort((a, b) => a - b));
    const result = {
      ...(values.nice !== undefined ? { nice: Number(values.nice) } : {}),
      rate, achieved: Math.round(m.latencies.length / m.seconds), requests: m.latencies.length, errors: m.errors, limit, people: people.length,
      ...s, ...m.cpu, loadAverage: load, slowRequests: m.slow.length, serverRssMB, preparation, target: { p99Ms: 10 }, met: s.p99Ms <= 10,
    };
    await server.stop();
    const probe = values.probe ? probeSummary(server.stderr(), m.startWall, m.seconds, m.slow) : undefined;
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...result, probe })}\n`
        : `serving ${limit} items at ${rate} req/s to ${people.length} people: p50 ${s.p50Ms.toFixed(2)} ms, p90 ${s.p90Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(1)} ms ` +
            `(${result.achieved} req/s answered, errors ${JSON.stringify(m.errors)}; CPU cores: server ${m.cpu.serverCores}, generator ${m.cpu.generatorCores}, other ${m.cpu.otherCpuCores}; load average ${load.join(' ')}; server RSS ${serverRssMB} MB${values.nice !== undefined ? `; server and generator at nice ${values.nice}` : ''})\n` +
            (probe ? `probe: ${JSON.stringify(probe)}\n` : ''),
    );
  } finally {
    await server.stop();
  }
}

/** every thread of a process (Linux: /proc/PID/task) */
function renice(pid: number, n: number): void {
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) os.setPriority(Number(tid), n);
}

/** the server's resident memory (Linux: /proc/PID/status) */
function rssMB(pid: number): number | null {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

function post(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** GC pauses and event-loop delay of the measured phase, from the probe's line on the server's stderr */
function probeSummary(stderr: string, startWall: number, secs: number, slow: { at: number; ms: number }[]) {
  const line = stderr.split('\n').find((l) => l.startsWith('hx-probe '));
  if (!line) return { error: 'no probe output' };
  const p = JSON.parse(line.slice(9)) as { timeOrigin: number; gcs: { at: number; ms: number; kind: string }[]; seconds: { at: number; p50: number; p99: number; max: number; heapMB: number }[] };
  const from = startWall - p.timeOrigin;
  const to = from + secs * 1000;
  const gcs = p.gcs.filter((g) => g.at >= from && g.at < to);
  const byKind: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  for (const g of gcs) {
    const k = (byKind[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count++;
    k.totalMs = round(k.totalMs + g.ms);
    k.maxMs = Math.max(k.maxMs, g.ms);
  }
  const secsIn = p.seconds.filter((x) => x.at >= from && x.at < to + 1000);
  const delayMax = secsIn.map((x) => x.max).sort((a, b) => a - b);
  return {
    gc: byKind,
    longestGcs: [...gcs].sort((a, b) => b.ms - a.ms).slice(0, 5).map((g) => ({ atS: round((g.at - from) / 1000), ms: g.ms, kind: g.kind })),
    eventLoopDelayMaxPerSecond: { p50: round(percentile(delayMax, 50)), p90: round(percentile(delayMax, 90)), max: round(delayMax[delayMax.length - 1] ?? NaN) },
    heapMB: secsIn.length ? { first: secsIn[0]!.heapMB, last: secsIn[secsIn.length - 1]!.heapMB } : null,
    slowestSeconds: Object.entries(slow.reduce<Record<string, number>>((a, r) => ((a[Math.floor(r.at / 1000)] = (a[Math.floor(r.at / 1000)] ?? 0) + 1), a), {}))
      .sort((a, b) => b[1] - a[1]).slice(0, 5).map(([sec, n]) => ({ second: Number(sec), over10ms: n })),
  };
}

/**
 * Keep-alive HTTP/1.1 GETs on raw sockets: each connection carries one request at a time; a request waits
 * for a free connection (that wait is part of its latency). Answers need a Content-Length (Fastify's).
 */
class Pool {
  private readonly free: Conn[] = [];
  private readonly queue: { path: string; cb: (status: number) => void }[] = [];
  private readonly all: Conn[] = [];

  constructor(host: string, port: number, size: number, private readonly headers: string) {
    for (let i = 0; i < size; i++) {
      const c = new Conn(host, port, () => this.release(c));
      this.all.push(c);
      this.free.push(c);
    }
  }

  get(p: string, cb: (status: number) => void): void {
    const c = this.free.pop();
    if (c) c.send(`GET ${p} HTTP/1.1\r\nHost: x\r\n${this.headers}\r\n`, cb);
    else this.queue.push({ path: p, cb });
  }

  private release(c: Conn): void {
    const next = this.queue.shift();
    if (next) c.send(`GET ${next.path} HTTP/1.1\r\nHost: x\r\n${this.headers}\r\n`, next.cb);
    else this.free.push(c);
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

class Conn {
  private socket: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private cb: ((status: number) => void) | null = null;

  constructor(private readonly host: string, private readonly port: number, private readonly onFree: () => void) {}

  send(request: string, cb: (status: number) => void): void {
    this.cb = cb;
    (this.socket ?? this.connect()).write(request);
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    const s = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', () => this.done(0, true));
    s.on('close', () => {
      if (this.socket === s) this.done(0, true);
    });
    this.socket = s;
    return s;
  }

  private done(status: number, drop: boolean): void {
    if (drop) {
      this.socket?.destroy();
      this.socket = null;
    }
    const cb = this.cb;
    this.cb = null;
    if (cb) {
      cb(status);
      this.onFree();
    }
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const end = this.buf.indexOf(HEADER_END);
    if (end === -1) return;
    const head = this.buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) return this.done(-1, true);
    if (this.buf.length < end + 4 + Number(m[1])) return;
    this.buf = Buffer.alloc(0);
    this.done(Number(head.slice(9, 12)), /\r\nconnection:\s*close/i.test(head));
  }
}

await main();
