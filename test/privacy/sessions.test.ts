import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { testPostgres } from '../support/postgres.ts';
import { ingest, tmpDataDir } from '../support/server.ts';

/**
 * Dashboard sessions over real HTTP against a server on a real Postgres: signing in with a secret key sets
 * an HttpOnly, SameSite=Strict cookie (Secure over HTTPS behind a trusted proxy); the cookie authorises like
 * its key; writes need the CSRF token and the server's own origin; Bearer keys stay free of both; signing
 * out, revoking the key, the absolute lifetime and the idle timeout each end a session; sign-in and
 * sign-out are audited; the store keeps only a hash of the session id.
 */

const pg = testPostgres();
const dataDir = tmpDataDir(after, 'hx-sessions-');
let server: Server;
let origin: string;
const keys = {} as Record<'admin' | 'viewer' | 'restricted' | 'doomed', { id: string; key: string }>;

interface Answer { status: number; headers: Headers; body: any; text: string }

async function call(method: string, path: string, o: { auth?: string; cookie?: string; csrf?: string; origin?: string; site?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth) headers.authorization = `Bearer ${o.auth}`;
  if (o.cookie) headers.cookie = `hx_session=${o.cookie}`;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.origin) headers.origin = o.origin;
  if (o.site) headers['sec-fetch-site'] = o.site;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The hx_session cookie a response sets: its value and attributes (lower-cased names). */
function setCookie(res: Answer): { value: string; attrs: Map<string, string> } {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('hx_session='));
  assert.ok(line, `no hx_session cookie set: ${res.headers.getSetCookie().join(' | ')}`);
  const [first, ...rest] = line.split(';').map((p) => p.trim());
  const attrs = new Map(rest.map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? [p.toLowerCase(), ''] : [p.slice(0, i).toLowerCase(), p.slice(i + 1)];
  }));
  return { value: first!.slice('hx_session='.length), attrs };
}

/** Signs in from the dashboard's own origin; answers the cookie value and the CSRF token. */
async function signIn(token: string): Promise<{ cookie: string; csrf: string; res: Answer }> {
  const res = await call('POST', '/api/v1/session', { body: { token }, origin, site: 'same-origin' });
  assert.equal(res.status, 201, res.text);
  return { cookie: setCookie(res).value, csrf: res.body.csrfToken, res };
}

const segment = (name: string) => ({ name, kind: 'dynamic', rule: { event: 'Order Completed' } });

before(async () => {
  const databaseUrl = await pg.database('hx_sessions');
  server = await startServer(testConfig({ dataDir, databaseUrl, port: 0, logLevel: 'error', http: { corsOrigins: [], apiRatePerMinute: 0, ingestRatePerMinute: 0, trustProxy: true }, sessions: { hours: 12, idleMinutes: 30 } }), 'test');
  origin = new URL(server.url).origin;
  for (const [name, role, restrictedPii] of [['admin', 'admin', false], ['viewer', 'viewer', false], ['restricted', 'analyst', true], ['doomed', 'marketer', false]] as const) {
    const r = await call('POST', '/api/v1/keys', { auth: server.adminToken, body: { kind: 'secret', name: `session ${name}`, role, restrictedPii } });
    assert.equal(r.status, 201, r.text);
    keys[name] = { id: r.body.id, key: r.body.key };
  }
});
after(async () => server?.close());

describe('signing in', () => {
  it('refuses a wrong key, a write key and a revoked key', async () => {
    const revoked = await call('POST', '/api/v1/keys', { auth: server.adminToken, body: { kind: 'secret', name: 'gone', role: 'admin' } });
    assert.equal((await call('DELETE', `/api/v1/keys/${revoked.body.id}`, { auth: server.adminToken })).status, 200);
    for (const [label, token] of [['wrong', 'hxa_not-a-key-of-this-server-000000'], ['write key', server.writeKey], ['revoked', revoked.body.key]] as const) {
      const r = await call('POST', '/api/v1/session', { body: { token }, origin });
      assert.equal(r.status, 401, `${label}: ${r.text}`);
      assert.equal(r.headers.getSetCookie().length, 0, `${label}: no cookie`);
    }
  });

  it('answers 400 naming the field for a missing token, and 403 to a sign-in posted from another origin', async () => {
    const r = await call('POST', '/api/v1/session', { body: {}, origin });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /^body\.token: /);
    const cross = await call('POST', '/api/v1/session', { body: { token: keys.admin.key }, origin: 'https://evil.example', site: 'cross-site' });
    assert.equal(cross.status, 403, cross.text);
    assert.equal(cross.body.error.code, 'csrf_rejected');
  });

  it('sets an HttpOnly, SameSite=Strict cookie for the whole site, not Secure over plain HTTP, and answers role and CSRF token', async () => {
    const { res, cookie } = await signIn(keys.admin.key);
    const { attrs } = setCookie(res);
    assert.ok(attrs.has('httponly'), 'HttpOnly');
    assert.equal(attrs.get('samesite'), 'Strict');
    assert.equal(attrs.get('path'), '/');
    assert.equal(attrs.has('secure'), false, 'not Secure over http');
    assert.equal(Number(attrs.get('max-age')), 12 * 3600);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual({ via: res.body.via, keyId: res.body.keyId, role: res.body.role, restrictedPii: res.body.restrictedPii }, { via: 'session', keyId: keys.admin.id, role: 'admin', restrictedPii: false });
    assert.match(res.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(cookie.length >= 43, 'a 256-bit session id');
    const hours = (Date.parse(res.body.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    const idle = (Date.parse(res.body.idleExpiresAt) - Date.now()) / 60_000;
    assert.ok(idle > 29 && idle <= 30, `idle end in ${idle} min`);
  });

  it('sets the cookie Secure when the request came over HTTPS through the trusted proxy', async () => {
    const res = await call('POST', '/api/v1/session', { body: { token: keys.viewer.key }, headers: { 'x-forwarded-proto': 'https' }, origin: origin.replace(/^http:/, 'https:') });
    assert.equal(res.status, 201, res.text);
    assert.ok(setCookie(res).attrs.has('secure'), 'Secure');
  });

  it('keeps only a hash of the session id', async () => {
    const { cookie } = await signIn(keys.viewer.key);
    const rows = await server.rt.oltp.query<{ id_hash: string; token_id: string }>('SELECT id_hash, token_id FROM dashboard_sessions');
    const mine = rows.find((r) => r.id_hash === createHash('sha256').update(cookie).digest('hex'));
    assert.equal(mine?.token_id, keys.viewer.id);
    const all = JSON.stringify(rows);
    assert.equal(all.includes(cookie), false, 'the id itself is nowhere');
  });
});

describe('a session authorises like its key', () => {
  it('reads with the cookie alone, and GET /api/v1/session says who and answers the same CSRF token', async () => {
    const { cookie, csrf } = await signIn(keys.viewer.key);
    const list = await call('GET', '/api/v1/segments', { cookie });
    assert.equal(list.status, 200, list.text);
    const me = await call('GET', '/api/v1/session', { cookie });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual({ via: me.body.via, keyId: me.body.keyId, keyName: me.body.keyName, role: me.body.role, csrfToken: me.body.csrfToken }, { via: 'session', keyId: keys.viewer.id, keyName: 'session viewer', role: 'viewer', csrfToken: csrf });
    // the role is the key's: a viewer session changes nothing, CSRF token or not
    const write = await call('POST', '/api/v1/segments', { cookie, csrf, origin, site: 'same-origin', body: segment('viewer tries') });
    assert.equal(write.status, 403, write.text);
    assert.equal(write.body.error.code, 'forbidden');
  });

  it('refuses a write without the CSRF token or with a wrong one, and accepts it with the right one from the same origin', async () => {
    const { cookie, csrf } = await signIn(keys.admin.key);
    const none = await call('POST', '/api/v1/segments', { cookie, origin, site: 'same-origin', body: segment('no token') });
    assert.equal(none.status, 403, none.text);
    assert.equal(none.body.error.code, 'csrf_rejected');
    assert.match(none.body.error.message, /needs the x-csrf-token header/);
    const wrong = await call('POST', '/api/v1/segments', { cookie, csrf: csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A'), origin, site: 'same-origin', body: segment('wrong token') });
    assert.equal(wrong.status, 403, wrong.text);
    assert.match(wrong.body.error.message, /does not match/);
    // another session's token is wrong too: the token is bound to its session
    const other = await signIn(keys.admin.key);
    const foreign = await call('POST', '/api/v1/segments', { cookie, csrf: other.csrf, origin, body: segment('foreign token') });
    assert.equal(foreign.status, 403, foreign.text);
    const ok = await call('POST', '/api/v1/segments', { cookie, csrf, origin, site: 'same-origin', body: segment('with token') });
    assert.equal(ok.status, 201, ok.text);
    const del = await call('DELETE', `/api/v1/segments/${ok.body.id}`, { cookie, csrf, origin });
    assert.equal(del.status, 204, del.text);
    const gone = await call('GET', `/api/v1/segments/${ok.body.id}`, { cookie });
    assert.equal(gone.status, 404);
  });

  it('refuses a write from another origin even with the right token', async () => {
    const { cookie, csrf } = await signIn(keys.admin.key);
    const byOrigin = await call('POST', '/api/v1/segments', { cookie, csrf, origin: 'https://evil.example', body: segment('cross origin') });
    assert.equal(byOrigin.status, 403, byOrigin.text);
    assert.match(byOrigin.body.error.message, /own origin .* not https:\/\/evil\.example/);
    const bySite = await call('POST', '/api/v1/segments', { cookie, csrf, site: 'same-site', body: segment('same site') });
    assert.equal(bySite.status, 403, bySite.text);
    assert.match(bySite.body.error.message, /Sec-Fetch-Site: same-site/);
  });

  it('leaves personal fields out for a session of a key restricted from personal data, as for the key itself', async () => {
    const sent = await ingest(server.url, server.writeKey).send('batch', { batch: [{ type: 'identify', userId: 'sess-rp', messageId: 'sess-rp-i', traits: { email: 'rp@example.com', phone: '13811112222', plan: 'gold' } }] });
    assert.equal(sent.status, 200, sent.text);
    const { cookie } = await signIn(keys.restricted.key);
    const bySession = await call('GET', '/api/v1/profiles/sess-rp', { cookie });
    const byKey = await call('GET', '/api/v1/profiles/sess-rp', { auth: keys.restricted.key });
    assert.equal(bySession.status, 200, bySession.text);
    assert.deepEqual(Object.keys(bySession.body.traits).sort(), ['plan']);
    assert.deepEqual(bySession.body.traits, byKey.body.traits);
    assert.equal((await call('GET', '/api/v1/profiles/sess-rp?unmask=true', { cookie })).status, 403);
  });

  it('audits a change made through a session under the key it was opened with', async () => {
    const { cookie, csrf } = await signIn(keys.admin.key);
    const made = await call('POST', '/api/v1/segments', { cookie, csrf, origin, body: segment('audited via session') });
    assert.equal(made.status, 201, made.text);
    const log = await call('GET', `/api/v1/audit?action=segment.create&subject=${made.body.id}`, { auth: server.adminToken });
    assert.deepEqual(log.body.entries.map((e: { actor: string }) => e.actor), [keys.admin.id]);
  });

  it('does not CSRF-check a Bearer key: it is no ambient credential', async () => {
    const r = await call('POST', '/api/v1/segments', { auth: keys.admin.key, origin: 'https://elsewhere.example', body: segment('by bearer') });
    assert.equal(r.status, 201, r.text);
  });
});

describe('ending a session', () => {
  it('signs out with the CSRF token only; the cookie is cleared and no longer works', async () => {
    const { cookie, csrf } = await signIn(keys.admin.key);
    const forced = await call('DELETE', '/api/v1/session', { cookie, origin });
    assert.equal(forced.status, 403, 'a page elsewhere cannot sign the user out');
    assert.equal((await call('GET', '/api/v1/session', { cookie })).status, 200, 'still signed in');
    const out = await call('DELETE', '/api/v1/session', { cookie, csrf, origin });
    assert.equal(out.status, 204, out.text);
    const cleared = setCookie(out);
    assert.equal(cleared.value, '');
    assert.ok(Number(cleared.attrs.get('max-age') ?? 0) <= 0 || Date.parse(cleared.attrs.get('expires') ?? '') < Date.now(), 'expired at once');
    const later = await call('GET', '/api/v1/segments', { cookie });
    assert.equal(later.status, 401, later.text);
    assert.equal(later.body.error.code, 'session_ended');
    assert.match(later.body.error.message, /session has ended/);
    // signing out again is harmless
    assert.equal((await call('DELETE', '/api/v1/session', { cookie, csrf, origin })).status, 204);
  });

  it('ends every session of a key when the key is revoked', async () => {
    const a = await signIn(keys.doomed.key);
    const b = await signIn(keys.doomed.key);
    for (const s of [a, b]) assert.equal((await call('GET', '/api/v1/segments', { cookie: s.cookie })).status, 200);
    assert.equal((await call('DELETE', `/api/v1/keys/${keys.doomed.id}`, { auth: server.adminToken })).status, 200);
    for (const s of [a, b]) assert.equal((await call('GET', '/api/v1/segments', { cookie: s.cookie })).status, 401);
    const ended = await server.rt.oltp.query<{ n: number | string }>('SELECT count(*) AS n FROM dashboard_sessions WHERE token_id = $1 AND ended_at IS NOT NULL', [keys.doomed.id]);
    assert.equal(Number(ended[0]!.n), 2);
  });

  it('ends a session past its lifetime, and one left idle longer than the idle timeout', async () => {
    const expired = await signIn(keys.viewer.key);
    const idle = await signIn(keys.viewer.key);
    const hash = (id: string) => createHash('sha256').update(id).digest('hex');
    // the clock moved on: one session's lifetime is over, the other was last used 31 minutes ago (timeout 30)
    await server.rt.oltp.query(`UPDATE dashboard_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [hash(expired.cookie)]);
    await server.rt.oltp.query(`UPDATE dashboard_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = $1`, [hash(idle.cookie)]);
    for (const s of [expired, idle]) {
      const r = await call('GET', '/api/v1/session', { cookie: s.cookie });
      assert.equal(r.status, 401, r.text);
    }
    // a session used 29 minutes ago is still on, and its use resets the idle clock
    const fresh = await signIn(keys.viewer.key);
    await server.rt.oltp.query(`UPDATE dashboard_sessions SET last_seen_at = now() - interval '29 minutes' WHERE id_hash = $1`, [hash(fresh.cookie)]);
    const me = await call('GET', '/api/v1/session', { cookie: fresh.cookie });
    assert.equal(me.status, 200, me.text);
    assert.ok(Date.parse(me.body.idleExpiresAt) - Date.now() > 29 * 60_000, 'idle clock reset');
    const seen = await server.rt.oltp.query<{ ago: number | string }>('SELECT extract(epoch FROM now() - last_seen_at) AS ago FROM dashboard_sessions WHERE id_hash = $1', [hash(fresh.cookie)]);
    assert.ok(Number(seen[0]!.ago) < 60, `last use stored ${seen[0]!.ago} s ago`);
  });

  it('records sign-in and sign-out in the audit log under the key id', async () => {
    const { cookie, csrf } = await signIn(keys.viewer.key);
    assert.equal((await call('DELETE', '/api/v1/session', { cookie, csrf, origin })).status, 204);
    const log = async (action: string) => (await call('GET', `/api/v1/audit?action=${action}&actor=${keys.viewer.id}&limit=500`, { auth: server.adminToken })).body.entries as { actor: string; role: string; action: string }[];
    const created = await log('session.create');
    const deleted = await log('session.delete');
    const signIns = (await server.rt.oltp.query<{ n: number | string }>('SELECT count(*) AS n FROM dashboard_sessions WHERE token_id = $1', [keys.viewer.id]))[0]!.n;
    assert.equal(created.length, Number(signIns), 'one session.create per session the viewer key opened');
    assert.ok(created.every((e) => e.role === 'viewer' && e.actor === keys.viewer.id));
    assert.equal(deleted.length, 1);
  });
});
