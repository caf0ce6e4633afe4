import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';

/**
 * The loyalty API over real HTTP on an in-process server: events in through /v1/batch, points out through
 * /api/v1/loyalty/*. Every bad input answers 400 naming the field.
 */

let srv: Server;
let A: ReturnType<typeof api>;
const put = async (path: string, body: unknown, token = srv.adminToken) => {
  const res = await fetch(srv.url + path, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const order = (userId: string, orderId: string, revenue: number, extra: Record<string, unknown> = {}) => ({
  type: 'track', userId, event: 'Order Completed', messageId: `m-${orderId}-${Math.random()}`, timestamp: new Date().toISOString(),
  properties: { order_id: orderId, revenue, products: [{ product_id: 'p1', category: '服装/女装/连衣裙', price: revenue, quantity: 1 }], ...extra },
});

before(async () => {
  const dir = tmpDataDir(undefined, 'hx-loyalty-api-');
  srv = await startServer(testConfig({ dataDir: dir, port: 0, logLevel: 'silent' }));
  A = api(srv.url, srv.adminToken);
});
after(async () => srv?.close());

describe('loyalty API', () => {
  it('earns from events sent over HTTP and shows balance and history', async () => {
    const send = ingest(srv.url, srv.writeKey);
    const o = order('api-u1', 'api-o1', 250);
    assert.equal((await send.send('batch', { batch: [o, { ...o, messageId: 'retry-1' }] })).status, 200);
    const bal = await eventually(async () => {
      const r = await A.get('/api/v1/loyalty/accounts/api-u1');
      return r.body.balance > 0 ? r : null;
    });
    assert.equal(bal!.body.balance, 250);
    assert.equal(bal!.body.lifetimePoints, 250);
    const h = await A.get('/api/v1/loyalty/accounts/api-u1/history?limit=10');
    assert.equal(h.status, 200);
    assert.deepEqual(h.body.entries.map((e: any) => [e.kind, e.points, e.sourceKey]), [['earn', 250, 'api-o1']]);
    assert.equal((await A.get('/api/v1/loyalty/accounts/api-u1/history?limit=0')).body.error.message, 'query.limit: Too small: expected number to be >=1');
    assert.match((await A.get('/api/v1/loyalty/accounts/api-u1/history?kind=gift')).body.error.message, /^query\.kind: /);
  });

  it('redeems with a request id once, and answers 409 when the balance is short', async () => {
    const r1 = await A.post('/api/v1/loyalty/accounts/api-u1/redeem', { points: 100, requestId: 'req-1' });
    assert.deepEqual([r1.status, r1.body.status, r1.body.balance], [200, 'ok', 150]);
    const again = await A.post('/api/v1/loyalty/accounts/api-u1/redeem', { points: 100, requestId: 'req-1' });
    assert.deepEqual([again.status, again.body.status, again.body.balance], [200, 'duplicate', 150]);
    const short = await A.post('/api/v1/loyalty/accounts/api-u1/redeem', { points: 151 });
    assert.deepEqual([short.status, short.body.error.code], [409, 'insufficient_points']);
    const bad = await A.post('/api/v1/loyalty/accounts/api-u1/redeem', { points: -5 });
    assert.deepEqual([bad.status, bad.body.error.details[0].path], [400, 'body.points']);
  });

  it('adjusts with a reason, writes the audit log, and refuses a missing reason naming the field', async () => {
    const noReason = await A.post('/api/v1/loyalty/accounts/api-u2/adjust', { points: 50 });
    assert.deepEqual([noReason.status, noReason.body.error.details[0].path], [400, 'body.reason']);
    const ok = await A.post('/api/v1/loyalty/accounts/api-u2/adjust', { points: 50, reason: 'compensation for a lost parcel' });
    assert.deepEqual([ok.status, ok.body.balance], [200, 50]);
    const [e] = (await A.get('/api/v1/loyalty/accounts/api-u2/history')).body.entries;
    assert.deepEqual([e.kind, e.points, e.reason, e.operator.startsWith('tok_')], ['adjust', 50, 'compensation for a lost parcel', true]);
    const audit = await srv.rt.oltp.query<{ action: string; subject_id: string; details: { points: number } }>(
      `SELECT action, subject_id, details FROM audit_log WHERE action = 'points.adjust'`);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.details.points, 50);
    assert.notEqual(audit[0]!.subject_id, 'api-u2', 'the audit log keeps a pseudonym, not the user id');
    const again = await A.post('/api/v1/loyalty/accounts/api-u2/adjust', { points: 5, reason: 'second goodwill' });
    assert.deepEqual([again.status, again.body.balance], [200, 55]);
    const anon = await api(srv.url).post('/api/v1/loyalty/accounts/api-u2/adjust', { points: 5, reason: 'no token' });
    assert.equal(anon.status, 401);
  });

  it('lists and changes earning rules; bad params are named', async () => {
    const rules = await A.get('/api/v1/loyalty/rules');
    assert.deepEqual(rules.body.rules.map((r: any) => r.code), ['birthday', 'invite_friends', 'order_spend', 'review', 'share_visit', 'sign_in']);
    const badRule = await put('/api/v1/loyalty/rules/order_spend', { kind: 'order_spend', name_zh: '消费', name_en: 'Spend', params: { pointsPerUnit: 'lots' } });
    assert.deepEqual([badRule.status, badRule.body.error.details[0].path], [400, 'body.params.pointsPerUnit']);
    const badKind = await put('/api/v1/loyalty/rules/x', { kind: 'lottery', name_zh: 'x', name_en: 'x', params: {} });
    assert.deepEqual([badKind.status, badKind.body.error.details[0].path], [400, 'body.kind']);
    const ok = await put('/api/v1/loyalty/rules/order_spend', {
      kind: 'order_spend', name_zh: '消费积分', name_en: 'Spend', params: { pointsPerUnit: 2, categoryMultipliers: { 服装: 1.5 } }, dailyCap: 10_000,
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.params, { pointsPerUnit: 2, categoryMultipliers: { 服装: 1.5 } });
    await ingest(srv.url, srv.writeKey).send('batch', { batch: [order('api-u3', 'api-o3', 100)] });
    const bal = await eventually(async () => (await A.get('/api/v1/loyalty/accounts/api-u3')).body.balance || null);
    assert.equal(bal, Math.floor(100 * 2 * 1.5));
  });

  it('shows tiers and their changes; a tier change is validated', async () => {
    const t = await A.get('/api/v1/loyalty/tiers');
    assert.deepEqual(t.body.tiers.map((x: any) => x.code), ['bronze', 'silver', 'gold', 'platinum']);
    assert.equal(t.body.windowDays, 365);
    const clash = await put('/api/v1/loyalty/tiers/diamond', { rank: 3, name_zh: '钻石', name_en: 'Diamond', minPoints: 50_000 });
    assert.deepEqual([clash.status, clash.body.error.details[0].path], [400, 'body.rank']);
    const none = await put('/api/v1/loyalty/tiers/diamond', { rank: 4, name_zh: '钻石', name_en: 'Diamond' });
    assert.deepEqual([none.status, none.body.error.details[0].path], [400, 'body.minPoints']);
    const ok = await put('/api/v1/loyalty/tiers/diamond', { rank: 4, name_zh: '钻石', name_en: 'Diamond', minPoints: 50_000, benefits: ['专属管家'] });
    assert.equal(ok.status, 200);
    const changes = await A.get('/api/v1/loyalty/tiers/changes?limit=10');
    assert.ok(changes.body.changes.length >= 1);
    assert.ok(changes.body.changes.every((c: any) => ['initial', 'upgrade', 'downgrade'].includes(c.direction)));
  });

  it('creates coupon templates (400 naming the field), issues to a segment, shows stats', async () => {
    const bad = await A.post('/api/v1/loyalty/coupons/templates', { name: '满减', kind: 'threshold', minSpend: 99 });
    assert.deepEqual([bad.status, bad.body.error.details[0].path], [400, 'body.amount']);
    const created = await A.post('/api/v1/loyalty/coupons/templates', { id: 'api-tpl', name: '9折券', kind: 'percent_off', percent: 10, maxDiscount: 30, validDays: 7, stock: 10 });
    assert.equal(created.status, 201);
    const seg = await A.post('/api/v1/segments', { name: 'api coupon seg', kind: 'static', ids: ['api-u1', 'api-u2', 'api-u3'] });
    assert.equal(seg.status, 201);
    const issued = await A.post('/api/v1/loyalty/coupons/templates/api-tpl/issue', { segmentId: seg.body.id });
    assert.deepEqual([issued.status, issued.body.issued, issued.body.target], [200, 3, 'segment']);
    const both = await A.post('/api/v1/loyalty/coupons/templates/api-tpl/issue', { segmentId: seg.body.id, userIds: ['x'] });
    assert.deepEqual([both.status, both.body.error.details[0].path], [400, 'body.userIds']);
    assert.equal((await A.post('/api/v1/loyalty/coupons/templates/nope/issue', { userIds: ['x'] })).status, 404);
    assert.equal((await A.post('/api/v1/loyalty/coupons/templates/api-tpl/issue', { segmentId: 'seg_nope' })).status, 404);
    const code = issued.body.codes.find((c: any) => c.userId === 'api-u3').code;
    await ingest(srv.url, srv.writeKey).send('batch', { batch: [order('api-u3', 'api-o4', 180, { coupon: code, discount: 20 })] });
    const stats = await eventually(async () => {
      const r = await A.get('/api/v1/loyalty/coupons/templates/api-tpl');
      return r.body.stats.redeemed > 0 ? r.body.stats : null;
    });
    assert.deepEqual([stats.issued, stats.redeemed, stats.cost, stats.revenue, stats.stockLeft], [3, 1, 20, 180, 7]);
    const overview = await A.get('/api/v1/loyalty/overview');
    assert.equal(overview.body.coupons.redeemed, 1);
    assert.ok(overview.body.members >= 3);
  });

  it('computes the share graph and serves it, the KOL list and the leaderboard', async () => {
    const send = ingest(srv.url, srv.writeKey);
    const ev = (userId: string, event: string, properties: Record<string, unknown>) => ({ type: 'track', userId, event, properties, timestamp: new Date().toISOString(), messageId: `m-${Math.random()}` });
    await send.send('batch', { batch: [
      ev('api-s1', 'Product Shared', { share_id: 'api-sh1', recipient: 'api-s2', product_id: 'p1' }),
      ev('api-s2', 'Product Viewed', { share_id: 'api-sh1', product_id: 'p1' }),
      ev('api-s2', 'Order Completed', { share_id: 'api-sh1', order_id: 'api-so1', revenue: 50 }),
    ] });
    const c = await A.post('/api/v1/loyalty/social/compute', {});
    assert.equal(c.status, 200);
    const g = await A.get('/api/v1/loyalty/social/graph?limit=10');
    assert.deepEqual(g.body.links.map((l: any) => [l.source, l.target, l.shares, l.visits, l.orders]), [['api-s1', 'api-s2', 1, 1, 1]]);
    const lb = await A.get('/api/v1/loyalty/social/leaderboard');
    assert.deepEqual([lb.body.leaderboard[0].userId, lb.body.leaderboard[0].orders, lb.body.leaderboard[0].revenue], ['api-s1', 1, 50]);
    assert.deepEqual((await A.get('/api/v1/loyalty/social/kols')).body.kols, [], 'one share is not enough evidence for a KOL');
    assert.equal((await A.get('/api/v1/loyalty/social/graph?limit=0')).body.error.details[0].path, 'query.limit');
  });

  it('documents every loyalty route in OpenAPI', async () => {
    const spec = (await A.get('/api/openapi.json')).body;
    const paths = Object.keys(spec.paths).filter((p) => p.startsWith('/api/v1/loyalty'));
    assert.ok(paths.length >= 14, `${paths.length} loyalty paths`);
    assert.ok(spec.paths['/api/v1/loyalty/accounts/{userId}/redeem'].post.requestBody);
  });
});
