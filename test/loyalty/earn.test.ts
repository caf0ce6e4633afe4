import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { atLocal, localTime } from '../../src/campaigns/guards/time.ts';
import { TIER_TAG } from '../../src/loyalty/index.ts';
import { DAY, HOUR, msg, openScenario, send, type Msg, type Scenario } from '../support/scenario.ts';

/**
 * Earning through the real pipeline: Segment messages → writer → the loyalty engine (onStored) → ledger.
 * Expected points are computed here in plain TypeScript from the same messages.
 */

const OC = 'Order Completed';
let sc: Scenario;
const now = Date.now();
const t = (daysAgo: number, hours = 0) => now - daysAgo * DAY + hours * HOUR;

/** floor(revenue / listed × Σ line × multiplier × pointsPerUnit): the rule as documented, written out again */
function expectedOrderPoints(o: { revenue: number; products: { category: string; price: number; quantity: number }[] }, perUnit: number, mult: Record<string, number>): number {
  const listed = o.products.reduce((s, p) => s + p.price * p.quantity, 0);
  const weighted = o.products.reduce((s, p) => s + p.price * p.quantity * (mult[p.category.split('/')[0]!] ?? 1), 0);
  return Math.floor((o.revenue / listed) * weighted * perUnit + 1e-9);
}

/** 12:00 in `timeZone` on the day `ts` falls on there */
function shopNoon(ts: number, timeZone: string): number {
  const l = localTime(new Date(ts), timeZone);
  return atLocal(timeZone, l.year, l.month, l.day, 12, 0).getTime();
}

async function balance(user: string): Promise<number> {
  return (await sc.rt.loyalty.ledger.balance(user)).balance;
}

/** sends, then waits until the engine has credited what the writer reported */
async function deliver(messages: Msg[]) {
  await send(sc.rt, messages);
  await sc.rt.loyalty.settled();
}

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-loyalty-' });
  await sc.rt.loyalty.rules.put({
    code: 'order_spend', kind: 'order_spend', name_zh: '消费积分', name_en: 'Points per yuan spent', active: true, dailyCap: null, monthlyCap: null,
    params: { pointsPerUnit: 1, categoryMultipliers: { 美妆: 2 } },
  }, 'test');
});
after(async () => sc?.close());

describe('earning from events', () => {
  const order = {
    order_id: 'o-1', revenue: 180, total: 180, discount: 20, currency: 'CNY',
    products: [{ product_id: 'p1', category: '美妆/护肤/面霜', price: 120, quantity: 1 }, { product_id: 'p2', category: '食品/零食', price: 40, quantity: 2 }],
  };

  it('an Order Completed sent five times (retries with new messageIds, and one repeated messageId) earns once', async () => {
    const first = msg.track('u1', OC, t(3), order);
    await deliver([first, first, msg.track('u1', OC, t(3, 1), order), msg.track('u1', OC, t(3, 2), order), msg.track('u1', OC, t(3, 3), order)]);
    const want = expectedOrderPoints(order, 1, { 美妆: 2 });
    assert.equal(want, Math.floor((180 / 200) * (240 + 80)));
    assert.equal(await balance('u1'), want);
    const h = await sc.rt.loyalty.ledger.history('u1');
    assert.equal(h.length, 1);
    assert.deepEqual([h[0]!.kind, h[0]!.rule, h[0]!.sourceKey, h[0]!.amount], ['earn', 'order_spend', 'o-1', 180]);
    // a full catch-up over every event finds nothing new
    const r = await sc.rt.loyalty.earn();
    assert.equal(r.rules.order_spend?.entries ?? 0, 0);
    assert.equal(await balance('u1'), want);
  });

  it('refunds reverse the points: a partial refund proportionally, the rest by a full refund, each once', async () => {
    const earned = await balance('u1');
    const partial = msg.track('u1', 'Order Refunded', t(2), { order_id: 'o-1', revenue: 45 });
    await deliver([partial, { ...partial }]);
    const part = Math.round(earned * (45 / 180));
    assert.equal(await balance('u1'), earned - part);
    await deliver([msg.track('u1', 'Order Refunded', t(1), { order_id: 'o-1' })]);
    assert.equal(await balance('u1'), 0);
    const rev = (await sc.rt.loyalty.ledger.history('u1', { kind: 'reverse' })).map((e) => e.points);
    assert.deepEqual(rev, [-(earned - part), -part]);
  });

  it('reviews earn above the minimum length, within the daily cap', async () => {
    const rule = await sc.rt.loyalty.rules.get('review');
    assert.equal(rule.kind, 'review');
    const min = (rule.params as { minLength: number }).minLength;
    const long = '质地很细腻，吸收也快，用了一周皮肤明显水润了很多，会回购。';
    assert.ok([...long].length >= min);
    // noon to 3 pm in the shop's time zone two days ago, so the four fall on one shop day whenever the test runs
    const noon = shopNoon(t(2), sc.rt.config.timezone);
    const reviews = [0, 1, 2, 3].map((i) => msg.track('u2', 'Product Reviewed', noon + i * HOUR, { product_id: `p${i}`, review_id: `rv-${i}`, rating: 5, review_body: long }));
    const short = msg.track('u2', 'Product Reviewed', noon + 5 * HOUR, { product_id: 'p9', review_id: 'rv-short', rating: 4, review_body: '不错' });
    await deliver([...reviews, short]);
    // four long reviews on one day at 10 points with a daily cap of 30: 30; the short one earns nothing
    const per = (rule.params as { points: number }).points;
    assert.equal(await balance('u2'), Math.min(4 * per, rule.dailyCap!));
    const h = await sc.rt.loyalty.ledger.history('u2');
    assert.ok(!h.some((e) => e.sourceKey === 'rv-short'));
  });

  it('a share earns when it brings someone else’s visit, once per share', async () => {
    await deliver([
      msg.track('u3', 'Product Shared', t(4), { share_id: 'sh-1', recipient: 'u4', product_id: 'p1', share_via: 'wechat' }),
      msg.track('u3', 'Product Shared', t(4, 1), { share_id: 'sh-2', recipient: 'u4', product_id: 'p2', share_via: 'wechat' }),
      msg.track('u3', 'Product Shared', t(4, 2), { share_id: 'sh-self', recipient: 'u3', product_id: 'p3', share_via: 'link' }),
    ]);
    assert.equal(await balance('u3'), 0, 'sharing alone earns nothing');
    await deliver([
      msg.track('u4', 'Product Viewed', t(3), { product_id: 'p1', share_id: 'sh-1' }),
      msg.track('u4', 'Product Viewed', t(3, 1), { product_id: 'p1', share_id: 'sh-1' }),
      msg.anon('anon-9', 'Product Viewed', t(3, 2), { product_id: 'p1', share_id: 'sh-1' }),
      msg.track('u3', 'Product Viewed', t(3, 3), { product_id: 'p3', share_id: 'sh-self' }),
    ]);
    const points = ((await sc.rt.loyalty.rules.get('share_visit')).params as { points: number }).points;
    assert.equal(await balance('u3'), points, 'sh-1 brought visits (two people): one reward; sh-2 none; a self-visit none');
  });

  it('a fission campaign rewards every N different people brought in, once per milestone', async () => {
    await sc.rt.loyalty.rules.put({
      code: 'invite_friends', kind: 'fission', name_zh: '邀请好友得积分', name_en: 'Invite friends', active: true, dailyCap: null, monthlyCap: null,
      params: { invites: 2, points: 50 },
    }, 'test');
    const share = (i: number) => msg.track('f0', 'Product Shared', t(6, i), { share_id: `fs-${i}`, recipient: `f${i}`, product_id: 'p1' });
    const visit = (i: number, share: number) => msg.track(`f${i}`, 'Product Viewed', t(5, i), { product_id: 'p1', share_id: `fs-${share}` });
    await deliver([share(1), share(2), share(3), visit(1, 1), visit(2, 2), visit(3, 3), msg.track('f1', 'Product Viewed', t(5, 9), { product_id: 'p1', share_id: 'fs-2' })]);
    const h = async () => (await sc.rt.loyalty.ledger.history('f0', { kind: 'earn' })).filter((e) => e.rule === 'invite_friends').map((e) => [e.sourceKey, e.points]);
    // three different people came (f1 twice): one milestone of two
    assert.deepEqual(await h(), [['f0:2', 50]]);
    await deliver([share(4), visit(4, 4)]);
    assert.deepEqual(await h(), [['f0:4', 50], ['f0:2', 50]]);
    await sc.rt.loyalty.rules.put({
      code: 'invite_friends', kind: 'fission', name_zh: '邀请好友得积分', name_en: 'Invite friends', active: false, dailyCap: null, monthlyCap: null,
      params: { invites: 2, points: 50 },
    }, 'test');
  });

  it('daily sign-in earns once per shop-time day', async () => {
    // 2 sign-ins on one Shanghai day, one on the next
    const day = Math.floor((now - 5 * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR; // a Shanghai midnight five days ago
    await deliver([
      msg.track('u5', 'Signed In', day + 1 * HOUR), msg.track('u5', 'Signed In', day + 23 * HOUR), msg.track('u5', 'Signed In', day + 25 * HOUR),
    ]);
    const rule = await sc.rt.loyalty.rules.get('sign_in');
    assert.equal(await balance('u5'), 2 * (rule.params as { points: number }).points);
  });

  it('birthday points come on the birthday, once a year', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
    const other = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now + 40 * DAY);
    await deliver([msg.identify('u6', t(10), { birthday: `1995-${today.slice(5)}` }), msg.identify('u7', t(10), { birthday: `1996-${other.slice(5)}` })]);
    await sc.rt.loyalty.maintain();
    await sc.rt.loyalty.maintain();
    const points = ((await sc.rt.loyalty.rules.get('birthday')).params as { points: number }).points;
    assert.equal(await balance('u6'), points);
    assert.equal(await balance('u7'), 0);
  });
});

describe('tiers', () => {
  it('upgrade by rolling GMV, the tier as a profile tag, and a downgrade when the order is refunded', async () => {
    const big = { order_id: 'o-big', revenue: 6000, products: [{ product_id: 'p5', category: '数码/手机', price: 6000, quantity: 1 }] };
    await deliver([msg.track('u8', OC, t(5), big)]);
    const tiers = await sc.rt.loyalty.tiers.list();
    const expect = [...tiers].sort((a, b) => b.rank - a.rank).find((x) => (x.minPoints !== null && 6000 >= x.minPoints) || (x.minGmv !== null && 6000 >= x.minGmv))!;
    assert.equal(expect.code, 'gold');
    assert.equal((await sc.rt.loyalty.ledger.balance('u8')).tier, 'gold');
    const [change] = await sc.rt.loyalty.tiers.changes({ userId: 'u8' });
    assert.deepEqual([change!.from, change!.to, change!.direction, change!.rollingGmv], [null, 'gold', 'initial', 6000]);
    const tag = await sc.rt.olap.query<{ value_str: string }>(
      `SELECT value_str FROM ${sc.rt.olap.db}.tag_values FINAL WHERE tag_code = {c:String} AND person_id = 'u8' AND is_deleted = 0`, { c: TIER_TAG });
    assert.deepEqual(tag.map((r) => r.value_str), ['gold']);

    // a gold member's next order earns × the tier's multiplier
    const gold = tiers.find((x) => x.code === 'gold')!;
    const before = await balance('u8');
    await deliver([msg.track('u8', OC, t(4), { order_id: 'o-gold', revenue: 100, products: [{ product_id: 'p6', category: '食品/零食', price: 100, quantity: 1 }] })]);
    assert.equal(await balance('u8') - before, Math.floor(100 * gold.pointsMultiplier));
    assert.equal(gold.pointsMultiplier, 1.5);

    await deliver([msg.track('u8', 'Order Refunded', t(1), { order_id: 'o-big', revenue: 6000 })]);
    assert.equal((await sc.rt.loyalty.ledger.balance('u8')).tier, 'bronze');
    const [down] = await sc.rt.loyalty.tiers.changes({ userId: 'u8' });
    assert.deepEqual([down!.from, down!.to, down!.direction], ['gold', 'bronze', 'downgrade']);
  });
});

describe('coupons', () => {
  it('issues within per-user limits and stock, to a segment, and redeems by code on Order Completed', async () => {
    const by = { actor: 'test', role: 'admin' };
    const tpl = await sc.rt.loyalty.coupons.createTemplate({
      id: 'mj-99-15', name: '满99减15', kind: 'threshold', amount: 15, percent: null, minSpend: 99, maxDiscount: null,
      validFrom: null, validUntil: null, validDays: 30, perUserLimit: 1, stock: 3,
    }, by);
    assert.equal(tpl.issued, 0);
    const seg = await sc.rt.segments.create({ name: 'coupon targets', description: '', kind: 'static', ids: ['c1', 'c2', 'c3', 'c4'] }, 'test');
    const first = await sc.rt.loyalty.coupons.issue('mj-99-15', ['c1'], { kind: 'user', ref: 'c1' }, by);
    assert.equal(first.issued, 1);
    const toSeg = await sc.rt.loyalty.issueToSegment('mj-99-15', seg.id, by);
    // c1 already holds one (limit 1); stock 3 leaves two for c2, c3, c4 in member order
    assert.deepEqual([toSeg.requested, toSeg.issued, toSeg.overLimit, toSeg.outOfStock], [4, 2, 1, 1]);

    const codeOf = async (u: string) => (await sc.rt.loyalty.coupons.ofUser(u))[0]?.code;
    const c1 = (await codeOf('c1'))!;
    const c2 = (await codeOf('c2'))!;
    const line = (price: number) => [{ product_id: 'p1', category: '食品/零食', price, quantity: 1 }];
    // orders after the issue: a coupon is valid from the moment it is issued
    const t1 = Date.now() + 1000;
    await deliver([
      // below the threshold: not redeemed
      msg.track('c1', OC, t1, { order_id: 'oc-1', revenue: 80, discount: 0, coupon: c1, products: line(80) }),
      // someone else's code: not redeemed
      msg.track('c3', OC, t1, { order_id: 'oc-2', revenue: 105, discount: 15, coupon: c2, products: line(120) }),
      msg.track('c2', OC, t1 + 1000, { order_id: 'oc-3', revenue: 105, discount: 15, coupon: c2, products: line(120) }),
      // the same code again on another order: still one redemption
      msg.track('c2', OC, t1 + 2000, { order_id: 'oc-4', revenue: 105, discount: 15, coupon: c2, products: line(120) }),
    ]);
    const stats = await sc.rt.loyalty.coupons.stats('mj-99-15', 'Asia/Shanghai');
    assert.deepEqual([stats.issued, stats.redeemed, stats.cost, stats.revenue, stats.stockLeft], [3, 1, 15, 105, 0]);
    assert.equal(stats.redemptionRate, 1 / 3);
    assert.equal(stats.issues.length, 2);
    const c2coupons = await sc.rt.loyalty.coupons.ofUser('c2');
    assert.deepEqual([c2coupons[0]!.status, c2coupons[0]!.orderId], ['redeemed', 'oc-3']);
  });
});

describe('the ledger over the whole scenario', () => {
  it('every account: balance = sum of its entries = sum of its open lots', async () => {
    const rows = await sc.rt.oltp.query<{ user_id: string; balance: number; s: string; r: string }>(
      `SELECT a.user_id, a.balance,
              (SELECT coalesce(sum(points), 0) FROM loyalty_ledger l WHERE l.user_id = a.user_id) AS s,
              (SELECT coalesce(sum(remaining), 0) FROM loyalty_lots o WHERE o.user_id = a.user_id) AS r
       FROM loyalty_accounts a`);
    assert.ok(rows.length >= 8);
    for (const r of rows) assert.deepEqual([Number(r.s), Number(r.r)], [r.balance, r.balance], r.user_id);
  });
});

describe('erasure', () => {
  it('removes the person’s account, entries, lots, tier changes and coupons, and names them nowhere', async () => {
    await sc.rt.loyalty.ledger.adjust({ userId: 'c1', points: 5, reason: 'before erasure', operator: 'test' });
    const receipt = await sc.rt.privacy.erase('c1', { actor: 'test', role: 'admin' });
    assert.ok(receipt.stores['oltp.loyalty']! >= 3, JSON.stringify(receipt.stores));
    for (const t of ['loyalty_accounts', 'loyalty_ledger', 'loyalty_lots', 'loyalty_tier_changes', 'coupons', 'coupon_issues', 'loyalty_influence']) {
      const rows = await sc.rt.oltp.query<{ row: string }>(`SELECT t::text AS row FROM ${t} t`);
      assert.ok(!rows.some((r) => /\bc1\b/.test(r.row)), `${t} still names c1`);
    }
    assert.equal((await sc.rt.loyalty.ledger.balance('c2')).userId, 'c2', 'others are untouched');
  });
});
