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
 * endpoints are the admin's alone.
 */

type Role = 'viewer' | 'marketer' | 'analyst' | 'admin';
const ROLES: Role[] = ['viewer', 'marketer', 'analyst', 'admin'];
const rank: Record<Role, number> = { viewer: 0, marketer: 1, analyst: 1, admin: 2 };

/** POSTs that only read (a query too large for a URL): a viewer may run them */
const READ_ONLY_POSTS = new Set(['/api/v1/segments/preview', '/api/v1/segments/overlap', '/api/v1/analytics/funnels', '/api/v1/recommendations/basket', '/api/v1/campaigns/audience/count']);

const dataDir = tmpDataDir(after, 'hx-authz-');
let server: Server;
const keys = {} as Record<Role | 'revoked', string>;
let routes: { method: string; path: string }[] = [];

async function call(method: string, path: string, auth?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  const hasBody = method !== 'GET' && method !== 'DELETE';
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: hasBody ? '{}' : undefined, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error' }), 'test');
  const admin = `Bearer ${server.adminToken}`;
  for (const role of ROLES) {
    const r = await fetch(`${server.url}/api/v1/keys`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'secret', name: `matrix ${role}`, role }) });
    assert.equal(r.status, 201, await r.clone().text());
    keys[role] = ((await r.json()) as { key: string }).key;
  }
  const made = (await (await fetch(`${server.url}/api/v1/keys`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'secret', name: 'to revoke', role: 'admin' }) })).json()) as { id: string; key: string };
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

  it('answers 401 with no key, the write key, a wrong key and a revoked key — on every admin endpoint', async () => {
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
    }
    assert.deepEqual(bad, []);
  });

  it('refuses each role below the one an endpoint needs, and the needed roles follow the policy', async () => {
    const problems: string[] = [];
    const needed = new Map<string, Role>();
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
});
