import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { AccessStore } from '../../src/server/access.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';

/**
 * The campaigns API over real HTTP on an in-process server: people in through /v1/batch, a campaign
 * created, changed, started and delivered (in-app) by the server's own workers; every bad input answers 400
 * naming the field, a move the status machine forbids 409 invalid_transition naming from → to.
 */

let srv: Server;
let A: ReturnType<typeof api>;
const patch = async (path: string, body: unknown, token = srv.adminToken) => {
  const res = await fetch(srv.url + path, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const people = Array.from({ length: 40 }, (_, i) => `api-c${i}`);
const body = (over: Record<string, unknown> = {}) => ({
  id: 'api-1', name: 'Winter coupons', owner: 'crm team', channel: 'inapp',
  audience: { kind: 'list', userIds: [...people, 'ghost-1'] },
  variants: [{ name: 'A', weight: 1, content: { subject: { 'zh-CN': '冬季优惠', en: 'Winter deals' }, body: { 'zh-CN': '你好', en: 'Hello' } } }],
  experiment: { holdout: 0.2 },
  ...over,
});

before(async () => {
  // no quiet hours: the test runs at any hour of the day
  const campaigns = { capPerChannel: 2, capAll: 4, capWindowHours: 24, quietHours: 'off', rates: {}, concurrency: 8, maxAttempts: 3, retryBaseMs: 1000 };
  srv = await startServer(testConfig({ dataDir: tmpDataDir(undefined, 'hx-cmp-api-'), port: 0, logLevel: 'silent', campaigns }));
  A = api(srv.url, srv.adminToken);
  const send = ingest(srv.url, srv.writeKey);
  const now = Date.now();
  const batch = people.map((u, i) => ({ type: 'identify', userId: u, messageId: `id-${u}`, timestamp: new Date(now - 60_000 + i).toISOString(), traits: { consent: { marketing: true } } }));
  assert.equal((await send.send('batch', { batch })).status, 200);
  await eventually(async () => (await srv.rt.oltp.query(`SELECT 1 FROM identities WHERE distinct_id = 'api-c39'`)).length > 0);
});
after(async () => srv?.close());

describe('campaigns API', () => {
  it('creates a draft (201), lists it with counts, and names bad fields with 400', async () => {
    const created = await A.post('/api/v1/campaigns', body());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'draft');
    assert.deepEqual(created.body.experiment, { holdout: 0.2 });
    const listed = await A.get('/api/v1/campaigns');
    const c = listed.body.campaigns.find((x: any) => x.id === 'api-1');
    assert.deepEqual(c.counts, { audience: 0, queued: 0, sent: 0, suppressed: 0, failed: 0 });
    const dup = await A.post('/api/v1/campaigns', body());
    assert.equal(dup.status, 409);
    const bad = await A.post('/api/v1/campaigns', body({ id: 'api-2', channel: 'fax' }));
    assert.deepEqual([bad.status, bad.body.error.details[0].path], [400, 'body.channel']);
    const badHoldout = await A.post('/api/v1/campaigns', body({ id: 'api-2', experiment: { holdout: 2 } }));
    assert.equal(badHoldout.body.error.details[0].path, 'body.experiment.holdout');
    const badVariant = await A.post('/api/v1/campaigns', body({ id: 'api-2', variants: [{ name: 'A', weight: 1, content: { body: {} } }] }));
    assert.equal(badVariant.body.error.details[0].path, 'body.variants.0.content.body');
    const badSchedule = await A.post('/api/v1/campaigns', body({ id: 'api-2', schedule: { kind: 'recurring', every: 'week', at: '25:00' } }));
    assert.match(badSchedule.body.error.message, /^body\.schedule\./);
    assert.equal((await A.get('/api/v1/campaigns?status=gone')).body.error.details[0].path, 'query.status');
    assert.equal((await A.get('/api/v1/campaigns/nope')).status, 404);
  });

  it('counts an audience, with the unknown ids of a list', async () => {
    const r = await A.post('/api/v1/campaigns/audience/count', { audience: { kind: 'list', userIds: [...people.slice(0, 5), 'ghost-9'] } });
    assert.deepEqual(r.body, { count: 5, unknown: 1 });
    const bad = await A.post('/api/v1/campaigns/audience/count', { audience: { kind: 'segment', segmentId: 'no-such' } });
    assert.deepEqual([bad.status, bad.body.error.details[0].path], [400, 'body.audience.segmentId']);
  });

  it('patches a draft, starts it, delivers it, and refuses a forbidden move with 409 naming from → to', async () => {
    const p = await patch('/api/v1/campaigns/api-1', { name: 'Winter coupons 2' });
    assert.deepEqual([p.status, p.body.name, p.body.owner], [200, 'Winter coupons 2', 'crm team']);
    const badPatch = await patch('/api/v1/campaigns/api-1', { budget: { maxSends: -1 } });
    assert.deepEqual([badPatch.status, badPatch.body.error.details[0].path], [400, 'body.budget.maxSends']);
    const started = await A.post('/api/v1/campaigns/api-1/start', {});
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.status, 'running');
    assert.equal(started.body.run.audience, people.length);
    assert.equal(started.body.run.unknownCount, 1);
    const treated = started.body.run.treated;
    assert.equal(started.body.run.control + treated, people.length);
    const done = await eventually(async () => {
      const c = (await A.get('/api/v1/campaigns/api-1')).body;
      return c.counts.sent === treated ? c : null;
    }, 30_000);
    assert.deepEqual(done!.counts, { audience: people.length, queued: 0, sent: treated, suppressed: 0, failed: 0 });
    // the delivery metrics count the same sends, and the queue is empty
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`hx_campaign_messages_total\\{channel="inapp",status="sent"\\} ${treated}\\b`));
    assert.doesNotMatch(metrics, /hx_campaign_queue_depth\{channel="inapp"\} [1-9]/);
    assert.match(metrics, /hx_campaign_send_seconds_count\{channel="inapp"\}/);
    const msgs = await A.get('/api/v1/campaigns/api-1/messages?status=sent&limit=5');
    assert.equal(msgs.body.messages.length, Math.min(5, treated));
    assert.equal(msgs.body.messages[0].status, 'sent');
    assert.equal((await A.get('/api/v1/campaigns/api-1/messages?limit=0')).body.error.details[0].path, 'query.limit');

    const locked = await patch('/api/v1/campaigns/api-1', { name: 'late' });
    assert.deepEqual([locked.status, locked.body.error.code], [409, 'not_editable']);
    const again = await A.post('/api/v1/campaigns/api-1/schedule', {});
    assert.deepEqual([again.status, again.body.error.code], [409, 'invalid_transition']);
    assert.match(again.body.error.message, /from (running|done) to scheduled/);
    const changes = await A.get('/api/v1/campaigns/api-1/changes');
    const actions = changes.body.changes.map((c: any) => c.action);
    assert.ok(actions.includes('run') && actions.includes('update') && actions.includes('create'), actions.join());
    assert.ok(changes.body.changes.every((c: any) => typeof c.actor === 'string' && c.at));
  });

  it('needs a token, and the marketer role to change anything', async () => {
    assert.equal((await api(srv.url).get('/api/v1/campaigns')).status, 401);
    const viewer = 'viewer-token-campaigns-0001';
    await new AccessStore(srv.rt.oltp).addToken('viewer', viewer, 'viewer');
    const V = api(srv.url, viewer);
    assert.equal((await V.get('/api/v1/campaigns')).status, 200);
    assert.equal((await V.post('/api/v1/campaigns', body({ id: 'api-v' }))).status, 403);
    assert.equal((await V.post('/api/v1/campaigns/api-1/pause', {})).status, 403);
  });
});
