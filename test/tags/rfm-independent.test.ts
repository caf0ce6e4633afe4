import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lastThresholds } from '../../src/tags/build.ts';
import type { TagValue } from '../../src/tags/values.ts';
import { DAY, build, clock, msg, openScenario, prng, round, send, tagsOf, type Msg, type Scenario } from './support.ts';

/**
 * RFM scores, classes and the purchase cycle of ~70 people, checked against an independent computation
 * in plain TypeScript over the same fixture rows:
 *
 *  R = whole days since the last order, F = orders in the last 365 days, M = their revenue minus refunds
 *  in the last 365 days (rounded to cents); scored only for people with an order in the last 365 days;
 *  thresholds = ClickHouse quantilesExact(0.2, 0.4, 0.6, 0.8) over the scored people (the element at
 *  ⌊level × n⌋ of the sorted values); score = 1 + #(thresholds < x), R descending: 5 − #(thresholds < x);
 *  class from high (≥ 3) / low per dimension. Purchase cycle = the median (interpolated for an even
 *  count) of the gaps between the distinct Shanghai days with an order.
 */

const c = clock('2026-08-15T18:30:00+08:00');
const { asOf } = c;
const rand = prng(20260815);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const cents = (lo: number, hi: number) => int(lo * 100, hi * 100) / 100;

interface Person {
  id: string;
  orders: { t: number; revenue: number }[];
  refunds: { t: number; revenue: number }[];
  views: number[];
}

function fixture(): Person[] {
  const people: Person[] = [];
  const randomTime = (minDay: number, maxDay: number) => c.at(int(minDay, maxDay), int(0, 23), int(0, 59), int(0, 59));
  for (let i = 0; i < 60; i++) {
    const p: Person = { id: `r-${String(i).padStart(3, '0')}`, orders: [], refunds: [], views: [] };
    // a few shapes of buyer: occasional, frequent, recent bursts
    const k = i % 7 === 0 ? int(8, 15) : int(1, 5);
    const span = i % 5 === 0 ? 30 : 364;
    for (let j = 0; j < k; j++) p.orders.push({ t: randomTime(0, span), revenue: cents(5, i % 9 === 0 ? 5000 : 800) });
    if (i % 4 === 0) p.orders.push({ t: p.orders[0]!.t + int(1, 5) * 3600_000, revenue: cents(5, 100) }); // a second order the same day (mostly)
    if (i % 3 === 0) p.orders.push({ t: randomTime(366, 700), revenue: cents(5, 500) }); // older than the window
    if (i % 6 === 1) p.refunds.push({ t: randomTime(0, 200), revenue: cents(1, 50) });
    if (i % 10 === 2) p.orders.push({ t: asOf + int(1, 20) * 3600_000, revenue: 10_000 }); // after the as-of moment
    for (let j = int(0, 3); j > 0; j--) p.views.push(randomTime(0, 100));
    people.push(p);
  }
  // window edges: exactly 365 days before the as-of moment is outside, a millisecond later inside
  people.push({ id: 'r-edge-out', orders: [{ t: asOf - 365 * DAY, revenue: 100 }, { t: c.at(3), revenue: 50 }], refunds: [], views: [] });
  people.push({ id: 'r-edge-in', orders: [{ t: asOf - 365 * DAY + 1, revenue: 100 }, { t: c.at(3), revenue: 50 }], refunds: [], views: [] });
  // refunds larger than the window's revenue: a negative net spend is still scored
  people.push({ id: 'r-negative', orders: [{ t: c.at(400), revenue: 900 }, { t: c.at(100), revenue: 20 }], refunds: [{ t: c.at(50), revenue: 900 }], views: [] });
  // not scored: only old orders (a purchase cycle all the same), or no orders
  for (let i = 0; i < 5; i++) {
    people.push({ id: `r-old-${i}`, orders: Array.from({ length: i + 1 }, () => ({ t: randomTime(366, 900), revenue: cents(5, 300) })), refunds: [], views: [randomTime(0, 60)] });
  }
  for (let i = 0; i < 5; i++) people.push({ id: `r-viewer-${i}`, orders: [], refunds: [], views: [randomTime(0, 300), randomTime(0, 300)] });
  return people;
}

function messages(people: Person[]): Msg[] {
  return people.flatMap((p) => [
    ...p.orders.map((o, j) => msg.track(p.id, 'Order Completed', o.t, { order_id: `${p.id}-o${j}`, revenue: o.revenue })),
    ...p.refunds.map((r, j) => msg.track(p.id, 'Order Refunded', r.t, { order_id: `${p.id}-o${j}`, revenue: r.revenue })),
    ...p.views.map((t) => msg.track(p.id, 'Product Viewed', t, { product_id: 'x' })),
  ]);
}

// ---- the independent computation ----------------------------------------------------------------------

const LEVELS = [0.2, 0.4, 0.6, 0.8].map((l) => Number(l.toFixed(4)));

/** quantilesExact: the element at ⌊level × n⌋ of the sorted values */
function quantilesExact(xs: number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  return LEVELS.map((l) => s[Math.floor(l * s.length)]!);
}

const score = (x: number, t: number[], descending = false) => {
  const above = t.filter((q) => q < x).length;
  return descending ? 5 - above : 1 + above;
};

const classOf = (r: number, f: number, m: number) => {
  const hi = (x: number) => x >= 3;
  return `${hi(m) ? 'important' : 'general'}_${hi(r) ? (hi(f) ? 'value' : 'develop') : hi(f) ? 'keep' : 'winback'}`;
};

/** the median as ClickHouse's `median` gives it: linear interpolation between the middle two */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = 0.5 * (s.length - 1);
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
}

const shanghaiDay = (t: number) => Math.floor((t + 8 * 3600_000) / DAY);

interface Expected {
  r?: number; f?: number; m?: number; cls?: string; cycle?: number; next?: string;
  raw?: { recency: number; frequency: number; monetary: number };
}

function expected(people: Person[]): { by: Map<string, Expected>; thresholds: { r: number[]; f: number[]; m: number[] } } {
  const by = new Map<string, Expected>();
  for (const p of people) {
    const orders = p.orders.filter((o) => o.t <= asOf);
    const inYear = (t: number) => t > asOf - 365 * DAY && t <= asOf;
    const e: Expected = {};
    const days = [...new Set(orders.map((o) => shanghaiDay(o.t)))].sort((a, b) => a - b);
    if (days.length >= 2) {
      e.cycle = median(days.slice(1).map((d, i) => d - days[i]!));
      e.next = new Date((days.at(-1)! + round(e.cycle)) * DAY).toISOString().slice(0, 10);
    }
    const f = orders.filter((o) => inYear(o.t)).length;
    if (f > 0) {
      const last = Math.max(...orders.map((o) => o.t));
      const sum = (xs: { t: number; revenue: number }[]) => xs.filter((x) => inYear(x.t)).reduce((a, x) => a + x.revenue, 0);
      e.raw = { recency: Math.floor((asOf - last) / DAY), frequency: f, monetary: round(sum(orders) - sum(p.refunds), 2) };
    }
    by.set(p.id, e);
  }
  const scored = [...by.values()].filter((e) => e.raw);
  const thresholds = {
    r: quantilesExact(scored.map((e) => e.raw!.recency)),
    f: quantilesExact(scored.map((e) => e.raw!.frequency)),
    m: quantilesExact(scored.map((e) => e.raw!.monetary)),
  };
  for (const e of scored) {
    e.r = score(e.raw!.recency, thresholds.r, true);
    e.f = score(e.raw!.frequency, thresholds.f);
    e.m = score(e.raw!.monetary, thresholds.m);
    e.cls = classOf(e.r, e.f, e.m);
  }
  return { by, thresholds };
}

// ---- the test -----------------------------------------------------------------------------------------

const people = fixture();
const want = expected(people);
let s: Scenario;
const got = new Map<string, Record<string, TagValue>>();

before(async () => {
  s = await openScenario({ live: false, prefix: 'hx-rfm-' });
  await send(s.rt, messages(people));
  const b = await build(s.rt, asOf);
  assert.equal(b.persons, people.length);
  for (const p of people) got.set(p.id, await tagsOf(s.rt, p.id));
});
after(async () => {
  await s?.close();
});

describe('RFM and purchase cycle against an independent computation', () => {
  it('the fixture is varied: ties, all five scores on each dimension, unscored people', () => {
    const scored = [...want.by.values()].filter((e) => e.raw);
    assert.ok(scored.length >= 60, `${scored.length} scored`);
    for (const k of ['r', 'f', 'm'] as const) assert.deepEqual([...new Set(scored.map((e) => e[k]))].sort(), [1, 2, 3, 4, 5], `${k} uses every score`);
    assert.ok(new Set(scored.map((e) => e.cls)).size >= 6, 'most classes occur');
    for (const k of ['r', 'f', 'm'] as const) {
      const key = ({ r: 'recency', f: 'frequency', m: 'monetary' } as const)[k];
      const hits = scored.filter((e) => want.thresholds[k].includes(e.raw![key])).length;
      assert.ok(k === 'm' ? hits >= 1 : hits >= 5, `${k}: values equal to a threshold (the strict comparison matters): ${hits}`);
    }
    assert.ok(scored.some((e) => e.raw!.monetary < 0), 'a negative net spend');
    assert.ok([...want.by.values()].some((e) => e.cycle !== undefined && !Number.isInteger(e.cycle)), 'a cycle between two whole days');
  });

  it('the build stored the same quintile thresholds', async () => {
    const t = await lastThresholds(s.rt.oltp);
    assert.deepEqual({ r: t?.rfm_r, f: t?.rfm_f, m: t?.rfm_m }, want.thresholds);
  });

  it('every person’s rfm_r, rfm_f, rfm_m and rfm_class', () => {
    const mismatches: string[] = [];
    for (const p of people) {
      const e = want.by.get(p.id)!;
      const g = got.get(p.id)!;
      const mine = { rfm_r: e.r, rfm_f: e.f, rfm_m: e.m, rfm_class: e.cls };
      const theirs = { rfm_r: g.rfm_r, rfm_f: g.rfm_f, rfm_m: g.rfm_m, rfm_class: g.rfm_class };
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) mismatches.push(`${p.id} ${JSON.stringify(e.raw)}: want ${JSON.stringify(mine)} got ${JSON.stringify(theirs)}`);
    }
    assert.deepEqual(mismatches, []);
  });

  it('the inputs: days since last order, orders and net spend in 365 days', () => {
    for (const p of people) {
      const e = want.by.get(p.id)!;
      if (!e.raw) continue;
      const g = got.get(p.id)!;
      assert.deepEqual({ recency: g.days_since_last_order, frequency: g.orders_365d, monetary: g.gmv_365d }, e.raw, p.id);
    }
    assert.equal(want.by.get('r-edge-out')!.raw!.frequency, 1);
    assert.equal(got.get('r-edge-out')!.orders_365d, 1, 'exactly 365 days before is outside the window');
    assert.equal(got.get('r-edge-in')!.orders_365d, 2, 'a millisecond later is inside');
  });

  it('every person’s purchase cycle and predicted next purchase', () => {
    const mismatches: string[] = [];
    for (const p of people) {
      const e = want.by.get(p.id)!;
      const g = got.get(p.id)!;
      if (g.purchase_cycle_days !== e.cycle || g.next_purchase_date !== e.next) {
        mismatches.push(`${p.id}: want ${e.cycle} → ${e.next}, got ${g.purchase_cycle_days} → ${g.next_purchase_date}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
