import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';
import { CONSENT_ALL, DAY, clock } from './support.ts';

/**
 * The tag engine through a real server (in this process, real HTTP): an order sent over /v1/track shows in
 * the profile's tags within 2 s of a full build having run, by the live refresh alone; and the tag API —
 * define a tag, reject a bad definition naming the field, preview, explain a value, search by a value.
 */

const now = Date.now();
const c = clock(new Date(now).toISOString());
const iso = (t: number) => new Date(t).toISOString();
const track = (userId: string, event: string, t: number, properties: Record<string, unknown> = {}) => ({ userId, event, timestamp: iso(t), properties });

let server: Server;
let admin: ReturnType<typeof api>;
let w: ReturnType<typeof ingest>;
after(async () => {
  await server?.close();
});
const dataDir = tmpDataDir(after, 'hx-tags-fresh-'); // after hooks run in order: the server closes first

type Profile = { userId: string; tags: Record<string, unknown> };
const profile = async (id: string) => {
  const r = await admin.get<Profile>(`/api/v1/profiles/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
  admin = api(server.url, server.adminToken);
  w = ingest(server.url, server.writeKey);
  const first = await w.send('track', { ...track('fresh-1', 'Order Completed', now - 2 * DAY, { order_id: 'f1-a', revenue: 100 }) });
  assert.equal(first.status, 200, first.text);
  const batch = await w.send('batch', {
    batch: [
      { type: 'identify', userId: 'fresh-2', timestamp: iso(now - 50 * DAY), traits: { consent: CONSENT_ALL } },
      { type: 'track', ...track('fresh-2', 'Order Completed', now - 40 * DAY, { order_id: 'f2-a', revenue: 30 }) },
      { type: 'track', ...track('fresh-2', 'Order Completed', now - 5 * DAY, { order_id: 'f2-b', revenue: 480 }) },
      { type: 'track', ...track('fresh-2', 'Order Completed', now - 2 * DAY, { order_id: 'f2-c', revenue: 120 }) },
      { type: 'track', ...track('fresh-2', 'Order Refunded', now - 3 * DAY, { order_id: 'f2-a', revenue: 20 }) },
      { type: 'track', ...track('fresh-3', 'Product Viewed', now - 1 * DAY, { product_id: 'p1' }) },
      { type: 'track', ...track('fresh-4', 'Product Viewed', now - 9 * DAY, { product_id: 'p2' }) },
    ],
  });
  assert.equal(batch.status, 200, batch.text);
  const b = await admin.post<{ persons: number }>('/api/v1/builds', {});
  assert.equal(b.status, 200, b.text);
  assert.equal(b.body.persons, 4);
});

describe('freshness', () => {
  it('an order over /v1/track is in the profile’s tags within 2 s', async () => {
    const before = (await profile('fresh-1')).tags;
    assert.equal(before.orders_30d, 1);
    assert.equal(before.last_order_date, c.date(now - 2 * DAY));

    const sent = Date.now();
    const r = await w.send('track', track('fresh-1', 'Order Completed', sent, { order_id: 'f1-b', revenue: 60 }));
    assert.equal(r.status, 200, r.text);
    const fresh = await eventually(async () => {
      const t = (await profile('fresh-1')).tags;
      return t.orders_30d === 2 ? t : null;
    }, 2000, 50);
    const elapsed = Date.now() - sent;
    assert.ok(fresh, `orders_30d did not reach 2 within 2 s: ${JSON.stringify((await profile('fresh-1')).tags)}`);
    assert.ok(elapsed <= 2000, `${elapsed} ms`);
    assert.equal(fresh.last_order_date, c.date(sent));
    assert.equal(fresh.gmv_365d, 160);
    assert.equal(fresh.days_since_last_order, 0);
    assert.equal(typeof fresh.lifecycle_stage, 'string');
    assert.equal(fresh.rfm_r, 5, 'scored with the last build’s thresholds: ordered today');
  });
});

describe('tag API', () => {
  const bigOrders = {
    code: 'big_orders_30d', category: 'custom', name_zh: '近30天大额订单数', name_en: 'Big orders (30d)', valueType: 'number',
    spec: { type: 'stat', stat: { agg: 'count', event: 'Order Completed', window: '30d', where: [{ field: 'revenue', op: 'gte', value: 100 }] } },
  };

  it('POST /api/v1/tags defines a tag (201); the next event computes it live', async () => {
    const r = await admin.post('/api/v1/tags', bigOrders);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.code, 'big_orders_30d');
    assert.equal(r.body.kind, 'statistical');
    assert.equal(r.body.refresh, 'realtime');
    await w.send('track', track('fresh-2', 'Product Viewed', Date.now(), { product_id: 'p9' }));
    const t = await eventually(async () => (await profile('fresh-2')).tags.big_orders_30d, 5000, 50);
    assert.equal(t, 2, 'orders of 480 and 120 in 30 days; 30 is small and older');
  });

  it('a bad definition is a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...bigOrders, code: 'bad_sum', spec: { type: 'stat', stat: { agg: 'sum', event: 'Order Completed' } } }, 'spec.stat.of'],
      [{ ...bigOrders, code: 'bad_field', spec: { type: 'stat', stat: { agg: 'sum', of: 'price; DROP TABLE events' } } }, 'spec.stat.of'],
      [{ ...bigOrders, code: 'bad_window', spec: { type: 'stat', stat: { agg: 'count', window: '30 days' } } }, 'spec.stat.window'],
      [{ ...bigOrders, code: 'bad_in', spec: { type: 'stat', stat: { agg: 'count', where: [{ field: 'brand', op: 'in', value: 'Nike' }] } } }, 'spec.stat.where.0.value'],
      [{ ...bigOrders, code: 'bad_type', valueType: 'ranked' }, 'valueType'],
      [{ ...bigOrders, code: 'bad_ref', spec: { type: 'expr', expr: { tag: 'no_such_tag' } } }, 'spec'],
      [{ ...bigOrders, code: 'Bad-Code' }, 'code'],
      [bigOrders, 'code'], // exists already
    ];
    for (const [body, path] of cases) {
      const r = await admin.post<{ error: { code: string; message: string; details: { path: string }[] } }>('/api/v1/tags', body);
      assert.equal(r.status, 400, `${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'invalid_tag');
      assert.ok(r.body.error.message.startsWith(`${path}: `), `${path}: ${r.body.error.message}`);
      assert.equal(r.body.error.details[0]!.path, `body.${path}`);
    }
  });

  it('preview: coverage, distribution and a sample, nothing stored', async () => {
    const r = await admin.post('/api/v1/tags/preview', { valueType: 'number', spec: { type: 'stat', stat: { agg: 'avg', of: 'revenue', event: 'Order Completed' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.persons, 4);
    assert.equal(r.body.covered, 2, 'fresh-1 and fresh-2 ordered');
    assert.equal(r.body.coverage, 0.5);
    assert.deepEqual([r.body.numeric.min, r.body.numeric.max], [80, 210], 'averages: fresh-1 (100 + 60) / 2, fresh-2 (30 + 480 + 120) / 3');
    assert.deepEqual(r.body.sample.map((x: { userId: string }) => x.userId).sort(), ['fresh-1', 'fresh-2']);
    assert.match(r.body.sql, /\{p\d+:String\}/);
    assert.equal((await admin.get('/api/v1/tags/preview_tag')).status, 404);
  });

  it('why: the evidence is the numbers that were sent', async () => {
    const r = await admin.get('/api/v1/profiles/fresh-2/tags/gmv_365d/why');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value, 610);
    assert.equal(r.body.computedValue, 610);
    const ev = Object.fromEntries(r.body.evidence.map((e: { label_en: string; value: unknown }) => [e.label_en, e.value]));
    assert.deepEqual(ev, { 'sum(revenue) of Order Completed, last 365d': 630, 'sum(revenue) of Order Refunded, last 365d': 20 });
    const rfm = await admin.get('/api/v1/profiles/fresh-2/tags/rfm_m/why');
    assert.equal(rfm.status, 200, rfm.text);
    const byName = Object.fromEntries(rfm.body.evidence.map((e: { name: string; value: unknown }) => [e.name, e.value]));
    assert.equal(byName.gmv_365d, 610);
    assert.equal(byName.orders_365d, 3);
    assert.equal(byName['rfm_m.thresholds'].length, 4);
    assert.equal((await admin.get('/api/v1/profiles/fresh-2/tags/nope/why')).status, 404);
  });

  it('search by tag value finds the user', async () => {
    const hits = async (q: string) => {
      const r = await admin.get<{ users: { userId: string }[] }>(`/api/v1/profiles?${q}`);
      assert.equal(r.status, 200, r.text);
      return r.body.users.map((u) => u.userId);
    };
    assert.deepEqual(await hits('tag=big_orders_30d&value=2'), ['fresh-2']);
    assert.deepEqual(await hits('tag=membership_tier&value=silver'), ['fresh-2']);
    assert.deepEqual(await hits('tag=orders_30d&value=2'), ['fresh-1', 'fresh-2']);
    assert.deepEqual(await hits('tag=consent_personalization&value=true'), ['fresh-2']);
    assert.deepEqual(await hits(`tag=last_order_date&value=${c.date(now - 2 * DAY)}`), ['fresh-2']);
  });

  it('alias over the API merges two people live; the old id leaves no values behind', async () => {
    const r = await w.send('batch', {
      batch: [
        { type: 'track', ...track('fresh-old', 'Order Completed', now - 3 * DAY, { order_id: 'fo-1', revenue: 7 }) },
        { type: 'track', ...track('fresh-new', 'Order Completed', now - 4 * DAY, { order_id: 'fn-1', revenue: 9 }) },
      ],
    });
    assert.equal(r.status, 200, r.text);
    await eventually(async () => (await profile('fresh-old')).tags.orders_total === 1, 5000, 50);
    const a = await w.send('alias', { previousId: 'fresh-old', userId: 'fresh-new', timestamp: iso(Date.now()) });
    assert.equal(a.status, 200, a.text);
    const merged = await eventually(async () => {
      const p = await profile('fresh-old');
      return p.userId === 'fresh-new' && p.tags.orders_total === 2 ? p : null;
    }, 5000, 50);
    assert.ok(merged, JSON.stringify(await profile('fresh-old')));
    assert.equal(merged.tags.gmv_365d, 16);
    const hits = await admin.get<{ users: { userId: string }[] }>('/api/v1/profiles?tag=gmv_365d&value=7');
    assert.deepEqual(hits.body.users, [], 'the old person’s value was removed');
  });

  it('a tag the API accepts does not break builds', async () => {
    const spend = {
      code: 'mobile_item_spend', category: 'custom', name_zh: '移动端商品金额', name_en: 'Item spend on mobile', valueType: 'number',
      spec: { type: 'stat', stat: { agg: 'sum', of: 'line.amount', event: 'Order Completed', where: [{ field: 'device_type', op: 'eq', value: 'mobile' }] } },
    };
    const created = await admin.post('/api/v1/tags', spend);
    try {
      if (created.status === 400) return; // rejecting it up front is fine too
      assert.equal(created.status, 201, created.text);
      const b = await admin.post('/api/v1/builds', {});
      assert.equal(b.status, 200, `the build failed: ${b.text}`);
    } finally {
      if (created.status === 201) await admin.post('/api/v1/tags/mobile_item_spend/deprecate', {});
    }
  });
});
