import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabase, testPostgres } from '../support/postgres.ts';
import { eventually, repoRoot, tmpDataDir } from '../support/server.ts';

// Two worker processes against the real Postgres server: kill -9 the leader, the other takes over
// within 10 s, and no (job, slot) ran twice.

// the test runner's Postgres server, else one started for this file
const postgres = testPostgres();

interface Proc {
  proc: ChildProcess;
  /** stdout lines with the time each arrived */
  lines: { at: number; text: string }[];
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<{ at: number; text: string }>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) clean[k] = v;
  delete clean.NODE_TEST_CONTEXT;
  const proc = spawn(process.execPath, args, { cwd: repoRoot, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { at: number; text: string }[] = [];
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const text of s.split('\n')) if (text.trim()) lines.push({ at: Date.now(), text });
  });
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const output = () => `--- stdout ---\n${out}\n--- stderr ---\n${err}`;
  return {
    proc, lines, output,
    async waitFor(re, timeoutMs = 60_000) {
      const hit = await eventually(async () => lines.find((l) => re.test(l.text)) ?? (proc.exitCode !== null ? 'exited' : null), timeoutMs, 20);
      if (!hit || hit === 'exited') throw new Error(`no line matching ${re}\n${output()}`);
      return hit;
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('leader fail-over between two worker processes (the job runner)', () => {
  it('the follower takes over within 10 s of a kill -9 and no (job, slot) runs twice', async (t) => {
    const url = await createDatabase(postgres.url(), `jobs_failover_${process.pid}`);
    await query(url, 'CREATE TABLE job_test_log (job text NOT NULL, slot bigint NOT NULL, node text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
    const entry = path.join(repoRoot, 'test', 'jobs', 'tickWorker.ts');
    const a = start(['--import', 'tsx', entry, 'node-a'], { HX_DATABASE_URL: url });
    t.after(() => a.kill9());
    await a.waitFor(/^elected /);
    const b = start(['--import', 'tsx', entry, 'node-b'], { HX_DATABASE_URL: url });
    t.after(() => b.kill9());
    await b.waitFor(/^ready$/);
    // both run side by side for a while; only the leader runs the job
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(b.lines.some((l) => l.text.startsWith('elected')), false, `node-b must not lead while node-a does\n${b.output()}`);
    const before = await query<{ node: string; n: number }>(url, 'SELECT node, count(*)::int AS n FROM job_test_log GROUP BY node');
    assert.deepEqual(before.map((r) => r.node), ['node-a']);
    assert.ok(before[0]!.n >= 3, `node-a ran ${before[0]!.n} slots in 2.5 s`);

    const killedAt = Date.now();
    await a.kill9();
    const elected = await b.waitFor(/^elected /, 15_000);
    const takeoverMs = elected.at - killedAt;
    assert.ok(takeoverMs <= 10_000, `node-b took over after ${takeoverMs} ms`);
    // node-b runs the job from then on
    await eventually(async () => (await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM job_test_log WHERE node = 'node-b'`))[0]!.n >= 3, 10_000);
    await b.stop();

    const log = await query<{ slot: string; node: string }>(url, 'SELECT slot::text, node FROM job_test_log ORDER BY slot');
    const slots = log.map((r) => r.slot);
    const twice = slots.filter((s, i) => slots.indexOf(s) !== i);
    assert.deepEqual(twice, [], 'no slot ran twice');
    // every run of node-b comes after every run of node-a (one leader at a time)
    const lastA = Math.max(...log.filter((r) => r.node === 'node-a').map((r) => Number(r.slot)));
    const firstB = Math.min(...log.filter((r) => r.node === 'node-b').map((r) => Number(r.slot)));
    assert.ok(firstB > lastA, `node-b's first slot ${firstB} after node-a's last ${lastA}`);
    // every run was claimed in job_runs by the node that ran it, and finished runs are marked done
    const claims = await query<{ slot: string; node: string; status: string }>(url, `SELECT slot::text, node, status FROM job_runs WHERE job = 'test.tick'`);
    const claimOf = new Map(claims.map((c) => [c.slot, c]));
    for (const r of log) assert.equal(claimOf.get(r.slot)?.node, r.node, `slot ${r.slot} claimed by the node that ran it`);
    assert.ok(claims.filter((c) => c.node === 'node-b').every((c) => c.status === 'done'), 'node-b stopped cleanly: its runs are done');
    t.diagnostic(`take-over after ${takeoverMs} ms; ${log.length} runs (${before[0]!.n} by node-a before the kill)`);
  });
});

describe('leader fail-over between two `huaxiang serve --role worker` processes', () => {
  it('one leads, the other takes over within 10 s of a kill -9; /readyz says who leads', async (t) => {
    const url = await createDatabase(postgres.url(), `jobs_serve_${process.pid}`);
    const bin = path.join(repoRoot, 'bin', 'huaxiang.js');
    // every node of a deployment shares the master key (docs/deploy.md)
    const masterKey = randomBytes(32).toString('base64');
    const worker = (name: string) => {
      const p = start([bin, 'serve', '--role', 'worker', '--data', tmpDataDir(t, `hx-worker-${name}-`), '--port', '0', '--log-level', 'warn'], {
        HX_DATABASE_URL: url,
        HX_NODE_NAME: name,
        HX_MASTER_KEY: masterKey,
      });
      t.after(() => p.kill9());
      return p;
    };
    const ready = async (p: Proc) => {
      const line = await p.waitFor(/listening on (http:\/\/\S+)/, 120_000);
      return /listening on (http:\/\/\S+)/.exec(line.text)![1]!;
    };
    const readyz = async (u: string) => (await (await fetch(`${u}/readyz`)).json()) as { ready: boolean; leader: boolean; leaderNode: string | null; role: string };
    const a = worker('worker-a');
    const urlA = await ready(a);
    await eventually(async () => (await readyz(urlA)).leader, 15_000);
    const b = worker('worker-b');
    const urlB = await ready(b);
    const rb = await readyz(urlB);
    assert.equal(rb.ready, true);
    assert.equal(rb.role, 'worker');
    assert.equal(rb.leader, false);
    assert.equal(rb.leaderNode, 'worker-a');
    // a worker serves no API
    assert.equal((await fetch(`${urlB}/api/v1/segments`)).status, 404);

    // worker-a ran its start-up loyalty maintenance, claimed for this hour's slot
    const claimed = await eventually(async () => (await query<{ slot: string; node: string }>(url, `SELECT slot::text, node FROM job_runs WHERE job = 'loyalty.maintain' ORDER BY slot LIMIT 1`))[0], 15_000);
    assert.equal(claimed?.node, 'worker-a');

    const killedAt = Date.now();
    await a.kill9();
    const led = await eventually(async () => (await readyz(urlB)).leader, 10_000, 100);
    assert.ok(led, `worker-b did not take over within 10 s\n${b.output()}`);
    const takeoverMs = Date.now() - killedAt;
    assert.equal((await readyz(urlB)).leaderNode, 'worker-b');
    // worker-b's own start-up run of loyalty maintenance (1 s after its election) finds this hour's slot
    // taken by worker-a and does not run it again; only the next hour's slot would be worker-b's
    await new Promise((r) => setTimeout(r, 2500));
    const runs = await query<{ slot: string; node: string }>(url, `SELECT slot::text, node FROM job_runs WHERE job = 'loyalty.maintain' ORDER BY slot`);
    assert.deepEqual(runs.filter((r) => r.slot === claimed!.slot), [{ slot: claimed!.slot, node: 'worker-a' }], 'the slot worker-a ran was not run again');
    // any run of worker-b's is for a later hour (only when the test happens to cross one)
    for (const r of runs.filter((x) => x.node === 'worker-b')) assert.ok(Number(r.slot) > Number(claimed!.slot));
    await b.stop();
    t.diagnostic(`serve --role worker take-over after ${takeoverMs} ms`);
  });
});
