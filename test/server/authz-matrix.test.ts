import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { tmpDataDir } from '../support/server.ts';

/**
 * The authorisation matrix over every admin endpoint the server documents (GET /api/openapi.json, so a new
 * route is covered the day it is added): each answers 401 with no key, with the write key, with a wrong
 * key and with a revoked key; with each role's secret key it answers 403 exactly below the role it needs,
 * and that role is never lower than the policy: a viewer changes nothing, and the privacy, audit and key
 * endpoints are the admin's alone. A dashboard session cookie (docs/api-keys.md#dashboard-sessions) is a
 * second column: each role's session is allowed and refused exactly where its key is, a session of a revoked
 * key gets 401 everywhere, and no POST, PUT, PATCH or DELETE passes on the cookie without the CSRF token.
 * The server has a second workspace (docs/workspaces.md): its admin key sent to the default workspace, and
 * the default admin key sent to it, are 401 on every endpoint too.
 */

type Role = 'viewer' | 'marketer' | 'analyst' | 'admin';
const ROLES: Role[] = ['viewer', 'marketer', 'analyst', 'admin'];
const rank: Record<Role, number> = { viewer: 0, marketer: 1, analyst: 1, admin: 2 };

/** POSTs that only read (a query too large for a URL): a viewer may run them */
const READ_ONLY_POSTS = new Set(['/api/v1/segments/preview', '/api/v1/segments/overlap', '/api/v1/analytics/funnels', '/api/v1/recommendations/basket', '/api/v1/campaigns/audience/count']);

const dataDir = tmpDataDir(after, 'hx-authz-');
let server: Server;
const keys = {} as Record<Role | 'revoked', string>;
/** a dashboard session per role, and one whose key was revoked after it signed in */
const sessions = {} as Record<Role | 'revoked', { cookie: string; csrf: string }>;
let routes: { method: string; path: string }[] = [];
/** the lowest role each endpoint allows, as the Bearer column found it */
const needed = new Map<string, Role>();

/** `auth` is an Authorization header, or a session: its cookie, and its CSRF token (with the server's own Origin) when `csrf` */
async function call(method: string, path: string, auth?: string | { cookie: string; csrf?: string }, prefix = ''): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (typeof auth === 'string') headers.authorization = auth;
  else if (auth) {
    headers.cookie = `hx_session=${auth.cookie}`;
    if (auth.csrf) Object.assign(headers, { 'x-csrf-token': auth.csrf, origin: server.url });
  }
  const hasBody = method !== 'GET' && method !== 'DELETE';
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + prefix + path, { method, headers, body: hasBody ? '{}' : undefined, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** Signs in to the dashboard with a secret key, as the dashboard does. */
async function openSession(token: string): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ token }) });
  assert.equal(r.status, 201, await r.clone().text());
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('hx_session='))!.split(';')[0]!.slice('hx_session='.length);
  return { cookie, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error', workspaces: ['shop2'] }), 'test');
  const admin = `Bearer ${server.adminToken}`;
  for (const role of ROLES) {
    const r = await fetch(`${server.url}/api/v1/keys`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'secret', name: `matrix ${role}`, role }) });
    assert.equal(r.status, 201, await r.clone().text());
    keys[role] = ((await r.json()) as { key: string }).key;
    sessions[role] = await openSession(keys[role]);
  }
  const made = (await (await fetch(`${server.url}/api/v1/keys`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'secret', name: 'to revoke', role: 'admin' }) })).json()) as { id: string; key: string };
  sessions.revoked = await openSession(made.key);
  const revoked = await fetch(`${server.url}/api/v1/keys/${made.id}`, { method: 'DELETE', headers: { authorization: admin } });
  assert.equal(revoked.status, 200);
  keys.revoked = made.key;
  const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: { bearer?: unknown }[] }>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.security?.some((s) => 'bearer' in s))
      // path parameters get a value no store holds; a route that looks it up answers 404 after authorising
      .map(([method, _]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'authz-probe') })),
  );
});

after(async () => server?.close());

describe('authorisation matrix', () => {
  it('documents a good number of admin endpoints', () => {
    assert.ok(routes.length >= 60, `only ${routes.length} bearer routes documented`);
  });

  it('answers 401 with no key, the write key, a wrong key, a revoked key and another workspace\'s key — on every admin endpoint', async () => {
    const bad: string[] = [];
    for (const r of routes) {
      for (const [label, auth] of [
        ['no key', undefined],
        ['write key', `Bearer ${server.writeKey}`],
        ['write key as Basic', `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`],
        ['wrong key', 'Bearer hxa_not-a-key-of-this-server-000000'],
        ['revoked key', `Bearer ${keys.revoked}`],
      ] as const) {
        const res = await call(r.method, r.path, auth);
        if (res.status !== 401) bad.push(`${r.method} ${r.path} with ${label}: ${res.status} ${res.text.slice(0, 120)}`);
      }
      // another workspace's admin key, each way round (the prefix decides where the request goes)
      const shop2 = server.workspaces.get('shop2')!;
      for (const [label, prefix, token] of [['shop2\'s admin key in default', '/w/default', shop2.adminToken], ['the default admin key in shop2', '/w/shop2', server.adminToken]] as const) {
        const res = await call(r.method, r.path, `Bearer ${token}`, prefix);
        if (res.status !== 401) bad.push(`${r.method} ${prefix}${r.path} with ${label}: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('refuses each role below the one an endpoint needs, and the needed roles follow the policy', async () => {
    const problems: string[] = [];
    for (const r of routes) {
      const forbidden = new Map<Role, boolean>();
      for (const role of ROLES) {
        const res = await call(r.method, r.path, `Bearer ${keys[role]}`);
        if (res.status === 401) problems.push(`${r.method} ${r.path}: ${role} key refused as unknown`);
        forbidden.set(role, res.status === 403);
      }
      const lowest = ROLES.find((role) => !forbidden.get(role));
      const id = `${r.method} ${r.path}`;
      if (!lowest) {
        problems.push(`${id}: even the admin is forbidden`);
        continue;
      }
      needed.set(id, lowest);
      // monotone: every role at or above the needed one passes, every one below is refused
      for (const role of ROLES) {
        if ((rank[role] >= rank[lowest]) === forbidden.get(role)) problems.push(`${id}: ${role} ${forbidden.get(role) ? 'refused' : 'allowed'} though ${lowest} is the lowest role allowed`);
      }
      if (r.method !== 'GET' && lowest === 'viewer' && !(r.method === 'POST' && READ_ONLY_POSTS.has(r.path))) problems.push(`${id}: a viewer may call a ${r.method}`);
      if (/^\/api\/v1\/(privacy|audit|keys)\b/.test(r.path) && lowest !== 'admin') problems.push(`${id}: needs only ${lowest}; the privacy, audit and key endpoints are admin only`);
      if (/\/pii\b/.test(r.path) && lowest !== 'admin') problems.push(`${id}: personal data unmasked for ${lowest}`);
    }
    assert.deepEqual(problems, []);
    const counts = ROLES.map((role) => `${role} ${[...needed.values()].filter((x) => x === role).length}`).join(', ');
    console.log(`${needed.size} admin endpoints; lowest role needed: ${counts}`);
  });

  it('authorises a session cookie exactly like its key, refuses a revoked key\'s session, and no write passes on the cookie without the CSRF token', async () => {
    const problems: string[] = [];
    for (const r of routes) {
      const id = `${r.method} ${r.path}`;
      const lowest = needed.get(id);
      if (!lowest) continue;
      const unsafe = r.method !== 'GET';
      for (const role of ROLES) {
        const res = await call(r.method, r.path, sessions[role]);
        const forbidden = res.status === 403;
        if (res.status === 401) problems.push(`${id}: ${role} session refused as unknown: ${res.text.slice(0, 120)}`);
        else if (forbidden !== rank[role] < rank[lowest]) problems.push(`${id}: ${role} session ${forbidden ? 'refused' : 'allowed'}; its key is ${forbidden ? 'allowed' : 'refused'}`);
      }
      const gone = await call(r.method, r.path, sessions.revoked);
      if (gone.status !== 401) problems.push(`${id} with a revoked key's session: ${gone.status}`);
      if (unsafe) {
        const bare = await call(r.method, r.path, { cookie: sessions.admin.cookie });
        if (bare.status !== 403 || !bare.text.includes('csrf_rejected')) problems.push(`${id}: the admin's cookie without a CSRF token answered ${bare.status} ${bare.text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(needed.size >= 60, `only ${needed.size} endpoints compared`);
  });
});
