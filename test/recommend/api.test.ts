import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { DAY, MINUTE, consent, ev, loadCatalog } from './fixture.ts';

/**
 * The recommendation API over real HTTP: events in through /v1/batch, training, every endpoint's answer
 * (with a reason per item), feedback obeyed at once, impressions and clicks stored as events, and 400s
 * that name the field.
 */

let dir: string;
let server: Server;
const now = Date.now();

async function call(method: string, url: string, body?: unknown, token = server.adminToken) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-rec-api-'));
  server = await startServer(testConfig({ dataDir: dir, port: 0, logLevel: 'silent' }));
  await loadCatalog(server.rt, now);
  const batch = [];
  for (let n = 0; n < 5; n++) {
    const t = now - 5 * DAY + n * 10 * MINUTE;
    batch.push(ev.view(`p${n}`, 'a1', t), ev.view(`p${n}`, 'a2', t + MINUTE), ev.view(`p${n}`, 'b3', t + 2 * MINUTE), ev.buy(`p${n}`, ['b1', 'b2'], t + 3 * MINUTE));
  }
  batch.push(ev.view('amy', 'a1', now - DAY));
  for (const u of ['amy', 'p0', 'p1', 'p2', 'p3', 'p4']) batch.push(consent(u, now - 6 * DAY));
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}` },
    body: JSON.stringify({ batch }),
  });
  assert.equal(res.status, 200, await res.text());
});
after(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('recommendation API', () => {
  it('POST /train fits the models and GET /status reports the run', async () => {
    // the tags first: personalised lists need each person's consent_personalization
    assert.equal((await call('POST', '/api/v1/builds', {})).status, 200);
    const t = await call('POST', '/api/v1/recommendations/train', {});
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.items, 11);
    assert.ok(t.body.persons >= 6);
    const s = await call('GET', '/api/v1/recommendations/status');
    assert.equal(s.body.trained, true);
    assert.equal(s.body.runs[0].id, t.body.id);
  });

  it('GET /users/{userId}: items with score and reason; amy, who viewed a1, is offered a2 because of it', async () => {
    const r = await call('GET', '/api/v1/recommendations/users/amy?limit=5&lang=en&explore=0');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.items.length, 5);
    for (const i of r.body.items) assert.ok(typeof i.itemId === 'string' && typeof i.score === 'number' && i.reason.length > 0);
    const a2 = r.body.items.find((i: any) => i.itemId === 'a2');
    assert.ok(a2, JSON.stringify(r.body.items));
    assert.equal(a2.becauseOf, 'a1');
    assert.match(a2.reason, /because you viewed/);
    assert.ok(r.body.recommendationId);
  });

  it('similar, bought together and basket', async () => {
    const s = await call('GET', '/api/v1/recommendations/items/a1/similar?limit=3');
    assert.equal(s.status, 200);
    assert.ok(s.body.items.some((i: any) => i.itemId === 'a2'));
    assert.ok(!s.body.items.some((i: any) => i.itemId === 'a1'));
    const t = await call('GET', '/api/v1/recommendations/items/b1/bought-together');
    assert.deepEqual(t.body.items.map((i: any) => i.itemId), []);
    // b1 and b2 are in every order (lift 1): nothing is bought with them more than by chance
    const b = await call('POST', '/api/v1/recommendations/basket', { itemIds: ['a1'], limit: 4, lang: 'zh' });
    assert.equal(b.status, 200);
    assert.equal(b.body.scene, 'cart');
    assert.ok(b.body.items.length > 0 && !b.body.items.some((i: any) => i.itemId === 'a1'));
  });

  it('feedback takes effect on the next request', async () => {
    const before = await call('GET', '/api/v1/recommendations/users/amy?limit=5&explore=0');
    const first = before.body.items[0].itemId;
    const f = await call('POST', '/api/v1/recommendations/feedback', { userId: 'amy', kind: 'not_interested', itemId: first });
    assert.equal(f.status, 201);
    const afterwards = await call('GET', '/api/v1/recommendations/users/amy?limit=5&explore=0');
    assert.ok(!afterwards.body.items.some((i: any) => i.itemId === first));
  });

  it('impressions and clicks are stored as Product List Viewed / Product Clicked events with the recommendation id', async () => {
    const r = await call('GET', '/api/v1/recommendations/users/amy?limit=3');
    const shown = r.body.items.map((i: any) => i.itemId);
    const e = await call('POST', '/api/v1/recommendations/events', {
      events: [
        { type: 'impression', recommendationId: r.body.recommendationId, userId: 'amy', scene: 'home', itemIds: shown },
        { type: 'click', recommendationId: r.body.recommendationId, userId: 'amy', scene: 'home', itemIds: [shown[1]], position: 2 },
      ],
    });
    assert.equal(e.status, 200, JSON.stringify(e.body));
    assert.equal(e.body.recorded, 2);
    const rows = await server.rt.olap.query<{ event: string; product_id: string; rid: string }>(
      `SELECT event, product_id, JSONExtractString(properties, 'recommendation_id') AS rid FROM ${server.rt.olap.db}.events
       WHERE user_id = 'amy' AND event IN ('Product List Viewed', 'Product Clicked') ORDER BY event`);
    assert.deepEqual(rows.map((x) => [x.event, x.rid]), [['Product Clicked', r.body.recommendationId], ['Product List Viewed', r.body.recommendationId]]);
    assert.equal(rows[0]!.product_id, shown[1]);
  });

  it('answers 400 naming the field, 404 for an unknown item, 401 without a token', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/api/v1/recommendations/users/amy?limit=0', undefined, 'query.limit'],
      ['GET', '/api/v1/recommendations/users/amy?scene=shelf', undefined, 'query.scene'],
      ['GET', '/api/v1/recommendations/users/amy?scene=product', undefined, 'query.itemIds'],
      ['GET', '/api/v1/recommendations/users/amy?diversity=2', undefined, 'query.diversity'],
      ['GET', '/api/v1/recommendations/items/a1/similar?lang=fr', undefined, 'query.lang'],
      ['POST', '/api/v1/recommendations/basket', { itemIds: [] }, 'body.itemIds'],
      ['POST', '/api/v1/recommendations/feedback', { userId: 'amy', kind: 'meh', itemId: 'a1' }, 'body.kind'],
      ['POST', '/api/v1/recommendations/feedback', { userId: 'amy', kind: 'dislike' }, 'body.itemId'],
      ['POST', '/api/v1/recommendations/events', { events: [{ type: 'view', recommendationId: 'x', userId: 'amy', itemIds: ['a1'] }] }, 'body.events.0.type'],
      ['POST', '/api/v1/recommendations/train', { asOf: 'yesterday' }, 'body.asOf'],
    ];
    for (const [method, url, body, field] of cases) {
      const r = await call(method, url, body);
      assert.equal(r.status, 400, `${method} ${url}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.error.message.includes(field), `${url}: ${r.body.error.message}`);
    }
    const missing = await call('GET', '/api/v1/recommendations/items/nope/similar');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /nope/);
    const anon = await fetch(`${server.url}/api/v1/recommendations/users/amy`);
    assert.equal(anon.status, 401);
  });

  it('the endpoints are in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/recommendations/users/{userId}', '/api/v1/recommendations/items/{itemId}/similar', '/api/v1/recommendations/items/{itemId}/bought-together', '/api/v1/recommendations/basket', '/api/v1/recommendations/feedback', '/api/v1/recommendations/events']) {
      assert.ok(p in doc.paths, p);
    }
  });
});
