import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, ingest, tmpDataDir } from '../support/server.ts';

/**
 * A secret key restricted from personal data: the same viewer role, but the profile's traits come without
 * any personal field — not even masked (named ones, encrypted ones under the shop's own names, and free text
 * holding a phone number) — and unmasking is refused; an ordinary viewer sees them masked.
 */
const dataDir = tmpDataDir(after, 'hx-restricted-');
let server: Server;
let restricted: ReturnType<typeof api>;
let viewer: ReturnType<typeof api>;

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }), 'test');
  const admin = api(server.url, server.adminToken);
  const r = await admin.post('/api/v1/keys', { kind: 'secret', name: 'BI', role: 'viewer', restrictedPii: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.restrictedPii, true);
  restricted = api(server.url, r.body.key);
  viewer = api(server.url, (await admin.post('/api/v1/keys', { kind: 'secret', name: 'desk', role: 'viewer' })).body.key);
  const sent = await ingest(server.url, server.writeKey).send('batch', {
    batch: [{ type: 'identify', userId: 'rp-1', messageId: 'rp-1-i', traits: { email: 'rp@example.com', name: '王芳', mobile_no: '13811112222', note: 'call 13811112222', plan: 'gold', city_tier: '一线' } }],
  });
  assert.equal(sent.status, 200, sent.text);
  const bad = await admin.post('/api/v1/keys', { kind: 'write', name: 'x', restrictedPii: true });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /^body\.restrictedPii/);
});
after(async () => server?.close());

it('leaves personal fields out for a restricted key, masks them for a viewer, and refuses to unmask', async () => {
  const seen = await viewer.get('/api/v1/profiles/rp-1');
  assert.equal(seen.status, 200, seen.text);
  assert.equal(seen.body.traits.email, 'r***@example.com');
  assert.equal(seen.body.traits.mobile_no, '138****2222');
  const hidden = await restricted.get('/api/v1/profiles/rp-1');
  assert.equal(hidden.status, 200, hidden.text);
  assert.deepEqual(Object.keys(hidden.body.traits).sort(), ['city_tier', 'plan']);
  assert.equal((await restricted.get('/api/v1/profiles/rp-1?unmask=true')).status, 403);
});
