import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { tmpDataDir } from '../support/server.ts';

/**
 * API keys over real HTTP (create, use, rotate, revoke; the last admin key kept), rate limits per key, and
 * the CORS rules: ingestion answers any origin, the admin API only the configured ones.
 */
const dataDir = tmpDataDir(after, 'hx-keys-http-');
let server: Server;
let admin: string;
const SHOP = 'https://shop.example.com';
const DASH = 'https://console.example.com';
/** per key per minute on /api/*: enough for the admin calls of this file, small enough to reach */
const LIMIT = 30;

const req = async (method: string, path: string, o: { auth?: string; body?: unknown; origin?: string; cookie?: string } = {}) => {
  const headers: Record<string, string> = {};
  if (o.auth) headers.authorization = o.auth;
  if (o.cookie) headers.cookie = o.cookie;
  if (o.origin) headers.origin = o.origin;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const track = (n: number) => ({ type: 'track', event: 'Product Viewed', userId: 'k-user', messageId: `k-msg-${n}`, properties: {} });

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error', http: { corsOrigins: [DASH], apiRatePerMinute: LIMIT, ingestRatePerMinute: 0, trustProxy: false } }), 'test');
  admin = `Bearer ${server.adminToken}`;
});
after(async () => server?.close());

describe('API keys', () => {
  it('creates a write key that ingests, rotates it (the old one stops at once) and revokes the new one', async () => {
    const made = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'write', name: 'shop web' } });
    assert.equal(made.status, 201);
    assert.match(made.body.id, /^wk_[0-9a-f]{12}$/);
    assert.equal((await req('POST', '/v1/track', { auth: basic(made.body.key), body: track(1) })).status, 200);
    const rotated = await req('POST', `/api/v1/keys/${made.body.id}/rotate`, { auth: admin });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.replaced, made.body.id);
    assert.equal((await req('POST', '/v1/track', { auth: basic(made.body.key), body: track(2) })).status, 401);
    assert.equal((await req('POST', '/v1/track', { auth: basic(rotated.body.key), body: track(3) })).status, 200);
    assert.equal((await req('DELETE', `/api/v1/keys/${rotated.body.id}`, { auth: admin })).status, 200);
    assert.equal((await req('POST', '/v1/track', { auth: basic(rotated.body.key), body: track(4) })).status, 401);
    const list = await req('GET', '/api/v1/keys', { auth: admin });
    const mine = list.body.keys.filter((k: { name: string }) => k.name === 'shop web');
    assert.equal(mine.length, 2);
    assert.ok(mine.every((k: { revokedAt: string | null; key?: string }) => k.revokedAt !== null && k.key === undefined), 'both revoked; the list never shows keys');
  });

  it('refuses a write key with a role, a secret key without one, and revoking the only admin key', async () => {
    const a = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'write', name: 'x', role: 'admin' } });
    assert.equal(a.status, 400);
    assert.match(a.body.error.message, /^body\.role:/);
    const b = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'secret', name: 'x' } });
    assert.equal(b.status, 400);
    assert.match(b.body.error.message, /^body\.role:/);
    const c = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'other', name: 'x' } });
    assert.equal(c.status, 400);
    assert.match(c.body.error.message, /body\.kind/);
    const keys = (await req('GET', '/api/v1/keys', { auth: admin })).body.keys as { id: string; role: string | null; revokedAt: string | null }[];
    const admins = keys.filter((k) => k.role === 'admin' && !k.revokedAt);
    assert.equal(admins.length, 1);
    const last = await req('DELETE', `/api/v1/keys/${admins[0]!.id}`, { auth: admin });
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'last_admin_key');
    assert.equal((await req('DELETE', '/api/v1/keys/tok_000000000000', { auth: admin })).status, 404);
  });
});

describe('rate limits per key', () => {
  it('answers 429 with Retry-After past the budget, and another key keeps its own budget', async () => {
    const viewer = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'secret', name: 'rate probe', role: 'viewer' } });
    const other = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'secret', name: 'rate other', role: 'viewer' } });
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await req('GET', '/api/v1/tags', { auth: `Bearer ${viewer.body.key}` })).status);
    assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429, 429]);
    const over = await req('GET', '/api/v1/tags', { auth: `Bearer ${viewer.body.key}` });
    assert.equal(over.body.error.code, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.equal((await req('GET', '/api/v1/tags', { auth: `Bearer ${other.body.key}` })).status, 200);
  });
});

describe('rate limits for dashboard sessions', () => {
  it('counts a session’s requests against the session, not the client address', async () => {
    const signIn = async (name: string) => {
      const key = await req('POST', '/api/v1/keys', { auth: admin, body: { kind: 'secret', name, role: 'viewer' } });
      const res = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: key.body.key }) });
      assert.equal(res.status, 201, await res.clone().text());
      return /hx_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
    };
    const first = await signIn('session rate probe');
    const second = await signIn('session rate other');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await req('GET', '/api/v1/tags', { cookie: first })).status);
    assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429]);
    // the same client address, another session: its own budget
    assert.equal((await req('GET', '/api/v1/tags', { cookie: second })).status, 200);
  });
});

describe('CORS', () => {
  it('lets a shop page post events from any origin', async () => {
    const pre = await fetch(`${server.url}/v1/batch`, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
  });

  it('answers the admin API only to the configured origins', async () => {
    const ok = await fetch(`${server.url}/api/v1/tags`, { method: 'OPTIONS', headers: { origin: DASH, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), DASH);
    const no = await fetch(`${server.url}/api/v1/tags`, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });
});
