import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';
import { api, eventually, tmpDataDir } from '../support/server.ts';

// GET /readyz over real HTTP, for each role: ready only when both stores answer, every migration is
// recorded and (for a worker) the job runner is up. Servers run one after another on one data dir, as
// the embedded ClickHouse belongs to one directory per process.

// the test runner's Postgres server, else one started for this file
const pg = testPostgres();
const dataDir = tmpDataDir(after, 'hx-readyz-');

interface Ready {
  ready: boolean;
  role: string;
  node: string;
  checks: { olap: string; oltp: string; migrations: string; jobs: string };
  leader: boolean;
  leaderNode: string | null;
}

const oltpMigrations = fs.readdirSync(new URL('../../src/store/oltp/migrations/', import.meta.url)).filter((f) => /^\d{3}_.*\.sql$/.test(f)).sort();

describe('/readyz', () => {
  let server: Server | undefined;
  after(async () => server?.close());

  it('one machine (role all, embedded stores): ready, and this node leads', async () => {
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', nodeName: 'solo', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    const r = await api(server.url).get<Ready>('/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      ready: true, role: 'all', node: 'solo',
      checks: { olap: 'ok', oltp: 'ok', migrations: 'ok', jobs: 'ok' },
      leader: true, leaderNode: 'solo',
    });
    // liveness stays where it was
    assert.equal((await api(server.url).get('/healthz')).status, 200);

    // a migration this code carries but the store has not recorded: not ready, and the answer names it
    const last = oltpMigrations.at(-1)!;
    const version = Number(last.slice(0, 3));
    await server.rt.oltp.query('DELETE FROM schema_migrations WHERE version = $1', [version]);
    const pending = await api(server.url).get<Ready>('/readyz');
    assert.equal(pending.status, 503);
    assert.equal(pending.body.ready, false);
    assert.equal(pending.body.checks.migrations, `pending: oltp ${last.replace(/\.sql$/, '')}`);
    await server.rt.oltp.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, last.replace(/\.sql$/, '')]);
    assert.equal((await api(server.url).get('/readyz')).status, 200);
    await server.close();
    server = undefined;
  });

  it('a worker on a Postgres server: serves only the ops endpoints, is ready while its job runner is up', async () => {
    const databaseUrl = await createDatabase(pg.url(), `readyz_worker_${process.pid}`);
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', role: 'worker', nodeName: 'w1', databaseUrl }));
    const ops = api(server.url);
    const r = await eventually(async () => {
      const x = await ops.get<Ready>('/readyz');
      return x.body.leader ? x : null;
    }, 10_000);
    assert.ok(r, 'the only worker is elected');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      ready: true, role: 'worker', node: 'w1',
      checks: { olap: 'ok', oltp: 'ok', migrations: 'ok', jobs: 'ok' },
      leader: true, leaderNode: 'w1',
    });
    assert.equal((await ops.get('/healthz')).status, 200);
    const metrics = await ops.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^hx_process_cpu_seconds_total/m);
    assert.match(metrics.text, /^hx_job_leader 1$/m);
    // no ingestion, admin API or dashboard on a worker
    assert.equal((await ops.get('/api/v1/segments')).status, 404);
    assert.equal((await fetch(`${server.url}/v1/batch`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await ops.get('/')).status, 404);
    assert.equal(server.adminToken, '', 'a worker creates no credentials');

    // the job runner stopped: the worker is alive but not ready, and no longer leads
    await server.rt.jobs.stop();
    const down = await ops.get<Ready>('/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.ready, false);
    assert.equal(down.body.checks.jobs, 'the job runner is not running');
    assert.equal(down.body.leader, false);
    assert.equal(down.body.leaderNode, null);
    assert.match((await ops.get('/metrics')).text, /^hx_job_leader 0$/m);
    assert.equal((await ops.get('/healthz')).status, 200);
    await server.close();
    server = undefined;
  });

  it('an api node never schedules: ready without a job runner, and no job runs there', async () => {
    const databaseUrl = await createDatabase(pg.url(), `readyz_api_${process.pid}`);
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', role: 'api', nodeName: 'a1', databaseUrl }));
    const r = await api(server.url).get<Ready>('/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      ready: true, role: 'api', node: 'a1',
      checks: { olap: 'ok', oltp: 'ok', migrations: 'ok', jobs: 'not used' },
      leader: false, leaderNode: null,
    });
    // the API is served
    assert.equal((await api(server.url, server.adminToken).get('/api/v1/segments')).status, 200);
    // loyalty maintenance would have run 1 s after an election; an api node never campaigns
    await new Promise((res) => setTimeout(res, 1500));
    assert.deepEqual(await server.rt.oltp.query('SELECT job FROM job_runs'), []);
    await server.close();
    server = undefined;
  });
});
