import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, ingest, repoRoot, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * `huaxiang export-user` and `huaxiang erase`: through the server while `serve` holds the data dir, and on
 * the stores directly once it has stopped. Both write an audit entry.
 */

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['bin/huaxiang.js', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HX_ADMIN_TOKEN: '' }, timeout: 300_000 });

describe('privacy commands', () => {
  const dataDir = tmpDataDir(after, 'hx-privacy-cli-');
  const outDir = tmpDataDir(after, 'hx-privacy-cli-out-');
  let server: SpawnedServer | undefined;
  const t = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

  before(async () => {
    server = await spawnServer({ dataDir, timeoutMs: 180_000 });
    const batch = ['cli-a', 'cli-b'].flatMap((u, i) => [
      { type: 'identify', userId: u, anonymousId: `${u}-dev`, messageId: `c-${i}-1`, timestamp: t(5), traits: { email: `${u}@example.com`, phone: `1370000000${i}` } },
      { type: 'track', event: 'Order Completed', userId: u, messageId: `c-${i}-2`, timestamp: t(4), properties: { order_id: `o-${i}`, revenue: 10 } },
      { type: 'track', event: 'Product Viewed', anonymousId: `${u}-dev`, messageId: `c-${i}-3`, timestamp: t(3), properties: { product_id: 'p1' } },
    ]);
    const r = await ingest(server.url, server.writeKey).send('batch', { batch });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => server?.stop());

  it('exports a person through the server that holds the data dir', () => {
    const file = path.join(outDir, 'cli-a.json');
    const r = cli(['export-user', 'cli-a-dev', '--out', file, '--data', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /held by the server at http:\/\/127\.0\.0\.1:\d+; asking it/);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(doc.personId, 'cli-a');
    assert.equal(doc.traits.email, 'cli-a@example.com');
    assert.equal(doc.stores['olap.events'].length, 3);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const unknown = cli(['export-user', 'nobody', '--data', dataDir]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /404/);
  });

  it('erases a person through the server and prints the receipt', async () => {
    const r = cli(['erase', 'cli-a', '--json', '--data', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const receipt = JSON.parse(r.stdout);
    assert.equal(receipt.stores['olap.events'], 3);
    assert.equal(receipt.stores['oltp.identities'], 2);
    assert.equal((await api(server!.url, server!.adminToken).get('/api/v1/profiles/cli-a')).status, 404);
    const log = await api(server!.url, server!.adminToken).get('/api/v1/audit?subject=cli-a');
    assert.deepEqual(log.body.entries.map((e: { action: string }) => e.action), ['profile.erase', 'profile.export']);
  });

  it('erases on the stores directly when no server holds them', async () => {
    assert.equal(await server!.stop(), 0, server!.output());
    server = undefined;
    const r = cli(['erase', 'cli-b', '--data', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /held by the server/);
    assert.match(r.stdout, /^erased cli-b \(2 ids\)/);
    assert.match(r.stdout, /olap\.events\s+3\n/);
    const again = cli(['erase', 'cli-b', '--data', dataDir]);
    assert.match(again.stdout, /nothing was held about this id/);
    assert.equal(cli(['erase', '--data', dataDir]).status, 1);
  });
});
