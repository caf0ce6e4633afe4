/**
 * The journeys API over real HTTP on an in-process server (chdb + PGlite): templates, creating a journey
 * from one, 400s naming the field, activation and its 409, per-step stats moving as events arrive
 * through /v1/batch, and the roles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JOURNEY_TEMPLATES } from '../../src/campaigns/journeys/index.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { AccessStore } from '../../src/server/access.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';

let srv: Server;
let A: ReturnType<typeof api>;
const post = async (path: string, body?: unknown, token = srv.adminToken) => {
  const res = await fetch(srv.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const patch = async (path: string, body: unknown, token = srv.adminToken) => {
  const res = await fetch(srv.url + path, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const cart = JOURNEY_TEMPLATES.find((t) => t.id === 'abandoned_cart')!.journey;

before(async () => {
  srv = await startServer(testConfig({ dataDir: tmpDataDir(undefined, 'hx-journeys-api-'), port: 0, logLevel: 'silent' }));
  A = api(srv.url, srv.adminToken);
});
after(async () => srv?.close());

describe('journeys API', () => {
  it('lists the six templates with bilingual names, each a valid journey', async () => {
    const r = await A.get('/api/v1/journeys/templates');
    assert.equal(r.status, 200);
    const ids = r.body.templates.map((t: { id: string }) => t.id);
    assert.deepEqual(ids, ['abandoned_cart', 'browse_abandonment', 'post_purchase_cross_sell', 'winback', 'onboarding', 'birthday']);
    for (const t of r.body.templates) {
      assert.ok(/[\u4e00-\u9fff]/.test(t.name_zh), t.id);
      assert.ok(/^[A-Za-z]/.test(t.name_en), t.id);
      assert.ok(t.journey.steps.length > 0);
    }
    const winback = r.body.templates.find((t: { id: string }) => t.id === 'winback');
    assert.deepEqual(winback.segment.rule, { lifecycle: ['declining', 'churned'] });
  });

  it('answers 400 naming the field for a bad definition', async () => {
    const cases: [unknown, string][] = [
      [{ ...cart, name: '' }, 'body.name'],
      [{ ...cart, entry: { kind: 'event' } }, 'body.entry.event'],
      [{ ...cart, steps: [{ ...cart.steps[0], next: 'nowhere' }, ...cart.steps.slice(1)] }, 'body.steps.0.next'],
      [{ ...cart, steps: [{ ...cart.steps[0], duration: {} }, ...cart.steps.slice(1)] }, 'body.steps.0.duration'],
      [{ ...cart, steps: [...cart.steps, { id: 'x', type: 'send', channel: 'fax', content: { body: { en: 'x' } } }] }, 'body.steps.4.channel'],
      [{ ...cart, reentry: { policy: 'cooldown' } }, 'body.reentry.cooldown'],
      [{ ...cart, holdout: 0.9 }, 'body.holdout'],
      [{ ...cart, entry: { kind: 'segment', segmentId: 'nope' } }, 'body.entry.segmentId'],
      [{ ...cart, steps: [{ id: 'a', type: 'split', condition: { tag: 'no_such_tag', op: 'exists' }, yes: 'b', no: 'b' }, { id: 'b', type: 'exit' }] }, 'body.steps.0.condition'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/api/v1/journeys', body);
      assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.error.message.startsWith(field), `${field}: ${r.body.error.message}`);
      assert.ok(r.body.error.details.some((d: { path: string }) => d.path.startsWith(field)), field);
    }
  });

  it('creates a journey from a template, activates it once, and counts people per step', async () => {
    const created = await post('/api/v1/journeys', { ...cart, id: 'cart-api', holdout: 0 });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'draft');
    assert.equal(created.body.id, 'cart-api');
    assert.deepEqual(created.body.stats, {});
    assert.equal((await post('/api/v1/journeys', { ...cart, id: 'cart-api' })).status, 409);

    const on = await post('/api/v1/journeys/cart-api/activate');
    assert.equal(on.status, 200);
    assert.equal(on.body.status, 'active');
    const twice = await post('/api/v1/journeys/cart-api/activate');
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'invalid_transition');
    assert.equal((await post('/api/v1/journeys/nope/activate')).status, 404);

    const ev = (userId: string, event: string) => ({ type: 'track', userId, event, timestamp: new Date().toISOString(), messageId: `${userId}-${event}`, properties: { product_id: 'p1', order_id: `o-${userId}` } });
    const w = ingest(srv.url, srv.writeKey);
    assert.equal((await w.send('batch', { batch: [ev('api-a', 'Product Added'), ev('api-b', 'Product Added'), ev('api-c', 'Product Added')] })).status, 200);
    await eventually(async () => (await A.get('/api/v1/journeys/cart-api')).body.stats.wait_order?.waiting === 3);
    assert.equal((await w.send('batch', { batch: [ev('api-b', 'Order Completed')] })).status, 200);
    const view = await eventually(async () => {
      const r = await A.get('/api/v1/journeys/cart-api');
      return r.body.stats.ordered?.entered === 1 ? r : null;
    });
    assert.ok(view);
    // 3 reached the wait; 1 left it by ordering; 2 still wait for the hour to pass
    assert.deepEqual(view.body.stats.wait_order, { entered: 3, completed: 1, waiting: 2, heldOut: 0 });
    assert.deepEqual(view.body.stats.ordered, { entered: 1, completed: 1, waiting: 0, heldOut: 0 });
    assert.deepEqual(view.body.people, { waiting: 2, done: 1, exited: 0, control: 0 });

    // nobody held out (holdout 0), nobody ordered within the week after entering but api-b
    const res = await A.get('/api/v1/journeys/cart-api/results?windowDays=7');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.arms.map((a: { arm: string; entries: number; converted: number }) => [a.arm, a.entries, a.converted]), [['journey', 3, 1], ['control', 0, 0]]);
    assert.equal(res.body.uplift, null, 'no control, no uplift');
    const bad = await A.get('/api/v1/journeys/cart-api/results?windowDays=0');
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.message.startsWith('query.windowDays'), bad.body.error.message);
    assert.equal((await A.get('/api/v1/journeys/nope/results')).status, 404);

    const list = await A.get('/api/v1/journeys');
    assert.deepEqual(list.body.journeys.map((j: { id: string }) => j.id), ['cart-api']);
    const patchWhileActive = await patch('/api/v1/journeys/cart-api', { name: 'renamed' });
    assert.equal(patchWhileActive.status, 409);
    assert.equal((await post('/api/v1/journeys/cart-api/pause')).body.status, 'paused');
    assert.equal((await post('/api/v1/journeys/cart-api/pause')).status, 409);
    // paused: a change is checked whole, and kept
    const badPatch = await patch('/api/v1/journeys/cart-api', { steps: [{ id: 'a', type: 'wait', duration: { hours: 2 }, next: 'gone' }] });
    assert.equal(badPatch.status, 400);
    assert.ok(badPatch.body.error.message.startsWith('body.steps.0.next'), badPatch.body.error.message);
    assert.equal((await patch('/api/v1/journeys/cart-api', { id: 'other' })).status, 400);
    const renamed = await patch('/api/v1/journeys/cart-api', { name: 'renamed', holdout: 0.2 });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'renamed');
    assert.equal(renamed.body.holdout, 0.2);
    assert.deepEqual(renamed.body.steps, cart.steps, 'fields not given are kept');
    assert.equal(renamed.body.stats.wait_order.entered, 3, 'the stats stay');
  });

  it('needs a token, and the marketer role to change', async () => {
    const r = await fetch(`${srv.url}/api/v1/journeys`);
    assert.equal(r.status, 401);
    await new AccessStore(srv.rt.oltp).addToken('viewer', 'tok-journeys-viewer', 'viewer');
    assert.equal((await fetch(`${srv.url}/api/v1/journeys`, { headers: { authorization: 'Bearer tok-journeys-viewer' } })).status, 200);
    assert.equal((await post('/api/v1/journeys', cart, 'tok-journeys-viewer')).status, 403);
  });
});
