import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, repoRoot, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'import', 'taobao', 'userbehavior.csv');

describe('import while serve holds the data dir', () => {
  let server: SpawnedServer;
  const dataDir = tmpDataDir();
  before(async () => {
    server = await spawnServer({ dataDir });
  });
  after(async () => server?.stop());

  it('hands the work to the server instead of opening the stores twice', () => {
    assert.ok(fs.existsSync(fixture), fixture);
    const r = spawnSync(process.execPath, ['bin/huaxiang.js', 'import', fixture, '--format', 'taobao-userbehavior', '--data', dataDir], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, HX_ADMIN_TOKEN: '' },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /held by the server at http:\/\/127\.0\.0\.1:\d+; importing through it/);
    assert.match(r.stdout, /imported \d+ events from \d+ rows/);
  });

  it('the server then shows the imported users', async () => {
    const firstUser = fs.readFileSync(fixture, 'utf8').split('\n')[0]!.split(',')[0]!;
    const res = await api(server.url, server.adminToken).get(`/api/v1/profiles/${firstUser}`);
    assert.equal(res.status, 200);
    assert.ok(Object.values(res.body.eventCounts as Record<string, number>).reduce((a, b) => a + b, 0) > 0);
  });

  it('refuses a relative path and an unknown format with the field named', async () => {
    const a = api(server.url, server.adminToken);
    const rel = await a.post('/api/v1/imports', { path: 'x.csv', format: 'taobao-userbehavior' });
    assert.equal(rel.status, 400);
    assert.equal(rel.body.error.details[0].path, 'body.path');
    const fmt = await a.post('/api/v1/imports', { path: fixture, format: 'excel' });
    assert.equal(fmt.status, 400);
    assert.equal(fmt.body.error.details[0].path, 'body.format');
  });
});
