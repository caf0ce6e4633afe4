import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OlapStore } from '../../store/olap/index.ts';
import { overview, type Headline, type Overview } from './overview.ts';
import type { EventRow } from '../../events/index.ts';

/**
 * The overview query against the real engine (chdb) on a seeded fixture, every figure checked against
 * an independent calculation in plain TypeScript over the same rows.
 */

// chdb binds one data directory per process: this file's suites share it, each in its own database.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-overview-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Line = EventRow['products'][number];
type Row = Pick<EventRow, 'message_id' | 'type' | 'event' | 'distinct_id' | 'anonymous_id' | 'user_id' | 'timestamp' | 'original_timestamp'
  | 'received_at' | 'order_id' | 'category' | 'revenue' | 'currency' | 'products' | 'utm_source' | 'device_type'>;
interface PersonId { distinct_id: string; person_id: string; version: number; is_deleted: number }

const CATEGORIES = ['手机', '电脑', '服饰', '美妆', '食品', '母婴', '家居', '运动', '图书', '家电', '宠物', '珠宝'];
const CHANNELS = ['', 'baidu', 'wechat', 'douyin', 'xiaohongshu'];
const DEVICES = ['mobile', 'desktop', 'tablet', ''];

/** A seeded shop: known users who browse anonymously first, anonymous-only visitors, a merged account, server-side users. */
function fixture(seed = 7): { events: Row[]; personIds: PersonId[] } {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const events: Row[] = [];
  const personIds: PersonId[] = [];
  let n = 0;
  const start = Date.UTC(2024, 3, 20); // 2024-04-20: before the previous period of the main range
  const span = 72 * 86_400_000; // to 2024-07-01

  const emit = (r: Partial<Row> & { type: string; timestamp: number; distinct_id: string }) =>
    events.push({
      message_id: `m${String(++n).padStart(5, '0')}`,
      event: '', anonymous_id: '', user_id: '', order_id: '', category: '', revenue: null, currency: '', products: [],
      utm_source: '', device_type: '', original_timestamp: r.timestamp, received_at: r.timestamp,
      ...r,
    });

  let orderNo = 0;
  /** one visit: pages and products, sometimes a purchase */
  const visit = (ids: { anonymous_id: string; user_id: string }, t0: number, device: string, utm: string) => {
    const distinct_id = ids.anonymous_id || ids.user_id;
    const base = { ...ids, distinct_id, device_type: device };
    let t = t0;
    const step = () => (t += 1_000 + Math.floor(rand() * 60_000));
    emit({ ...base, type: 'page', event: 'Home', timestamp: step(), utm_source: utm });
    const category = pick(CATEGORIES);
    emit({ ...base, type: 'track', event: 'Product Viewed', category, timestamp: step() });
    if (rand() < 0.5) emit({ ...base, type: 'track', event: 'Product Added', category, timestamp: step() });
    if (rand() < 0.45 && ids.user_id) {
      const lines: Line[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) => ({
        product_id: `p${Math.floor(rand() * 50)}`,
        // some lines carry no category: the event's category stands in
        category: rand() < 0.15 ? '' : i === 0 ? category : pick(CATEGORIES),
        brand: 'b',
        price: 19.5 + Math.floor(rand() * 40) * 10,
        quantity: 1 + Math.floor(rand() * 3),
      }));
      const gross = lines.reduce((a, l) => a + l.price * l.quantity, 0);
      const kind = rand();
      const order = ++orderNo;
      const props =
        kind < 0.1 ? { order_id: '', revenue: gross, products: lines } // no order_id: counted by message
          : kind < 0.2 ? { order_id: `o${order}`, revenue: null, products: lines } // no revenue: valued by its lines
            : kind < 0.3 ? { order_id: `o${order}`, revenue: 88, products: [] } // no products: the event's category
              : { order_id: `o${order}`, revenue: gross - (rand() < 0.3 ? 10 : 0), products: lines };
      emit({ ...base, type: 'track', event: 'Checkout Started', timestamp: step() });
      const at = step();
      emit({ ...base, type: 'track', event: 'Order Completed', category, currency: 'CNY', timestamp: at, ...props });
      // a client retry of the same order (same order_id, new messageId) must not count twice
      if (props.order_id && rand() < 0.15) emit({ ...base, type: 'track', event: 'Order Completed', category, currency: 'CNY', timestamp: at + 5_000, ...props });
    }
  };

  // known users: anonymous visits, an identify, then visits as both
  for (let i = 1; i <= 40; i++) {
    const u = `u${String(i).padStart(2, '0')}`;
    const a = `a${String(i).padStart(2, '0')}`;
    const device = pick(DEVICES);
    // u24's device mapping never reached the mirror: its anonymous events stay a person of their own
    if (i !== 24) personIds.push({ distinct_id: a, person_id: u, version: i, is_deleted: 0 });
    personIds.push({ distinct_id: u, person_id: u, version: i, is_deleted: 0 });
    let t = start + Math.floor(rand() * span * 0.6);
    const visits = 2 + Math.floor(rand() * 8);
    visit({ anonymous_id: a, user_id: '' }, t, device, pick(CHANNELS));
    t += 3_600_000;
    emit({ type: 'identify', distinct_id: a, anonymous_id: a, user_id: u, timestamp: t });
    for (let v = 0; v < visits; v++) {
      t += Math.floor(rand() * 7 * 86_400_000);
      if (t > start + span) break;
      visit({ anonymous_id: a, user_id: u }, t, rand() < 0.2 ? pick(DEVICES) : device, rand() < 0.3 ? pick(CHANNELS) : '');
    }
  }
  // an old account merged into u07 by alias: its first mapping (to itself) is superseded by a later version
  personIds.push({ distinct_id: 'old7', person_id: 'old7', version: 1, is_deleted: 0 });
  personIds.push({ distinct_id: 'old7', person_id: 'u07', version: 100, is_deleted: 0 });
  for (let k = 0; k < 3; k++) visit({ anonymous_id: '', user_id: 'old7' }, start + (20 + k * 15) * 86_400_000 + k * 7_200_000, 'desktop', k === 0 ? 'baidu' : '');
  // an erased mapping: the id stands for itself again
  personIds.push({ distinct_id: 'gone', person_id: 'u01', version: 200, is_deleted: 1 });
  visit({ anonymous_id: 'gone', user_id: '' }, start + 50 * 86_400_000, 'mobile', 'douyin');
  // server-side users (userId only, never in the mirror)
  for (let k = 1; k <= 4; k++) {
    for (let v = 0; v < 3; v++) visit({ anonymous_id: '', user_id: `srv${k}` }, start + Math.floor(rand() * span), 'desktop', v === 0 ? 'wechat' : '');
  }
  // anonymous-only visitors
  for (let k = 1; k <= 16; k++) {
    const id = `v${String(k).padStart(2, '0')}`;
    const device = pick(DEVICES);
    const utm = pick(CHANNELS);
    for (let v = 0, t = start + Math.floor(rand() * span); v < 1 + Math.floor(rand() * 3) && t < start + span; v++, t += Math.floor(rand() * 10 * 86_400_000)) {
      visit({ anonymous_id: id, user_id: '' }, t, device, v === 0 ? utm : '');
    }
  }
  return { events, personIds };
}

// ---- the independent calculation -------------------------------------------------------------------

const offsetHours: Record<string, number> = { 'Asia/Shanghai': 8, UTC: 0 };
const dayOf = (ms: number, tz: string) => new Date(ms + offsetHours[tz]! * 3_600_000).toISOString().slice(0, 10);
const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const money = (x: number) => Math.round(x * 100) / 100;
const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const NONE = '(none)';

function expected(fx: { events: Row[]; personIds: PersonId[] }, from: string, to: string, tz: string): Omit<Overview, 'range' | 'previousRange' | 'currency'> {
  const latest = new Map<string, PersonId>();
  for (const p of fx.personIds) if (!latest.has(p.distinct_id) || latest.get(p.distinct_id)!.version < p.version) latest.set(p.distinct_id, p);
  const personOf = (e: Row) => {
    const m = latest.get(e.distinct_id);
    return m && !m.is_deleted && m.person_id ? m.person_id : e.user_id || e.distinct_id;
  };
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  const prevFrom = shift(from, -days);
  const seen = fx.events.filter((e) => dayOf(e.timestamp, tz) < to).sort((a, b) => a.timestamp - b.timestamp);
  const period = (d: string) => (d >= from && d < to ? 'cur' : d >= prevFrom && d < from ? 'prev' : null);
  const behaviour = (e: Row) => ['track', 'page', 'screen'].includes(e.type);

  // orders: first occurrence per order_id (or per message when there is none)
  const orders = new Map<string, { ts: number; buyer: string; amount: number; device: string; products: Line[]; category: string }>();
  for (const e of seen) {
    if (e.type !== 'track' || e.event !== 'Order Completed') continue;
    const oid = e.order_id || e.message_id;
    if (orders.has(oid)) continue;
    const amount = e.revenue ?? e.products.reduce((a, l) => a + l.price * l.quantity, 0);
    orders.set(oid, { ts: e.timestamp, buyer: personOf(e), amount, device: e.device_type, products: e.products, category: e.category });
  }

  interface P { first: number; channel: string; active: { cur: boolean; prev: boolean } }
  const people = new Map<string, P>();
  for (const e of seen) {
    const id = personOf(e);
    const p = people.get(id) ?? { first: e.timestamp, channel: '', active: { cur: false, prev: false } };
    people.set(id, p);
    if (!p.channel && e.utm_source) p.channel = e.utm_source;
    const w = period(dayOf(e.timestamp, tz));
    if (w && behaviour(e)) p.active[w] = true;
  }
  const headlineOf = (w: 'cur' | 'prev'): Headline => {
    const end = w === 'cur' ? to : from;
    const start = w === 'cur' ? from : prevFrom;
    const users = [...people.values()].filter((p) => dayOf(p.first, tz) < end).length;
    const active = [...people.values()].filter((p) => p.active[w]).length;
    const fresh = [...people.values()].filter((p) => dayOf(p.first, tz) >= start && dayOf(p.first, tz) < end).length;
    const os = [...orders.values()].filter((o) => period(dayOf(o.ts, tz)) === w);
    const buyers = new Set(os.map((o) => o.buyer)).size;
    const gmv = os.reduce((a, o) => a + o.amount, 0);
    return {
      users, activeUsers: active, newUsers: fresh, buyers, orders: os.length, gmv: money(gmv),
      aov: os.length ? money(gmv / os.length) : 0, conversion: active ? buyers / active : 0,
    };
  };
  const current = headlineOf('cur');
  const previous = headlineOf('prev');
  const change = Object.fromEntries(
    (Object.keys(current) as (keyof Headline)[]).map((k) => [k, previous[k] ? (current[k] - previous[k]) / previous[k] : null]),
  ) as Overview['change'];

  const curOrders = [...orders.entries()].filter(([, o]) => period(dayOf(o.ts, tz)) === 'cur');
  const trend = [];
  for (let d = from; d < to; d = shift(d, 1)) {
    const actives = new Set(seen.filter((e) => behaviour(e) && dayOf(e.timestamp, tz) === d).map(personOf));
    const os = curOrders.filter(([, o]) => dayOf(o.ts, tz) === d);
    trend.push({ date: d, activeUsers: actives.size, orders: os.length, gmv: money(os.reduce((a, [, o]) => a + o.amount, 0)) });
  }

  const cats = new Map<string, { gmv: number; orders: Set<string> }>();
  for (const [oid, o] of curOrders) {
    const lines = o.products.length ? o.products.map((l) => [l.category || o.category, l.price * l.quantity] as const) : [[o.category, o.amount] as const];
    for (const [c, v] of lines) {
      const key = c || NONE;
      const x = cats.get(key) ?? { gmv: 0, orders: new Set() };
      cats.set(key, x);
      x.gmv += v;
      x.orders.add(oid);
    }
  }
  const topCategories = [...cats.entries()]
    .map(([category, x]) => ({ category, gmv: x.gmv, orders: x.orders.size }))
    .sort((a, b) => b.gmv - a.gmv || bytewise(a.category, b.category))
    .slice(0, 10)
    .map((r) => ({ ...r, gmv: money(r.gmv) }));

  const devices = new Map<string, { users: Set<string>; orders: number; gmv: number }>();
  const dev = (d: string) => devices.get(d || NONE) ?? devices.set(d || NONE, { users: new Set(), orders: 0, gmv: 0 }).get(d || NONE)!;
  for (const e of seen) if (behaviour(e) && period(dayOf(e.timestamp, tz)) === 'cur') dev(e.device_type).users.add(personOf(e));
  for (const [, o] of curOrders) {
    dev(o.device).orders++;
    dev(o.device).gmv += o.amount;
  }
  const deviceRows = [...devices.entries()]
    .map(([deviceType, x]) => ({ deviceType, users: x.users.size, orders: x.orders, gmv: money(x.gmv) }))
    .sort((a, b) => b.users - a.users || b.orders - a.orders || bytewise(a.deviceType, b.deviceType));

  const channels = new Map<string, { activeUsers: number; newUsers: number; buyers: number; orders: number; gmv: number }>();
  for (const [id, p] of people) {
    const key = p.channel || NONE;
    const c = channels.get(key) ?? { activeUsers: 0, newUsers: 0, buyers: 0, orders: 0, gmv: 0 };
    channels.set(key, c);
    const os = curOrders.filter(([, o]) => o.buyer === id);
    c.activeUsers += p.active.cur ? 1 : 0;
    c.newUsers += dayOf(p.first, tz) >= from ? 1 : 0;
    c.buyers += os.length ? 1 : 0;
    c.orders += os.length;
    c.gmv += os.reduce((a, [, o]) => a + o.amount, 0);
  }
  const channelRows = [...channels.entries()]
    .map(([channel, c]) => ({ channel, ...c, gmv: money(c.gmv) }))
    .filter((c) => c.activeUsers || c.newUsers || c.orders)
    .sort((a, b) => b.activeUsers - a.activeUsers || b.gmv - a.gmv || bytewise(a.channel, b.channel));

  return { current, previous, change, trend, topCategories, devices: deviceRows, channels: channelRows };
}

// ---- the tests ---------------------------------------------------------------------------------------

describe('overview', () => {
  const fx = fixture();
  let store: OlapStore;
  before(async () => {
    store = await OlapStore.open({ path: dir, database: 'overview_fixture' });
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
  });
  after(() => store?.close());

  const cases = [
    { from: '2024-06-01', to: '2024-07-01', tz: 'Asia/Shanghai' as const },
    { from: '2024-06-10', to: '2024-06-17', tz: 'UTC' as const },
    { from: '2024-05-15', to: '2024-06-15', tz: 'Asia/Shanghai' as const },
  ];
  for (const c of cases) {
    it(`matches an independent calculation for ${c.from} … ${c.to} (${c.tz})`, async () => {
      const got = await overview(store, c);
      const want = expected(fx, c.from, c.to, c.tz);
      assert.ok(want.current.orders >= 8 && want.current.activeUsers >= 15, `the fixture exercises the range: ${JSON.stringify(want.current)}`);
      assert.deepEqual(got.current, want.current, 'headline');
      assert.deepEqual(got.previous, want.previous, 'previous period');
      assert.deepEqual(got.change, want.change, 'change');
      assert.deepEqual(got.trend, want.trend, 'trend');
      assert.deepEqual(got.topCategories, want.topCategories, 'top categories');
      assert.deepEqual(got.devices, want.devices, 'devices');
      assert.deepEqual(got.channels, want.channels, 'channels');
      const days = Math.round((Date.parse(c.to) - Date.parse(c.from)) / 86_400_000);
      assert.deepEqual(got.range, { ...c, days });
      assert.deepEqual(got.previousRange, { from: shift(c.from, -days), to: c.from });
      assert.equal(got.currency, 'CNY');
    });
  }

  it('the fixture covers what it is meant to', () => {
    const want = expected(fx, '2024-06-01', '2024-07-01', 'Asia/Shanghai');
    assert.equal(want.topCategories.length, 10, 'more than ten categories sold: the list is cut at ten');
    const all = new Set(fx.events.filter((e) => e.order_id).map((e) => e.order_id));
    assert.ok(fx.events.filter((e) => e.event === 'Order Completed' && e.order_id).length > all.size, 'has retried orders');
    assert.ok(want.channels.some((c) => c.channel === NONE) && want.devices.some((d) => d.deviceType === NONE));
  });

  it('an empty range is zeros, with no change against an empty previous period', async () => {
    const got = await overview(store, { from: '2023-01-01', to: '2023-01-08', tz: 'UTC' });
    assert.deepEqual(got.current, { users: 0, activeUsers: 0, newUsers: 0, buyers: 0, orders: 0, gmv: 0, aov: 0, conversion: 0 });
    assert.ok(Object.values(got.change).every((v) => v === null));
    assert.equal(got.trend.length, 7);
    assert.deepEqual([got.topCategories, got.devices, got.channels], [[], [], []]);
  });
});

describe('overview counts a person once across ids', () => {
  let store: OlapStore;
  before(async () => {
    store = await OlapStore.open({ path: dir, database: 'overview_identity' });
  });
  after(() => store?.close());

  it('an anonymous visitor who identifies and buys is one active user, one new user and one buyer', async () => {
    const t = Date.UTC(2024, 5, 3, 2);
    const base = { anonymous_id: 'anon-x', distinct_id: 'anon-x', user_id: '', device_type: 'mobile', original_timestamp: t, received_at: t };
    await store.insert('events', [
      { ...base, message_id: '1', type: 'page', event: 'Home', timestamp: t, utm_source: 'wechat' },
      { ...base, message_id: '2', type: 'track', event: 'Product Viewed', category: '美妆', timestamp: t + 1_000 },
      { ...base, message_id: '3', type: 'identify', user_id: 'alice', timestamp: t + 2_000 },
      // later, from another device, signed in (server-side: userId only)
      { ...base, message_id: '4', type: 'track', event: 'Order Completed', anonymous_id: '', distinct_id: 'alice', user_id: 'alice', device_type: 'desktop',
        order_id: 'o-1', revenue: 99.5, currency: 'CNY', products: [{ product_id: 'p', category: '美妆', brand: 'b', price: 99.5, quantity: 1 }], timestamp: t + 86_400_000 },
    ]);
    await store.insert('person_ids', [
      { distinct_id: 'alice', person_id: 'alice', version: 1, is_deleted: 0 },
      { distinct_id: 'anon-x', person_id: 'alice', version: 2, is_deleted: 0 },
    ]);
    const got = await overview(store, { from: '2024-06-01', to: '2024-06-08', tz: 'Asia/Shanghai' });
    assert.deepEqual(got.current, { users: 1, activeUsers: 1, newUsers: 1, buyers: 1, orders: 1, gmv: 99.5, aov: 99.5, conversion: 1 });
    assert.deepEqual(got.channels, [{ channel: 'wechat', activeUsers: 1, newUsers: 1, buyers: 1, orders: 1, gmv: 99.5 }]);
    assert.deepEqual(got.devices, [
      { deviceType: 'desktop', users: 1, orders: 1, gmv: 99.5 },
      { deviceType: 'mobile', users: 1, orders: 0, gmv: 0 },
    ]);
    assert.deepEqual(got.trend.filter((d) => d.activeUsers).map((d) => d.date), ['2024-06-03', '2024-06-04']);
  });
});
