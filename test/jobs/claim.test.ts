import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AdvisoryLockLeader, JobRunner, SoleLeader } from '../../src/jobs/index.ts';
import { openOltp, type OltpStore } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';
import { eventually } from '../support/server.ts';

// The claim of a (job, slot), the leadership fence and the runner's slots, on the real Postgres server
// and on PGlite.

const log = pino({ level: 'silent' });
// the test runner's Postgres server, else one started for this file
const pg = testPostgres();

describe('claiming a job slot on a Postgres server', () => {
  let url: string;
  const stores: OltpStore[] = [];
  before(async () => {
    url = await createDatabase(pg.url(), `jobs_claim_${process.pid}`);
  });
  after(async () => {
    for (const s of stores) await s.close();
  });
  const store = async () => {
    const s = await openOltp({ url });
    stores.push(s);
    return s;
  };

  it('two runners racing on the same slots: exactly one wins each', async () => {
    // two processes' worth of connections, each claiming unfenced (as two leaders would)
    const [a, b] = [await store(), await store()];
    const ra = new JobRunner({ oltp: a, log, leadership: new SoleLeader('a', a) });
    const rb = new JobRunner({ oltp: b, log, leadership: new SoleLeader('b', b) });
    const slots = Array.from({ length: 40 }, (_, i) => 1_000 + i);
    const results = await Promise.all(slots.flatMap((slot) => [ra.claim('race', slot, 'schedule'), rb.claim('race', slot, 'schedule')]));
    for (let i = 0; i < slots.length; i++) {
      const [wonA, wonB] = [results[2 * i]!, results[2 * i + 1]!];
      assert.equal(Number(wonA) + Number(wonB), 1, `slot ${slots[i]}: a ${wonA}, b ${wonB}`);
    }
    const rows = await a.query<{ slot: number; node: string }>(`SELECT slot, node FROM job_runs WHERE job = 'race' ORDER BY slot`);
    assert.equal(rows.length, slots.length);
    // the row names the node whose claim returned true
    for (const [i, r] of rows.entries()) assert.equal(r.node, results[2 * i] ? 'a' : 'b');
    // a slot already claimed stays claimed, later too
    assert.equal(await ra.claim('race', 1_000, 'startup'), false);
    assert.equal(await rb.claim('race', 1_000, 'startup'), false);
  });

  it('the advisory lock elects one leader; a follower cannot claim, and takes over when the leader goes', async () => {
    const oltp = await store();
    const la = new AdvisoryLockLeader({ url, node: 'la', log, retryMs: 100 });
    const lb = new AdvisoryLockLeader({ url, node: 'lb', log, retryMs: 100 });
    const ra = new JobRunner({ oltp, log, leadership: la });
    const rb = new JobRunner({ oltp, log, leadership: lb });
    try {
      ra.start();
      await eventually(async () => la.leader, 5000, 20);
      rb.start();
      // lb has had many tries by now
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(lb.leader, false);
      assert.equal(await rb.claim('fenced', 1, 'schedule'), false, "the follower's claim is refused by the fence");
      assert.equal(await ra.claim('fenced', 1, 'schedule'), true);
      assert.deepEqual(await oltp.query(`SELECT node FROM job_runs WHERE job = 'fenced'`), [{ node: 'la' }]);
      await ra.stop();
      assert.equal(la.leader, false);
      await eventually(async () => lb.leader, 5000, 20);
      assert.equal(await rb.claim('fenced', 2, 'schedule'), true);
      assert.equal(await rb.claim('fenced', 1, 'schedule'), false, 'a slot the old leader claimed is not run again');
    } finally {
      await ra.stop();
      await rb.stop();
    }
  });
});

describe('the job runner on embedded PGlite (the sole leader)', () => {
  it('runs a job once per slot and records how each run ended', async () => {
    const oltp = await openOltp({ dataDir: ':memory:' });
    const registry = new Registry();
    const runner = new JobRunner({ oltp, log, registry, leadership: new SoleLeader('solo', oltp), tickMs: 20 });
    const seen: { slot: number; trigger: string }[] = [];
    runner.add({
      name: 'ok',
      everyMs: 100,
      atStartMs: 0,
      run: async (trigger, slot) => void seen.push({ slot, trigger }),
    });
    runner.add({
      name: 'bad',
      everyMs: 100,
      run: async () => {
        throw new Error('boom');
      },
    });
    try {
      runner.start();
      assert.equal(runner.state().leader, true);
      await eventually(async () => seen.length >= 5, 5000, 20);
      await eventually(async () => (await oltp.query(`SELECT 1 FROM job_runs WHERE job = 'bad' AND status = 'failed'`)).length >= 2, 5000, 20);
    } finally {
      await runner.stop();
    }
    assert.equal(runner.state().up, false);
    // the first run is the start-up run, in the slot of the election; then one per slot, in order, none twice
    assert.equal(seen[0]!.trigger, 'startup');
    assert.ok(seen.slice(1).every((s) => s.trigger === 'schedule'));
    const slots = seen.map((s) => s.slot);
    assert.deepEqual(slots, [...new Set(slots)].sort((x, y) => x - y), 'slots increase, none twice');
    const runs = await oltp.query<{ slot: number; trigger: string; status: string; node: string }>(`SELECT slot, trigger, status, node FROM job_runs WHERE job = 'ok' ORDER BY slot`);
    assert.deepEqual(runs.map((r) => [Number(r.slot), r.trigger, r.status, r.node]), seen.map((s) => [s.slot, s.trigger, 'done', 'solo']));
    const bad = await oltp.query<{ status: string; error: string }>(`SELECT status, error FROM job_runs WHERE job = 'bad'`);
    assert.ok(bad.length >= 2 && bad.every((r) => r.status === 'failed' && r.error === 'boom'));
    // the metrics count the same runs
    const counted = (await registry.getSingleMetric('hx_job_runs_total')!.get()).values;
    const count = (job: string, status: string) => counted.find((v) => v.labels.job === job && v.labels.status === status)?.value ?? 0;
    assert.equal(count('ok', 'done'), runs.length);
    assert.equal(count('bad', 'failed'), bad.length);
    assert.equal((await registry.getSingleMetric('hx_job_leader')!.get()).values[0]!.value, 0, 'stopped: no longer the leader');
    await oltp.close();
  });
});
