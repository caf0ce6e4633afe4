import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { AccessStore } from '../../src/server/access.ts';
import { api, ingest, tmpDataDir, type Reply } from '../support/server.ts';

/**
 * The rights and the audit log over real HTTP: a shop sends two people over /v1/batch; a viewer sees their
 * personal traits masked and may not unmask; an admin unmasks (audited), exports, corrects a trait, and
 * erases one of them (receipt); tag and segment changes land in the audit log; every endpoint answers 400
 * naming the field for bad input.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const ts = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
const A = { userId: 'api-u1', anon: 'api-dev-1', email: 'ann.li@example.com', phone: '+86 139 1234 5678', id_number: '330106199203041234', name: '李安', address: '浙江省杭州市西湖区文三路90号' };
const B = { userId: 'api-u2', email: 'bo@example.cn' };

const dataDir = tmpDataDir(after, 'hx-privacy-api-');
let server: Server;
let admin: ReturnType<typeof api>;
let viewer: ReturnType<typeof api>;
const VIEWER_TOKEN = 'tok-viewer-privacy-api';
let sentForA = 0;

const patch = async (path: string, body: unknown, token: string): Promise<Reply> => {
  const res = await fetch(server.url + path, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
};

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error' }), 'test');
  await new AccessStore(server.rt.oltp).addToken('viewer', VIEWER_TOKEN, 'viewer');
  admin = api(server.url, server.adminToken);
  viewer = api(server.url, VIEWER_TOKEN);
  let n = 0;
  const batch: Record<string, unknown>[] = [
    { type: 'track', event: 'Product Viewed', anonymousId: A.anon, messageId: `pa-${++n}`, timestamp: ts(5), properties: { product_id: 'p1', price: 99 } },
    { type: 'identify', anonymousId: A.anon, userId: A.userId, messageId: `pa-${++n}`, timestamp: ts(4), traits: { email: A.email, phone: A.phone, id_number: A.id_number, name: A.name, address: A.address, city_tier: '新一线' } },
    { type: 'track', event: 'Order Completed', userId: A.userId, messageId: `pa-${++n}`, timestamp: ts(3), properties: { order_id: 'o1', revenue: 99, products: [{ product_id: 'p1', price: 99, quantity: 1 }] } },
  ];
  sentForA = batch.length;
  batch.push(
    { type: 'identify', userId: B.userId, messageId: `pb-${++n}`, timestamp: ts(4), traits: { email: B.email, city_tier: '一线' } },
    { type: 'track', event: 'Order Completed', userId: B.userId, messageId: `pb-${++n}`, timestamp: ts(2), properties: { order_id: 'o2', revenue: 10 } },
  );
  const r = await ingest(server.url, server.writeKey).send('batch', { batch });
  assert.equal(r.status, 200, r.text);
});

after(async () => server?.close());

describe('masking and unmasking', () => {
  it('shows a viewer personal traits masked, and refuses to unmask for them', async () => {
    const r = await viewer.get(`/api/v1/profiles/${A.userId}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      { email: r.body.traits.email, phone: r.body.traits.phone, id_number: r.body.traits.id_number, name: r.body.traits.name, address: r.body.traits.address, city_tier: r.body.traits.city_tier },
      { email: 'a***@example.com', phone: '139****5678', id_number: '330***********1234', name: A.name, address: '浙江省杭州市****', city_tier: '新一线' },
    );
    for (const plain of [A.email, '13912345678', A.id_number, '文三路']) assert.ok(!r.text.includes(plain), `${plain} is not in the response`);
    assert.equal((await viewer.get(`/api/v1/profiles/${A.userId}?unmask=true`)).status, 403);
    assert.equal((await viewer.get(`/api/v1/profiles/${A.userId}/pii`)).status, 403);
    const bad = await viewer.get(`/api/v1/profiles/${A.userId}?unmask=yes`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /query\.unmask/);
  });

  it('unmasks for an admin and audits it', async () => {
    const r = await admin.get(`/api/v1/profiles/${A.userId}?unmask=true`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.traits.email, A.email);
    assert.equal(r.body.traits.phone, A.phone);
    assert.equal(r.body.traits.id_number, A.id_number);
    assert.equal(r.body.traits.address, A.address);
    const log = await admin.get(`/api/v1/audit?action=pii.unmask&subject=${A.userId}`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.entries.length, 1);
    assert.equal(log.body.entries[0].role, 'admin');
    assert.match(log.body.entries[0].actor, /^tok_[0-9a-f]{12}$/);
    assert.deepEqual([...log.body.entries[0].details.fields].sort(), ['address', 'email', 'id_number', 'phone']);
    assert.ok(!log.text.includes(A.userId), 'the log keeps the person as a pseudonym');
  });
});

describe('rights', () => {
  it('exports everything held about a person, personal data opened, audited', async () => {
    assert.equal((await viewer.get(`/api/v1/profiles/${A.userId}/export`)).status, 403);
    assert.equal((await admin.get('/api/v1/profiles/nobody-at-all/export')).status, 404);
    const r = await admin.get(`/api/v1/profiles/${A.anon}/export`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.personId, A.userId);
    assert.deepEqual([...r.body.ids].sort(), [A.anon, A.userId].sort());
    assert.equal(r.body.traits.email, A.email);
    assert.equal(r.body.stores['olap.events'].length, sentForA);
    const identify = r.body.stores['olap.events'].find((e: { type: string }) => e.type === 'identify');
    assert.equal(identify.pii.id_number, A.id_number);
    assert.deepEqual(r.body.stores['oltp.identities'].map((i: { distinct_id: string }) => i.distinct_id).sort(), [A.anon, A.userId].sort());
    assert.ok(!r.text.includes(B.userId), 'nothing of the other person');
    assert.equal((await admin.get(`/api/v1/audit?action=profile.export&subject=${A.userId}`)).body.entries.length, 1);
  });

  it('corrects traits as a new identify, audited, and refuses bad corrections naming the field', async () => {
    const empty = await patch(`/api/v1/profiles/${A.userId}/traits`, { traits: {} }, server.adminToken);
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /body\.traits/);
    const badName = await patch(`/api/v1/profiles/${A.userId}/traits`, { traits: { 'no spaces': 1 } }, server.adminToken);
    assert.equal(badName.status, 400);
    assert.match(badName.body.error.message, /body\.traits/);
    assert.equal((await patch(`/api/v1/profiles/${A.userId}/traits`, { traits: { phone: '13700001111' } }, VIEWER_TOKEN)).status, 403);
    assert.equal((await patch('/api/v1/profiles/nobody-at-all/traits', { traits: { phone: '13700001111' } }, server.adminToken)).status, 404);
    const ok = await patch(`/api/v1/profiles/${A.userId}/traits`, { traits: { phone: '13700001111', city_tier: '一线' } }, server.adminToken);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.fields, ['phone', 'city_tier']);
    const shown = await admin.get(`/api/v1/profiles/${A.userId}?unmask=true`);
    assert.equal(shown.body.traits.phone, '13700001111');
    assert.equal(shown.body.traits.city_tier, '一线');
    assert.equal((await viewer.get(`/api/v1/profiles/${A.userId}`)).body.traits.phone, '137****1111');
    const log = await admin.get(`/api/v1/audit?action=profile.rectify`);
    assert.deepEqual(log.body.entries[0].details.fields, ['phone', 'city_tier']);
    assert.ok(!log.text.includes('13700001111'), 'the log names the fields, not the values');
  });

  it('erases a person and answers with the receipt; the other person stays', async () => {
    assert.equal((await viewer.del(`/api/v1/profiles/${A.userId}`)).status, 403);
    const r = await admin.del(`/api/v1/profiles/${A.userId}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.userId, A.userId);
    assert.ok(Date.parse(r.body.erasedAt) > NOW - 60_000);
    assert.equal(r.body.stores['olap.events'], sentForA + 1, 'the messages sent and the correction');
    assert.equal(r.body.stores['oltp.identities'], 2);
    assert.equal((await admin.get(`/api/v1/profiles/${A.userId}`)).status, 404);
    const stored = await admin.get(`/api/v1/privacy/receipts/${r.body.id}`);
    assert.equal(stored.status, 200, stored.text);
    assert.deepEqual(stored.body.stores, r.body.stores);
    assert.equal((await admin.get('/api/v1/privacy/receipts/not-a-receipt')).status, 400);
    assert.equal((await admin.get(`/api/v1/profiles/${B.userId}`)).status, 200);
    const log = await admin.get(`/api/v1/audit?action=profile.erase&subject=${A.userId}`);
    assert.equal(log.body.entries[0].details.receipt, r.body.id);
  });
});

describe('audit log', () => {
  it('records segment and tag changes with who made them', async () => {
    const created = await admin.post('/api/v1/segments', { name: 'Buyers', kind: 'dynamic', rule: { event: 'Order Completed' } });
    assert.equal(created.status, 201, created.text);
    assert.equal((await admin.del(`/api/v1/segments/${created.body.id}`)).status, 204);
    const dep = await admin.post('/api/v1/tags/last_active_date/deprecate', {});
    assert.equal(dep.status, 200, dep.text);
    const seg = await admin.get(`/api/v1/audit?action=segment.&subject=${created.body.id}`);
    assert.deepEqual(seg.body.entries.map((e: { action: string }) => e.action), ['segment.delete', 'segment.create']);
    const tag = await admin.get('/api/v1/audit?subjectType=tag');
    assert.deepEqual(tag.body.entries.map((e: { action: string; subjectId: string }) => [e.action, e.subjectId]), [['tag.deprecate', 'last_active_date']]);
  });

  it('pages, filters by time and validates its query', async () => {
    const all = await admin.get('/api/v1/audit?limit=2');
    assert.equal(all.body.entries.length, 2);
    const next = await admin.get(`/api/v1/audit?limit=2&before=${all.body.next}`);
    assert.ok(next.body.entries.every((e: { id: number }) => e.id < all.body.next));
    assert.equal((await admin.get(`/api/v1/audit?from=${new Date(Date.now() + DAY).toISOString()}`)).body.entries.length, 0);
    assert.equal((await viewer.get('/api/v1/audit')).status, 403);
    for (const [q, field] of [['limit=0', 'query.limit'], ['from=yesterday', 'query.from'], [`from=${ts(0)}&to=${ts(1)}`, 'query.from'], ['before=-1', 'query.before']]) {
      const r = await admin.get(`/api/v1/audit?${q}`);
      assert.equal(r.status, 400, q);
      assert.match(r.body.error.message, new RegExp(field.replace('.', '\\.')), q);
    }
  });
});

describe('retention', () => {
  it('shows the periods, runs a dry run for an admin, and refuses bad periods naming the field', async () => {
    assert.equal((await viewer.get('/api/v1/privacy/retention')).status, 403);
    const policy = await admin.get('/api/v1/privacy/retention');
    assert.equal(policy.status, 200, policy.text);
    assert.equal(policy.body.days.dead_letters, 90);
    assert.equal(policy.body.days.events, undefined);
    const dry = await admin.post('/api/v1/privacy/retention', { days: { events: 1 }, dryRun: true });
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.dryRun, true);
    // the people sent above: events 2–5 days old, of which the erased person's are gone
    const [n] = await server.rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${server.rt.olap.db}.events WHERE timestamp < now() - INTERVAL 1 DAY`);
    assert.equal(dry.body.removed.events, Number(n!.n));
    assert.ok(dry.body.removed.events > 0);
    for (const [body, field] of [[{ days: { events: 0 } }, 'body.days.events'], [{ days: { everything: 5 } }, 'body.days'], [{ dryRun: 'yes' }, 'body.dryRun']] as const) {
      const r = await admin.post('/api/v1/privacy/retention', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error.message, new RegExp(field.replace(/\./g, '\\.')), JSON.stringify(body));
    }
  });
});

describe('API docs', () => {
  it('describes the privacy routes in the OpenAPI document', async () => {
    const r = await admin.get('/api/openapi.json');
    assert.equal(r.status, 200, r.text);
    const paths = r.body.paths as Record<string, Record<string, unknown>>;
    for (const [p, m] of [['/api/v1/profiles/{userId}', 'delete'], ['/api/v1/profiles/{userId}/export', 'get'], ['/api/v1/profiles/{userId}/traits', 'patch'], ['/api/v1/profiles/{userId}/pii', 'get'], ['/api/v1/audit', 'get'], ['/api/v1/privacy/retention', 'post'], ['/api/v1/privacy/receipts/{id}', 'get']] as const) {
      assert.ok(paths[p]?.[m], `${m.toUpperCase()} ${p}`);
    }
  });
});
