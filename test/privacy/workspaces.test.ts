import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { ConfigError, loadConfig, testConfig } from '../../src/config.ts';
import { workspaceOfRequest } from '../../src/server/workspaces.ts';
import { api, ingest, tmpDataDir } from '../support/server.ts';
import type { IncomingMessage } from 'node:http';

/**
 * Workspaces: one server, two shops. Each shop's keys carry its name and reach only its own data; a
 * request is routed by its key, its session cookie or a `/w/<name>/` prefix; events, profiles and keys
 * of one shop are absent from the other's stores (test/privacy/workspace-stores.test.ts: Postgres
 * schemas and the master key).
 */

const NOW = Date.now();
const ts = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const identify = (userId: string, email: string, messageId: string) => ({ type: 'identify', userId, messageId, timestamp: ts(10), traits: { email, city_tier: '一线' } });
const order = (userId: string, messageId: string) => ({ type: 'track', event: 'Order Completed', userId, messageId, timestamp: ts(5), properties: { order_id: messageId, revenue: 20 } });

const dataDir = tmpDataDir(after, 'hx-workspaces-');
let server: Server;
let shop2: { adminToken: string; writeKey: string };

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error', workspaces: ['shop2'] }), 'test');
  shop2 = server.workspaces.get('shop2')!;
});
after(async () => server?.close());

describe('workspaces over HTTP', () => {
  it('gives each workspace its own keys, marked with its name and saved in its own directory', () => {
    assert.match(shop2.adminToken, /^hxa_shop2\./);
    assert.match(shop2.writeKey, /^hxw_shop2\./);
    assert.doesNotMatch(server.adminToken, /\./, 'the default workspace keeps unmarked keys');
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'workspaces', 'shop2', 'credentials.json'), 'utf8'));
    assert.deepEqual(saved, { adminToken: shop2.adminToken, writeKey: shop2.writeKey });
    assert.equal(fs.statSync(path.join(dataDir, 'workspaces', 'shop2', 'credentials.json')).mode & 0o777, 0o600);
  });

  it('stores what each write key sends in its own workspace only', async () => {
    const a = await ingest(server.url, server.writeKey).send('batch', { batch: [identify('ws-a', 'a@example.com', 'wa-1'), order('ws-a', 'wa-2')] });
    assert.equal(a.status, 200, a.text);
    // the Basic key routes without a prefix
    const b = await ingest(server.url, shop2.writeKey).send('batch', { batch: [identify('ws-b', 'b@example.com', 'wb-1'), order('ws-b', 'wb-2')] });
    assert.equal(b.status, 200, b.text);
    // a key in the body needs the prefix
    const c = await fetch(`${server.url}/w/shop2/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: shop2.writeKey, batch: [identify('ws-c', 'c@example.com', 'wc-1')] }) });
    assert.equal(c.status, 200, await c.text());

    const main = api(server.url, server.adminToken);
    const other = api(server.url, shop2.adminToken);
    assert.equal((await main.get('/api/v1/profiles/ws-a')).status, 200);
    assert.equal((await main.get('/api/v1/profiles/ws-b')).status, 404, 'the default workspace does not see shop2 people');
    assert.equal((await main.get('/api/v1/profiles/ws-c')).status, 404);
    assert.equal((await other.get('/api/v1/profiles/ws-b')).status, 200);
    assert.equal((await other.get('/api/v1/profiles/ws-c')).status, 200);
    assert.equal((await other.get('/api/v1/profiles/ws-a')).status, 404, 'shop2 does not see default people');
    // the prefix works for the admin API too
    assert.equal((await api(`${server.url}/w/shop2`, shop2.adminToken).get('/api/v1/profiles/ws-b')).status, 200);

    const dflt = server.rt;
    const ws = server.workspaces.get('shop2')!.rt;
    assert.equal(ws.olap.db, `${dflt.olap.db}_ws_shop2`);
    const count = async (db: string, users: string[]) =>
      Number((await dflt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${db}.events WHERE user_id IN {u:Array(String)}`, { u: users }))[0]!.n);
    assert.equal(await count(dflt.olap.db, ['ws-b', 'ws-c']), 0);
    assert.equal(await count(ws.olap.db, ['ws-a']), 0);
    assert.equal(await count(ws.olap.db, ['ws-b', 'ws-c']), 3);
    assert.equal(await count(dflt.olap.db, ['ws-a']), 2);
    assert.notEqual(ws.keyring.keyId, dflt.keyring.keyId, 'each workspace seals PII with its own data key');
  });

  it('refuses a key sent to another workspace, and says whose it is', async () => {
    const wrong = await api(`${server.url}/w/shop2`, server.adminToken).get('/api/v1/profiles/ws-b');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /workspace 'default''s, and this request went to workspace 'shop2'/);
    const body = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: shop2.writeKey, batch: [identify('ws-d', 'd@example.com', 'wd-1')] }) });
    const err = (await body.json()) as { error: { message: string } };
    assert.equal(body.status, 401);
    assert.match(err.error.message, /send it as HTTP Basic, or to \/w\/shop2\/v1\/batch/);
    assert.equal((await api(server.url, shop2.adminToken).get('/api/v1/profiles/ws-d')).status, 404, 'nothing of the refused batch was stored');
    const unknown = await fetch(`${server.url}/w/nope/healthz`);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /no workspace 'nope' on this server \(it has: default, shop2\)/);
  });

  it('manages keys per workspace: a key made in shop2 works there only, and revoking it there ends it', async () => {
    const other = api(server.url, shop2.adminToken);
    const made = await other.post('/api/v1/keys', { kind: 'secret', name: 'analyst', role: 'analyst' });
    assert.equal(made.status, 201, made.text);
    assert.match(made.body.key, /^hxa_shop2\./);
    assert.equal((await api(server.url, made.body.key).get('/api/v1/profiles/ws-b')).status, 200);
    const listed = await api(server.url, server.adminToken).get('/api/v1/keys');
    assert.ok(!listed.body.keys.some((k: { id: string }) => k.id === made.body.id), 'the default workspace does not list shop2 keys');
    assert.equal((await other.del(`/api/v1/keys/${made.body.id}`)).status, 200);
    assert.equal((await api(server.url, made.body.key).get('/api/v1/profiles/ws-b')).status, 401);
  });

  it('signs the dashboard in to a workspace: the session cookie alone routes to it afterwards', async () => {
    const signIn = await fetch(`${server.url}/w/shop2/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: shop2.adminToken }) });
    assert.equal(signIn.status, 201, await signIn.clone().text());
    const cookie = signIn.headers.get('set-cookie')!;
    const id = /hx_session=([^;]+)/.exec(cookie)![1]!;
    assert.match(decodeURIComponent(id), /^shop2\./);
    assert.match(cookie, /Path=\//);
    const who = await fetch(`${server.url}/api/v1/session`, { headers: { cookie: `hx_session=${id}` } });
    assert.equal(who.status, 200);
    assert.equal(((await who.json()) as { workspace: string }).workspace, 'shop2');
    const profile = await fetch(`${server.url}/api/v1/profiles/ws-b`, { headers: { cookie: `hx_session=${id}` } });
    assert.equal(profile.status, 200);
    const notHere = await fetch(`${server.url}/api/v1/profiles/ws-a`, { headers: { cookie: `hx_session=${id}` } });
    assert.equal(notHere.status, 404);
  });

  it('keeps the master key the installation\'s: only the default workspace re-wraps it', async () => {
    const r = await api(`${server.url}/w/shop2`, shop2.adminToken).post('/api/v1/privacy/keys/rewrap', {});
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'installation_master_key');
  });
});

describe('routing a request to its workspace', () => {
  const names = new Set(['default', 'shop2']);
  const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;
  it('reads the prefix first, then the Bearer key, the Basic key and the session cookie', () => {
    assert.deepEqual(workspaceOfRequest(req('/w/shop2/v1/batch', { authorization: 'Bearer hxa_abc' }), names), { name: 'shop2', prefix: '/w/shop2' });
    assert.deepEqual(workspaceOfRequest(req('/w/shop2'), names), { name: 'shop2', prefix: '/w/shop2' });
    assert.deepEqual(workspaceOfRequest(req('/w/zzz/x'), names), { unknown: 'zzz' });
    assert.deepEqual(workspaceOfRequest(req('/api/v1/x', { authorization: 'Bearer hxa_shop2.k' }), names), { name: 'shop2', prefix: '' });
    assert.deepEqual(workspaceOfRequest(req('/v1/batch', { authorization: `Basic ${Buffer.from('hxw_shop2.k:').toString('base64')}` }), names), { name: 'shop2', prefix: '' });
    assert.deepEqual(workspaceOfRequest(req('/api', { cookie: 'a=1; hx_session=shop2.sid; b=2' }), names), { name: 'shop2', prefix: '' });
    assert.deepEqual(workspaceOfRequest(req('/api', { authorization: 'Bearer hxa_-_x9' }), names), { name: 'default', prefix: '' });
    // a configured token that happens to contain a dot names no workspace this server has
    assert.deepEqual(workspaceOfRequest(req('/api', { authorization: 'Bearer my.own.admin.token' }), names), { name: 'default', prefix: '' });
    assert.deepEqual(workspaceOfRequest(req('/wide/x'), names), { name: 'default', prefix: '' });
  });
});

describe('workspace configuration', () => {
  it('checks the names and that the chosen workspace exists', () => {
    assert.deepEqual(loadConfig({ data: '/tmp/x' }, { HX_WORKSPACES: 'shop2, eu1' }).workspaces, ['shop2', 'eu1']);
    assert.throws(() => loadConfig({ data: '/tmp/x' }, { HX_WORKSPACES: 'Shop-2' }), (e: Error) => e instanceof ConfigError && /HX_WORKSPACES/.test(e.message) && /lower-case letter/.test(e.message));
    assert.throws(() => loadConfig({ data: '/tmp/x' }, { HX_WORKSPACES: 'a,a' }), /names a workspace twice/);
    assert.throws(() => loadConfig({ data: '/tmp/x' }, { HX_WORKSPACES: 'default' }), /default is always there/);
    assert.throws(() => loadConfig({ data: '/tmp/x' }, { HX_WORKSPACES: 'shop2', HX_WORKSPACE: 'shop3' }), /'shop3' is not one of this installation's workspaces \(default, shop2/);
    assert.equal(loadConfig({ data: '/tmp/x', workspace: 'shop2' }, { HX_WORKSPACES: 'shop2' }).workspace, 'shop2');
  });
});
