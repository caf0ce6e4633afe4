import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TagValue } from '../../src/tags/values.ts';
import { CONSENT_ALL, DAY, build, clock, decayedTop, insertItems, msg, openScenario, ranked, refresh, send, tagsOf, type Msg, type Scenario } from './support.ts';

/**
 * Every built-in tag family, scenario by scenario: Segment messages with explicit timestamps go through
 * the real ingestion pipeline, one full build runs as of a fixed moment, and each person's values must be
 * the numbers the fixture implies. One runtime for the file; scenarios are isolated by user id. A second
 * phase (late events, identity merges) sends more and builds again at the same moment.
 */

const c = clock('2026-09-30T12:00:00+08:00');
const { at, asOf } = c;
const ORDER = 'Order Completed';
const VIEW = 'Product Viewed';
const ADD = 'Product Added';
const consent = (u: string, t: number, more: Msg = {}) => msg.identify(u, t, { consent: CONSENT_ALL, ...more });
const line = (product_id: string, category: string, brand: string, price: number, quantity = 1) => ({ product_id, category, brand, price, quantity });
const order = (u: string, t: number, revenue: number, more: Msg = {}) => msg.track(u, ORDER, t, { order_id: `o-${u}-${t}`, revenue, ...more });
const view = (u: string, t: number, props: Msg = {}, extra: Msg = {}) => msg.track(u, VIEW, t, props, extra);
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

// ---- fixture ------------------------------------------------------------------------------------------

/** f-act: activity timings, Shanghai wall clock (see the activity test for what each is for) */
const ACT = {
  e1: at(1, 9, 0), e2: at(1, 9, 10), e3: at(1, 9, 45), e4: at(1, 10, 14), e5: at(1, 10, 44), e6: at(1, 11, 14, 1),
  e7: at(2, 23, 30), e8: at(1, 0, 30), e9: at(7, 13), e10: at(7, 11), e11: at(29, 20), e12: at(31, 20), e13: at(100, 10), add: at(2, 10),
};

/** price positions within 'Kitchen/Pans': 10 → 0, 20 → 0.25, 30 → 0.5, 40 → 0.75, 50 → 1 */
const PANS = [10, 20, 30, 40, 50].map((p) => ({ item_id: `pan-${p}`, category: 'Kitchen/Pans', brand: 'Pan', price: p }));
const pan = (p: number) => line(`pan-${p}`, 'Kitchen/Pans', 'Pan', p);

const PREF = {
  order: at(2, 10), adds: [at(1, 10), at(1, 11), at(1, 12)], oldViews: times(10, (i) => at(120, 10, i)),
  newViews: [at(0, 9), at(0, 10)], wish: at(1, 15), tooOld: at(200, 10),
};

function phase1(): Msg[] {
  const m: Msg[] = [];
  // basic
  m.push(
    msg.identify('f-basic', at(60, 9), { gender: 'female', age: 27, city_tier: '新一线', acquisition_channel: 'douyin', createdAt: '2025-03-03T20:00:00Z', address: { city: '杭州' }, consent: CONSENT_ALL }),
    msg.identify('f-basic', at(5, 9), { age: 31 }),
    ...[3, 2, 1].map((d) => view('f-basic', at(d, 10), {}, { context: { device: { type: 'mobile' } } })),
    view('f-basic', at(1, 11), {}, { context: { device: { type: 'desktop' } } }),
    ...times(5, (i) => view('f-basic', at(100, 10, i), {}, { context: { device: { type: 'tablet' } } })),
    view('f-basic-utm', at(50)),
    view('f-basic-utm', at(40), {}, { context: { campaign: { source: 'baidu', medium: 'cpc' } } }),
    view('f-basic-utm', at(20), {}, { context: { campaign: { source: 'weibo' } } }),
    msg.identify('f-age-17', at(10), { age: 17 }),
    msg.identify('f-age-18', at(10), { age: 18 }),
    msg.identify('f-age-str', at(10), { age: '45' }),
    msg.identify('f-age-50', at(10), { age: 50 }),
    msg.identify('f-cleared', at(10), { gender: 'male', age: 40, city_tier: '一线' }),
    msg.identify('f-cleared', at(5), { gender: null, age: null, city_tier: null }),
  );
  // activity
  const a = ACT;
  m.push(
    view('f-act', a.e1, { dwell_seconds: 10 }), view('f-act', a.e2, { dwell_seconds: 20 }), view('f-act', a.e3, { dwell_seconds: 31 }),
    ...[a.e4, a.e5, a.e6, a.e7, a.e8, a.e9, a.e10, a.e11, a.e12].map((t) => view('f-act', t)),
    view('f-act', a.e13, { dwell_seconds: 1000 }),
    msg.track('f-act', ADD, a.add, { product_id: 'x', dwell_seconds: 500 }),
  );
  // lifecycle
  m.push(
    view('f-lc-new', at(10)), view('f-lc-new', at(3)),
    view('f-lc-churned', at(90)), order('f-lc-churned', at(90, 11), 80), view('f-lc-churned', at(70)),
    ...[80, 70, 60, 50, 40, 30].map((d) => view('f-lc-declining', at(d))),
    consent('f-lc-mature', at(200)), view('f-lc-mature', at(200)), ...[100, 60, 20].map((d) => order('f-lc-mature', at(d), 120)), view('f-lc-mature', at(5)), view('f-lc-mature', at(3)),
    view('f-lc-growing', at(100)), order('f-lc-growing', at(50), 60), view('f-lc-growing', at(10)), view('f-lc-growing', at(8)),
    consent('f-lc-overdue', at(150)), ...[150, 140, 130].map((d) => order('f-lc-overdue', at(d), 90)), ...[20, 15, 10].map((d) => view('f-lc-overdue', at(d))),
  );
  // consumption
  m.push(
    consent('f-buy', at(400)),
    order('f-buy', at(400, 10), 1000),
    order('f-buy', at(200, 10), 300, { discount: 30, coupon: 'C1' }),
    order('f-buy', at(80, 10), 200, { discount: 0 }),
    order('f-buy', at(40, 14), 150, { discount: 20, coupon: 'C2' }),
    order('f-buy', at(10, 9), 350),
    order('f-buy', at(10, 20), 50),
    msg.track('f-buy', 'Order Refunded', at(5, 10), { order_id: 'o-f-buy-refunded', revenue: 100 }),
    order('f-refund-all', at(20), 200), msg.track('f-refund-all', 'Order Refunded', at(15), { revenue: 200 }),
    order('f-tier-regular', at(30), 499.99), order('f-tier-silver', at(30), 500), order('f-tier-gold', at(30), 7999.99), order('f-tier-platinum', at(30), 8000),
    consent('f-cheap', at(20)),
    order('f-cheap', at(20), 10, { coupon: 'K', products: [pan(10)] }),
    order('f-cheap', at(15), 20, { coupon: 'K', products: [pan(20)] }),
    order('f-cheap', at(10), 20, { coupon: 'K', products: [pan(20)] }),
    consent('f-dear', at(20)), order('f-dear', at(20), 50, { coupon: 'K', products: [pan(50)] }),
    view('f-mid-viewer', at(5), { product_id: 'pan-30', category: 'Kitchen/Pans', price: 30 }),
    order('f-old-buyer', at(400), 500),
    consent('f-whale', at(12)), ...times(12, (i) => order('f-whale', at(i, 9), 3000)),
    consent('f-weak', at(300)), order('f-weak', at(300), 1),
  );
  // preferences
  m.push(
    consent('f-pref', at(200, 9)),
    order('f-pref', PREF.order, 500, { products: [line('p-shoe', 'Shoes/Running', 'Nike', 500)] }),
    ...PREF.adds.map((t) => msg.track('f-pref', ADD, t, { product_id: 'p-bag', category: 'Bags/Tote', brand: 'Coach', price: 900 })),
    ...[...PREF.oldViews, ...PREF.newViews].map((t) => view('f-pref', t, { product_id: 'p-hat', category: 'Hats/Caps', brand: 'NewEra', price: 99 })),
    msg.track('f-pref', 'Product Added to Wishlist', PREF.wish, { product_id: 'p-sock', category: 'Socks/Ankle', brand: 'Uniqlo', price: 19 }),
    view('f-pref', PREF.tooOld, { product_id: 'p-old', category: 'Old/Thing', brand: 'OldCo', price: 1 }),
    consent('f-decay', at(60)),
    view('f-decay', asOf - 30 * DAY, { product_id: 'a1', category: 'A/x', brand: 'BA' }),
    view('f-decay', asOf, { product_id: 'b1', category: 'B/y', brand: 'BB' }),
    consent('f-trend', at(10)),
    ...times(3, (i) => view('f-trend', at(5, 10, i), { product_id: 'lamp-new', category: 'Lamps/Desk', price: 300 })),
    view('f-trend', at(5, 11), { product_id: 'lamp-old', category: 'Lamps/Desk', price: 100 }),
    consent('f-trend-no', at(10)),
    view('f-trend-no', at(5, 10), { product_id: 'lamp-new', category: 'Lamps/Desk', price: 300 }),
    ...times(3, (i) => view('f-trend-no', at(5, 11, i), { product_id: 'lamp-old', category: 'Lamps/Desk', price: 100 })),
  );
  // behavioural traits
  m.push(
    consent('f-loyal', at(30)),
    ...[30, 20, 10].map((d) => order('f-loyal', at(d), 100, { products: [line('s-1', 'Shoes/Running', 'Nike', 100)] })),
    order('f-loyal', at(10, 15), 50, { products: [line('s-2', 'Shoes/Running', 'Adidas', 50)] }),
    consent('f-disloyal', at(30)),
    order('f-disloyal', at(30), 300, { products: [line('d-1', 'X/a', 'A', 100), line('d-2', 'X/a', 'B', 100), line('d-3', 'X/a', 'C', 100)] }),
    order('f-disloyal', at(20), 100, { products: [line('d-4', 'X/a', 'D', 100)] }),
    consent('f-coupon', at(5)), ...[5, 4, 3].map((d) => msg.track('f-coupon', 'Coupon Applied', at(d), { coupon: 'SAVE' })),
    consent('f-coupon2', at(20)), ...[5, 4].map((d) => msg.track('f-coupon2', 'Coupon Applied', at(d), { coupon: 'SAVE' })),
    order('f-coupon2', at(20), 10, { coupon: 'SAVE' }), order('f-coupon2', at(10), 10),
    consent('f-cart', at(3)), msg.track('f-cart', ADD, at(3), { product_id: 'c1' }),
    consent('f-cart-bought', at(3)), msg.track('f-cart-bought', ADD, at(3), { product_id: 'c1' }), order('f-cart-bought', at(2), 10),
    consent('f-window', at(15)), ...times(15, (i) => view('f-window', at(i + 1))),
    consent('f-window-buyer', at(200)), order('f-window-buyer', at(200), 10), ...times(20, (i) => view('f-window-buyer', at(i + 1))),
  );
  // search, social, reviews
  m.push(
    consent('f-search', at(200)),
    ...[10, 11, 12].map((h) => msg.track('f-search', 'Products Searched', at(1, h), { query: '连衣裙' })),
    msg.track('f-search', 'Products Searched', at(0, 9), { query: '口红' }),
    msg.track('f-search', 'Products Searched', at(40), { query: 'old' }),
    msg.track('f-search', 'Products Searched', at(200), { query: 'ancient' }),
    ...([['r1', 10], ['r2', 20], ['r1', 20], ['r3', 100], ['r4', 400], [42, 30], ['42', 31]] as const).map(([r, d], i) =>
      msg.track('f-social', 'Product Shared', at(d, 10, i), { recipient: r, product_id: 'p' })),
    ...[5, 4, 2].map((r, i) => msg.track('f-review', 'Product Reviewed', at(10 + i), { rating: r, product_id: 'p' })),
    ...[4, 4].map((r, i) => msg.track('f-review-pos', 'Product Reviewed', at(10 + i), { rating: r, product_id: 'p' })),
    ...[1, 2].map((r, i) => msg.track('f-review-neg', 'Product Reviewed', at(10 + i), { rating: r, product_id: 'p' })),
    ...[2, 3].map((r, i) => msg.track('f-review-edge', 'Product Reviewed', at(10 + i), { rating: r, product_id: 'p' })),
  );
  // privacy: the same shopping as a consenting user, without personalisation consent
  for (const u of ['f-noconsent', 'f-revoked', 'f-silent']) {
    m.push(
      order(u, at(10), 100, { coupon: 'K', products: [pan(10)] }),
      order(u, at(8), 100, { coupon: 'K', products: [pan(10)] }),
      ...times(16, (i) => view(u, at(i + 1, 9), { product_id: 'pan-10', category: 'Kitchen/Pans', brand: 'Pan', price: 10 })),
      msg.track(u, 'Products Searched', at(2), { query: '锅' }),
      ...[5, 4, 3].map((d) => msg.track(u, 'Coupon Applied', at(d, 11))),
      msg.track(u, ADD, at(1, 15), { product_id: 'pan-10' }),
    );
  }
  m.push(
    msg.identify('f-noconsent', at(50), { consent: { analytics: true, personalization: false, marketing: false } }),
    msg.identify('f-revoked', at(50), { consent: CONSENT_ALL }),
    msg.identify('f-revoked', at(5), { consent: { personalization: false } }),
    msg.identify('f-consenting', at(50), { consent: CONSENT_ALL }),
  );
  // edge cases: an order after the as-of moment, late events and merges (phase 2 sends the rest)
  m.push(
    view('f-future', at(1)), order('f-future', asOf + 2 * 3600_000, 999),
    order('f-late', at(10), 100), order('f-late2', at(10), 100),
    msg.anon('anon-42', VIEW, at(25), { product_id: 'p' }), msg.anon('anon-42', ORDER, at(20), { order_id: 'anon-o', revenue: 70 }),
    order('f-alias-old', at(40), 10), order('f-alias-old', at(30), 20), order('f-alias-new', at(10), 40),
  );
  return m;
}

const DUP = order('f-dup', at(5), 100, { order_id: 'dup-order' });

// ---- the tests ----------------------------------------------------------------------------------------

let s: Scenario;
let v: (id: string) => Promise<Record<string, TagValue>>;
let built: { persons: number };
before(async () => {
  s = await openScenario({ live: false });
  v = (id) => tagsOf(s.rt, id);
  await insertItems(s.rt, [
    ...PANS,
    { item_id: 'lamp-new', category: 'Lamps/Desk', price: 300, launched_at: at(15) },
    { item_id: 'lamp-old', category: 'Lamps/Desk', price: 100, launched_at: at(150) },
  ]);
  await send(s.rt, phase1());
  const d1 = await send(s.rt, [DUP, DUP]);
  const d2 = await send(s.rt, [DUP]);
  assert.deepEqual([d1, d2], [{ stored: 1, duplicates: 1 }, { stored: 0, duplicates: 1 }], 'the writer drops repeated messageIds');
  built = await build(s.rt, asOf);
});
after(async () => {
  await s?.close();
});

/** `code → value` for the codes given, `undefined` where the person has no value */
async function pick(id: string, codes: string[]): Promise<Record<string, TagValue | undefined>> {
  const all = await v(id);
  return Object.fromEntries(codes.map((k) => [k, all[k]]));
}
const near = (got: [string, number][], want: [string, number][], label: string) => {
  assert.deepEqual(got.map((x) => x[0]), want.map((x) => x[0]), `${label}: order`);
  got.forEach(([, w], i) => assert.ok(Math.abs(w - want[i]![1]) <= 1.01e-4, `${label}: weight of ${want[i]![0]} is ${w}, expected ${want[i]![1]}`));
};

describe('basic attributes', () => {
  it('reads traits (the latest identify carrying each), bins the age, picks the main device', async () => {
    assert.deepEqual(await pick('f-basic', ['gender', 'age', 'age_band', 'city', 'city_tier', 'acquisition_channel', 'member_since', 'device_preference', 'membership_tier']), {
      gender: 'female', age: 31, age_band: '30-34', city: '杭州', city_tier: '新一线', acquisition_channel: 'douyin',
      member_since: '2025-03-04', // createdAt 2025-03-03T20:00Z is the 4th in Shanghai
      device_preference: 'mobile', // three mobile views in 90 days beat one desktop view (five tablet views are older)
      membership_tier: 'regular', // no spend
    });
  });

  it('without traits: acquisition channel from the first tagged visit, member since the first event', async () => {
    assert.deepEqual(await pick('f-basic-utm', ['acquisition_channel', 'member_since', 'gender', 'age_band']), {
      acquisition_channel: 'baidu', member_since: c.date(at(50)), gender: undefined, age_band: undefined,
    });
  });

  it('age bands at their edges, and an age sent as a string', async () => {
    const bands = await Promise.all(['f-age-17', 'f-age-18', 'f-age-str', 'f-age-50'].map(async (u) => (await v(u)).age_band));
    assert.deepEqual(bands, ['<18', '18-24', '40-49', '50+']);
  });

  it('a trait sent as null is cleared (as a null age is), not the text "null"', async () => {
    assert.deepEqual(await pick('f-cleared', ['gender', 'age', 'city_tier']), { gender: undefined, age: undefined, city_tier: undefined });
  });

  it('membership tier by net spend, at each boundary', async () => {
    const tiers = await Promise.all(['f-tier-regular', 'f-tier-silver', 'f-tier-gold', 'f-tier-platinum', 'f-buy'].map(async (u) => (await v(u)).membership_tier));
    assert.deepEqual(tiers, ['regular', 'silver', 'gold', 'platinum', 'silver']);
  });
});

describe('activity', () => {
  it('last active date, active days in 7/30/90 days (Shanghai days, window edges)', async () => {
    assert.deepEqual(await pick('f-act', ['last_active_date', 'days_since_active', 'active_days_7d', 'active_days_30d', 'active_days_90d']), {
      last_active_date: c.date(ACT.e6),
      days_since_active: 1,
      // day 1, day 2 (23:30 and 00:30 the next day share a UTC date but not a Shanghai one), day 7 at 13:00
      // (inside: the window starts 7×24 h before the as-of moment, day 7 at 12:00); day 7 at 11:00 is outside
      active_days_7d: 3,
      active_days_30d: 4, // + day 29; day 31 is outside
      active_days_90d: 5,
    });
  });

  it('sessions: a gap of more than 30 minutes starts a new visit (exactly 30 does not)', async () => {
    // in 30 days: e11 | e10 | e9 (2 h later) | add | e7 | e8 | e1 e2 (10 min) | e3 (35 min) e4 (29) e5 (30 exactly) | e6 (30 min 1 s)
    assert.equal((await v('f-act')).sessions_30d, 9);
  });

  it('preferred hours (decayed), weekday, dwell time and browse depth', async () => {
    const all = await v('f-act');
    const hourly = Object.values(ACT).map((t) => ({ key: String(c.hour(t)), t })); // views and the add, all within 180 days
    near(ranked(all.preferred_hours), decayedTop(hourly, asOf, 30, 3), 'preferred_hours');
    assert.deepEqual(ranked(all.preferred_hours).map((x) => x[0]), ['10', '9', '11'], "10 o'clock: e4, e5 and the add; 9: e1–e3, a little older");
    assert.equal(all.preferred_weekday, String(c.weekday(ACT.e1)), 'seven of the events fall on day 1');
    assert.equal(all.avg_dwell_seconds, 20.3, 'views in 90 days only: (10 + 20 + 31) / 3');
    assert.equal(all.avg_browse_depth, 1.2, '12 views in 90 days over 10 visits');
  });
});

describe('lifecycle', () => {
  it('each stage', async () => {
    const stages: Record<string, string> = {
      'f-lc-new': 'new', // first seen 10 days ago
      'f-lc-churned': 'churned', // nothing for 70 days, though a buyer
      'f-lc-declining': 'declining', // quiet for 30 days (more than 24, less than 60)
      'f-lc-overdue': 'mature', // 3 orders in a year and still browsing: not declining, but churn_warning flags it (below)
      'f-lc-mature': 'mature', // 3 orders in a year, steady
      'f-lc-growing': 'growing', // 1 order, still active
    };
    const got = Object.fromEntries(await Promise.all(Object.keys(stages).map(async (u) => [u, (await v(u)).lifecycle_stage])));
    assert.deepEqual(got, stages);
  });
});

describe('consumption', () => {
  it('orders by window, net spend, AOV, first/last order, cycle, next purchase, coupons and discounts', async () => {
    assert.deepEqual(await pick('f-buy', ['orders_30d', 'orders_90d', 'orders_365d', 'orders_total', 'refunds_365d', 'gmv_365d', 'aov_365d', 'first_order_date',
      'last_order_date', 'days_since_last_order', 'purchase_cycle_days', 'next_purchase_date', 'coupon_order_share', 'discount_share']), {
      orders_30d: 2, orders_90d: 4, orders_365d: 5, orders_total: 6, refunds_365d: 1,
      gmv_365d: 950, // 300 + 200 + 150 + 350 + 50 − 100 refunded; the order 400 days ago is outside
      aov_365d: 190,
      first_order_date: c.date(at(400)), last_order_date: c.date(at(10)),
      days_since_last_order: 9, // day 10 at 20:00 → 9 days 16 hours
      purchase_cycle_days: 80, // order days 400, 200, 80, 40, 10 → gaps 200, 120, 40, 30 → median 80
      next_purchase_date: c.date(at(10) + 80 * DAY),
      coupon_order_share: 0.4, // 2 of 5
      discount_share: 0.045, // 50 / (1050 + 50)
    });
  });

  it('a refund of the whole spend leaves 0; an order after the as-of moment does not count', async () => {
    assert.deepEqual(await pick('f-refund-all', ['gmv_365d', 'aov_365d', 'orders_365d']), { gmv_365d: 0, aov_365d: 0, orders_365d: 1 });
    assert.deepEqual(await pick('f-future', ['orders_total', 'last_order_date', 'last_active_date']), { orders_total: 0, last_order_date: undefined, last_active_date: c.date(at(1)) });
  });

  it('a person without orders: counts are 0, spend 0, everything per order absent', async () => {
    assert.deepEqual(await pick('f-basic', ['orders_30d', 'orders_total', 'gmv_365d', 'aov_365d', 'first_order_date', 'last_order_date', 'days_since_last_order',
      'purchase_cycle_days', 'next_purchase_date', 'coupon_order_share', 'discount_share', 'avg_price_pct', 'rfm_r', 'rfm_f', 'rfm_m', 'rfm_class']), {
      orders_30d: 0, orders_total: 0, gmv_365d: 0, aov_365d: undefined, first_order_date: undefined, last_order_date: undefined, days_since_last_order: undefined,
      purchase_cycle_days: undefined, next_purchase_date: undefined, coupon_order_share: undefined, discount_share: undefined, avg_price_pct: undefined,
      rfm_r: undefined, rfm_f: undefined, rfm_m: undefined, rfm_class: undefined,
    });
  });

  it('price band from the catalog: low, high, and mid from views when there are no orders', async () => {
    assert.deepEqual(await pick('f-cheap', ['avg_price_pct', 'price_band']), { avg_price_pct: 0.25, price_band: 'low' }); // median of 0, .25, .25
    assert.deepEqual(await pick('f-dear', ['avg_price_pct', 'price_band']), { avg_price_pct: 1, price_band: 'high' });
    assert.deepEqual(await pick('f-mid-viewer', ['avg_price_pct', 'price_band']), { avg_price_pct: undefined, price_band: 'mid' });
  });
});

describe('RFM', () => {
  const classOf = (r: number, f: number, m: number) =>
    `${m > 2 ? 'important' : 'general'}_${r > 2 ? (f > 2 ? 'value' : 'develop') : f > 2 ? 'keep' : 'winback'}`;

  it('the best buyer scores 5/5/5, the weakest 1/1/1', async () => {
    assert.deepEqual(await pick('f-whale', ['rfm_r', 'rfm_f', 'rfm_m', 'rfm_class']), { rfm_r: 5, rfm_f: 5, rfm_m: 5, rfm_class: 'important_value' });
    assert.deepEqual(await pick('f-weak', ['rfm_r', 'rfm_f', 'rfm_m', 'rfm_class']), { rfm_r: 1, rfm_f: 1, rfm_m: 1, rfm_class: 'general_winback' });
  });

  it('every buyer of the last 365 days is scored 1..5 with the class its scores imply; others are not scored', async () => {
    const buyers = ['f-buy', 'f-cheap', 'f-dear', 'f-whale', 'f-weak', 'f-lc-mature', 'f-lc-growing', 'f-lc-overdue', 'f-lc-churned', 'f-tier-gold', 'f-refund-all', 'f-loyal'];
    for (const u of buyers) {
      const t = await v(u);
      for (const k of ['rfm_r', 'rfm_f', 'rfm_m'] as const) assert.ok([1, 2, 3, 4, 5].includes(t[k] as number), `${u} ${k} = ${t[k]}`);
      assert.equal(t.rfm_class, classOf(t.rfm_r as number, t.rfm_f as number, t.rfm_m as number), u);
    }
    for (const u of ['f-old-buyer', 'f-basic', 'f-act']) {
      assert.deepEqual(await pick(u, ['rfm_r', 'rfm_f', 'rfm_m', 'rfm_class']), { rfm_r: undefined, rfm_f: undefined, rfm_m: undefined, rfm_class: undefined }, u);
    }
  });
});

describe('preferences', () => {
  const pref = (t: number, key: string, weight: number) => ({ key, weight, t });
  const prefRows = (k: 'category' | 'brand') => {
    const c_ = (cat: string, brand: string) => (k === 'category' ? cat : brand);
    return [
      pref(PREF.order, c_('Shoes/Running', 'Nike'), 5),
      ...PREF.adds.map((t) => pref(t, c_('Bags/Tote', 'Coach'), 3)),
      ...[...PREF.oldViews, ...PREF.newViews].map((t) => pref(t, c_('Hats/Caps', 'NewEra'), 1)),
      pref(PREF.wish, c_('Socks/Ankle', 'Uniqlo'), 2),
    ];
  };

  it('top categories and brands: order 5, add 3, wishlist 2, view 1, half-life 30 days, last 180 days', async () => {
    const t = await v('f-pref');
    near(ranked(t.top_categories), decayedTop(prefRows('category'), asOf, 30, 5), 'top_categories');
    assert.deepEqual(ranked(t.top_categories).map((x) => x[0]), ['Bags/Tote', 'Shoes/Running', 'Hats/Caps', 'Socks/Ankle'], 'twelve hat views, ten of them old, rank below one order');
    near(ranked(t.top_brands), decayedTop(prefRows('brand'), asOf, 30, 5), 'top_brands');
    assert.deepEqual(ranked(t.top_category_groups).map((x) => x[0]), ['Bags', 'Shoes', 'Hats']);
  });

  it('decay: a view 30 days old weighs half of one now', async () => {
    assert.deepEqual(ranked((await v('f-decay')).top_categories), [['B/y', 0.6667], ['A/x', 0.3333]]);
  });

  it('new-arrival affinity: the share of looked-at items launched ≤ 30 days before', async () => {
    assert.equal((await v('f-trend')).new_arrival_affinity, 0.75);
    assert.equal((await v('f-trend-no')).new_arrival_affinity, 0.25);
    assert.equal((await v('f-pref')).new_arrival_affinity, undefined, 'no catalog launch dates, no value');
  });
});

describe('behavioural traits: one positive and one negative each', () => {
  const cases: [string, string, string][] = [
    ['price_sensitive', 'f-cheap', 'f-dear'],
    ['brand_loyal', 'f-loyal', 'f-disloyal'],
    ['trend_seeker', 'f-trend', 'f-trend-no'],
    ['promotion_hunter', 'f-coupon', 'f-coupon2'],
    ['cart_abandoner', 'f-cart', 'f-cart-bought'],
    ['window_shopper', 'f-window', 'f-window-buyer'],
    ['high_value', 'f-whale', 'f-weak'],
    ['churn_warning', 'f-lc-overdue', 'f-lc-mature'],
  ];
  for (const [code, yes, no] of cases) {
    it(`${code}: ${yes} yes, ${no} no`, async () => {
      assert.equal((await v(yes))[code], true, `${yes} ${code}`);
      assert.equal((await v(no))[code], false, `${no} ${code}`);
    });
  }
});

describe('search, social, reviews', () => {
  it('search: keywords (decayed, last 180 days) and searches in 30 days', async () => {
    const t = await v('f-search');
    const rows = [...[10, 11, 12].map((h) => ({ key: '连衣裙', t: at(1, h) })), { key: '口红', t: at(0, 9) }, { key: 'old', t: at(40) }];
    near(ranked(t.top_keywords), decayedTop(rows, asOf, 30, 5), 'top_keywords');
    assert.equal(t.searches_30d, 4);
    assert.equal(t.search_conversion, 0);
  });

  it('social: shares in 90 days, distinct people reached in 365 days', async () => {
    // recipient 42 and "42" are one person
    assert.deepEqual(await pick('f-social', ['shares_90d', 'share_reach_365d']), { shares_90d: 5, share_reach_365d: 4 });
  });

  it('reviews: count, average rating and its tendency at the bands', async () => {
    assert.deepEqual(await pick('f-review', ['reviews_total', 'avg_rating', 'review_sentiment']), { reviews_total: 3, avg_rating: 3.67, review_sentiment: 'neutral' });
    assert.deepEqual(await pick('f-review-pos', ['avg_rating', 'review_sentiment']), { avg_rating: 4, review_sentiment: 'positive' });
    assert.deepEqual(await pick('f-review-neg', ['avg_rating', 'review_sentiment']), { avg_rating: 1.5, review_sentiment: 'negative' });
    assert.deepEqual(await pick('f-review-edge', ['avg_rating', 'review_sentiment']), { avg_rating: 2.5, review_sentiment: 'neutral' });
  });
});

describe('privacy', () => {
  it('consent flags are the latest consent given', async () => {
    const flags = ['consent_analytics', 'consent_personalization', 'consent_marketing'];
    assert.deepEqual(await pick('f-noconsent', flags), { consent_analytics: true, consent_personalization: false, consent_marketing: false });
    assert.deepEqual(await pick('f-revoked', flags), { consent_analytics: true, consent_personalization: false, consent_marketing: true });
    assert.deepEqual(await pick('f-silent', flags), { consent_analytics: undefined, consent_personalization: undefined, consent_marketing: undefined });
  });

  it('without personalisation consent: no preference or trait tags, analytics tags remain', async () => {
    const personal = [...(await s.rt.tags.taxonomy.definitions()).values()].filter((d) => d.purpose !== 'analytics').map((d) => d.code);
    assert.ok(personal.includes('top_categories') && personal.includes('price_sensitive') && personal.includes('top_keywords'), personal.join());
    for (const u of ['f-noconsent', 'f-revoked', 'f-silent']) {
      const t = await v(u);
      assert.deepEqual(personal.filter((k) => k in t), [], `${u} carries personalisation tags`);
      assert.equal(t.orders_30d, 2, u);
      assert.equal(t.searches_30d, 1, u);
      assert.equal(t.last_active_date, c.date(at(1, 15)), u);
      assert.ok(typeof t.rfm_class === 'string' && typeof t.lifecycle_stage === 'string', u);
    }
  });

  it('the same behaviour with consent does carry them', async () => {
    await send(s.rt, phase1().filter((m) => m.userId === 'f-noconsent' && m.type === 'track').map((m) => ({ ...m, userId: 'f-consenting', messageId: `${m.messageId}-c` })));
    // preferences read product lines, so they are scheduled (not live) tags: a build computes them
    await build(s.rt, asOf);
    const t = await v('f-consenting');
    assert.deepEqual(ranked(t.top_categories).map((x) => x[0]), ['Kitchen/Pans']);
    assert.deepEqual(ranked(t.top_keywords).map((x) => x[0]), ['锅']);
    assert.equal(t.price_sensitive, true);
    assert.equal(t.promotion_hunter, true);
    assert.equal(t.window_shopper, false);
  });
});

describe('edge cases', () => {
  it('a message sent three times (same messageId) counts once', async () => {
    assert.deepEqual(await pick('f-dup', ['orders_total', 'gmv_365d']), { orders_total: 1, gmv_365d: 100 });
  });

  it('an anonymous visitor is a person of their own until identified', async () => {
    assert.deepEqual(await pick('anon-42', ['orders_total', 'gmv_365d', 'last_active_date']), { orders_total: 1, gmv_365d: 70, last_active_date: c.date(at(20)) });
  });

  it('late events: an old order ingested after a build changes the values at the next refresh and build', async () => {
    const before1 = await pick('f-late', ['orders_90d', 'first_order_date', 'purchase_cycle_days']);
    assert.deepEqual(before1, { orders_90d: 1, first_order_date: c.date(at(10)), purchase_cycle_days: undefined });
    await send(s.rt, [order('f-late', at(45), 50), order('f-late2', at(60), 50)]);
    assert.deepEqual(await pick('f-late', ['orders_90d']), { orders_90d: 1 }, 'unchanged until recomputed');
    // the incremental path (what the live refresher runs) for one of them
    await refresh(s.rt, ['f-late2'], asOf);
    assert.deepEqual(await pick('f-late2', ['orders_90d', 'gmv_365d', 'first_order_date', 'purchase_cycle_days']), {
      orders_90d: 2, gmv_365d: 150, first_order_date: c.date(at(60)), purchase_cycle_days: 50,
    });
    assert.deepEqual(await pick('f-late', ['orders_90d']), { orders_90d: 1 }, 'a refresh touches only the people asked for');
  });

  it('identity: identify merges anonymous history, alias merges two users; old ids keep no values', async () => {
    await send(s.rt, [
      msg.identify('f-merged', at(3), { name: 'M' }, { anonymousId: 'anon-42' }),
      order('f-merged', at(2), 30),
      msg.alias('f-alias-old', 'f-alias-new', at(5)),
    ]);
    // the loyalty engine credits the order (and writes its tier tag) in the background: let it finish first
    await s.rt.loyalty.settled();
    const b = await build(s.rt, asOf);
    assert.equal(b.persons, built.persons - 1, 'anon-42 and f-alias-old are gone, f-merged is new');
    assert.deepEqual(await pick('f-merged', ['orders_total', 'gmv_365d', 'first_order_date', 'last_order_date']), {
      orders_total: 2, gmv_365d: 100, first_order_date: c.date(at(20)), last_order_date: c.date(at(2)),
    });
    assert.deepEqual(await v('anon-42'), await v('f-merged'), 'the anonymous id now resolves to the user');
    assert.deepEqual((await s.rt.tags.valuesOf('anon-42')).values, [], 'no values stored under the old person id');
    assert.deepEqual(await pick('f-alias-new', ['orders_total', 'gmv_365d', 'first_order_date', 'purchase_cycle_days']), {
      orders_total: 3, gmv_365d: 70, first_order_date: c.date(at(40)), purchase_cycle_days: 15, // gaps 10, 20
    });
    assert.deepEqual((await s.rt.tags.valuesOf('f-alias-old')).values, []);
    // and the late order reached f-late at this build
    assert.deepEqual(await pick('f-late', ['orders_90d', 'gmv_365d', 'first_order_date', 'purchase_cycle_days', 'next_purchase_date']), {
      orders_90d: 2, gmv_365d: 150, first_order_date: c.date(at(45)), purchase_cycle_days: 35, next_purchase_date: c.date(at(10) + 35 * DAY),
    });
  });
});
