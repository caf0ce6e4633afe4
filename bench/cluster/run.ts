// Multi-node ingestion load test (docs/deploy.md, "Scaling model"). Starts N `huaxiang serve --role api`
// processes on consecutive ports, all on one ClickHouse server (or cluster) and one Postgres server given
// by URL, drives POST /v1/batch through them round-robin (client connection i goes to node i mod N) and
// prints events/s per node and in total. Afterwards the nodes are stopped (SIGTERM flushes their queues)
// and the events of this run are counted in ClickHouse: every acknowledged event must be there.
//
//   HX_CLICKHOUSE_URL=http://ch:8123 HX_DATABASE_URL=postgres://hx@pg/hx \
//   [HX_CLICKHOUSE_USER=… HX_CLICKHOUSE_PASSWORD=… HX_CLICKHOUSE_DATABASE=… HX_CLICKHOUSE_CLUSTER=…] \
//   node bin/run-ts.js bench/cluster/run.ts [--nodes 3] [--clients 48] [--seconds 20] [--warmup 5] [--base-port 18080]
//                                           [--host 127.0.0.1] [--remote URL,URL,…]
//
// `--remote` drives API nodes already running elsewhere (one per machine, started with `serve --role api`
// and the same HX_WRITE_KEY) instead of starting local ones: the way to measure N machines.
//
// Without HX_CLICKHOUSE_URL the script says why and exits with code 2: the embedded engine (chdb) belongs
// to one process, so several API processes need a ClickHouse server. `--check-embedded` runs the same
// script with one local node on its embedded stores, to check the script itself (not a cluster figure).
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import pg from 'pg';
import { runLoad, summarize, type LoadResult } from '../lib/load.ts';
import { cpuSeconds, repoRoot, runTs, systemBusySeconds } from '../lib/proc.ts';
import { stamp, synthesize } from '../lib/synth.ts';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    clients: { type: 'string', default: '48' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    'base-port': { type: 'string', default: '18080' },
    host: { type: 'string', default: '127.0.0.1' },
    remote: { type: 'string' },
    'check-embedded': { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (k: 'nodes' | 'clients' | 'seconds' | 'warmup' | 'base-port') => {
  const n = Number(flags[k]);
  if (!Number.isInteger(n) || n < 0) stop(1, `--${k} must be a whole number, got '${flags[k]}'`);
  return n;
};
const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'cluster', ...o }) + '\n');
const log = (s: string) => process.stderr.write(`# ${s}\n`);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
function stop(code: number, reason: string): never {
  emit({ case: 'stopped', reason });
  process.stderr.write(`bench/cluster: ${reason}\n`);
  process.exit(code);
}

const embedded = flags['check-embedded'];
const chUrl = process.env.HX_CLICKHOUSE_URL;
const pgUrl = process.env.HX_DATABASE_URL;
const chDatabase = process.env.HX_CLICKHOUSE_DATABASE || 'huaxiang';
if (!embedded) {
  if (!chUrl) {
    stop(2, 'no ClickHouse server: set HX_CLICKHOUSE_URL (e.g. http://ch:8123). The embedded engine (chdb) belongs to one process, so several API processes need a ClickHouse server; --check-embedded checks this script on one embedded node.');
  }
  if (!pgUrl) stop(2, 'no Postgres server: set HX_DATABASE_URL (postgres://…). API nodes share identities, keys and definitions through it.');
}
const nodes = embedded ? 1 : flags.remote ? flags.remote.split(',').length : num('nodes');
if (nodes < 1) stop(1, '--nodes must be ≥ 1');
const clients = Math.max(num('clients'), nodes);

// both servers answer before anything starts
const ch = chUrl ? createClient({ url: chUrl, username: process.env.HX_CLICKHOUSE_USER || 'default', password: process.env.HX_CLICKHOUSE_PASSWORD ?? '', log: { level: ClickHouseLogLevel.OFF } }) : null;
if (ch) {
  try {
    const rs = await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    log(`ClickHouse ${(await rs.json<{ v: string }>())[0]!.v} at ${chUrl}`);
  } catch (err) {
    stop(2, `the ClickHouse server at ${chUrl} does not answer: ${(err as Error).message}`);
  }
}
if (pgUrl) {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    log(`Postgres ${(await c.query('SHOW server_version')).rows[0].server_version}`);
  } catch (err) {
    stop(2, `the Postgres server does not answer: ${(err as Error).message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

// one set of secrets for every node of this run (a deployment shares them the same way)
const writeKey = process.env.HX_WRITE_KEY || `hxw_bench_${randomBytes(12).toString('base64url')}`;
const shared: Record<string, string> = {
  HX_WRITE_KEY: writeKey,
  HX_ADMIN_TOKEN: process.env.HX_ADMIN_TOKEN || `hxa_bench_${randomBytes(18).toString('base64url')}`,
  HX_MASTER_KEY: process.env.HX_MASTER_KEY || randomBytes(32).toString('base64'),
  // throughput, not the per-key rate limits
  HX_API_RATE_PER_MINUTE: '0',
  HX_INGEST_RATE_PER_MINUTE: '0',
};
for (const k of ['HX_CLICKHOUSE_URL', 'HX_CLICKHOUSE_USER', 'HX_CLICKHOUSE_PASSWORD', 'HX_CLICKHOUSE_DATABASE', 'HX_CLICKHOUSE_CLUSTER', 'HX_DATABASE_URL']) {
  if (!embedded && process.env[k]) shared[k] = process.env[k]!;
}

interface Node {
  url: string;
  pid?: number;
  dataDir?: string;
  child?: ChildProcess;
  stop(): Promise<void>;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-cluster-'));
const started: Node[] = [];
process.once('exit', () => {
  for (const n of started) n.child?.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

function startNode(i: number): Promise<Node> {
  const dataDir = path.join(tmp, `node${i}`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) env[k] = v;
  Object.assign(env, shared, { HX_NODE_NAME: `bench-api-${i}` });
  const port = embedded ? 0 : num('base-port') + i;
  const args = [path.join(repoRoot, 'bin/huaxiang.js'), 'serve', '--data', dataDir, '--host', flags.host!, '--port', String(port), '--log-level', 'warn'];
  if (!embedded) args.push('--role', 'api');
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${i} did not start in 120 s:\n${err}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const node: Node = {
        url: m[1]!, pid: child.pid, dataDir, child,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 300_000);
          await exited;
          clearTimeout(t);
        },
      };
      started.push(node);
      resolve(node);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${i} exited (${code}) before listening:\n${err}`));
    });
  });
}

async function waitReady(n: Node): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await fetch(`${n.url}/readyz`).then((x) => x.status, () => 0);
    if (r === 200) return;
    if (Date.now() > deadline) throw new Error(`${n.url}/readyz did not answer 200 within 120 s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

let list: Node[];
if (flags.remote) {
  list = flags.remote.split(',').map((url) => ({ url: url.replace(/\/$/, ''), stop: async () => undefined }));
  log(`driving ${list.length} running API nodes: ${list.map((n) => n.url).join(', ')} (HX_WRITE_KEY must be the one they accept)`);
} else {
  log(`starting ${nodes} API node(s)${embedded ? ' on embedded stores (script check)' : ' (serve --role api)'}, data dirs under ${tmp}`);
  // the first node applies the migrations; the others start side by side after it
  const first = await startNode(0);
  list = [first, ...(await Promise.all(Array.from({ length: nodes - 1 }, (_, i) => startNode(i + 1))))];
}
await Promise.all(list.map(waitReady));
log(`ready: ${list.map((n) => n.url).join(', ')}`);

const runTag = `c${Date.now().toString(36)}`;
const synth = synthesize({ runTag });
const headers = { Authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'Content-Type': 'application/json' };
// connections spread round-robin: node i gets every N-th of the client connections
const perNode = list.map((_, i) => Math.floor(clients / list.length) + (i < clients % list.length ? 1 : 0));
const SEQ_SPAN = 100_000_000;
const cpu0 = list.map((n) => (n.pid ? cpuSeconds(n.pid) ?? 0 : 0));
const busy0 = systemBusySeconds();
const t0 = Date.now();
log(`load: ${clients} connections (${perNode.join('/')} per node) × 100-event batches, ${num('warmup')} s warm-up + ${num('seconds')} s`);
const results: LoadResult[] = await Promise.all(
  list.map((n, i) =>
    runLoad({
      url: n.url,
      path: '/v1/batch',
      headers,
      clients: perNode[i]!,
      warmupMs: num('warmup') * 1000,
      durationMs: num('seconds') * 1000,
      eventsPerRequest: synth.batchSize,
      firstSeq: i * SEQ_SPAN,
      body: (seq) => stamp(synth.batch[seq % synth.batch.length]!, seq),
    }),
  ),
);
const wallSeconds = (Date.now() - t0) / 1000;
const busy = systemBusySeconds() - busy0;

let total = 0;
const acknowledged = results.reduce((s, r) => s + r.warmup.events + r.measured.events, 0);
for (const [i, r] of results.entries()) {
  const rate = r.measured.events / r.seconds;
  total += rate;
  const lat = summarize(r.measured.latencies);
  const cpu = list[i]!.pid ? (cpuSeconds(list[i]!.pid!) ?? 0) - cpu0[i]! : null;
  emit({
    case: 'node', node: i, url: list[i]!.url, clients: perNode[i], events: r.measured.events, seconds: round(r.seconds, 2),
    eventsPerSec: round(rate), p50Ms: round(lat.p50Ms, 1), p99Ms: round(lat.p99Ms, 1), errors: r.measured.errors,
    ...(cpu === null ? {} : { cpuSeconds: round(cpu, 1) }),
  });
}
emit({
  case: 'total', nodes: list.length, clients, eventsPerSec: round(total), perNodeMean: round(total / list.length),
  generatorCpuSeconds: round(results.reduce((s, r) => s + r.generatorCpuSeconds, 0), 1),
  machineBusyCores: round(busy / wallSeconds, 2), cores: os.cpus().length,
  note: flags.remote ? 'remote nodes' : `${list.length} node(s) and the load generator on this ${os.cpus().length}-core machine`,
});

log('stopping the nodes (SIGTERM flushes their queues)');
await Promise.all(list.map((n) => n.stop()));
let stored: number;
if (ch) {
  const rs = await ch.query({
    query: `SELECT count() AS n FROM ${chDatabase}.events WHERE startsWith(message_id, {tag:String})`,
    query_params: { tag: runTag },
    format: 'JSONEachRow',
  });
  stored = Number((await rs.json<{ n: number }>())[0]!.n);
  await ch.close();
} else {
  stored = (JSON.parse(await runTs('bench/lib/count.ts', [list[0]!.dataDir!, runTag])) as { events: number }).events;
}
emit({ case: 'verify', acknowledged, stored, ok: stored === acknowledged });
if (flags.remote) log('remote nodes keep queued events until they flush (15 ms) — run the count again if it is short');
process.exit(stored === acknowledged || flags.remote ? 0 : 1);
