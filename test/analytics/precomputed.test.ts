import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { devicePersons } from '../../src/analytics/sql.ts';
import { normaliseKeyword } from '../../src/analytics/queries/searchSql.ts';
import { timezones } from '../../src/analytics/timezones.ts';
import { DAY, HOUR, MINUTE, msg, openScenario, send, type Msg, type Scenario } from '../support/scenario.ts';

/**
 * The analytics reports' precomputed tables (migration 005: person_firsts, order_events, review_events,
 * activity_slots; migration 009: behaviour_narrow; fed by materialized views) against what the raw events say, after messages sent
 * through the real ingestion pipeline: anonymous browsing with campaign tags, an identity merge
 * (identify with the anonymous id), an order sent twice (a retry), a review sent twice, then more
 * activity after the merge. Expected values are computed here in TypeScript from the events table.
 */

let sc: Scenario;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-precomputed-' });
});
after(() => sc?.close());

interface Ev {
  message_id: string; type: string; event: string; distinct_id: string; user_id: string; ms: number; utm_source: string;
  order_id: string; revenue: number | null; device_type: string; properties: string; product_id: string; rating: number | null;
  query: string; line_ids: string[];
}

const T0 = Date.UTC(2025, 2, 3, 1, 0);
const campaign = (source: string): Msg => ({ context: { campaign: { source, medium: 'cpc' } } });

function messages(): Msg[] {
  const m: Msg[] = [];
  // an anonymous device browses (first touch: its first tagged message), then signs in as u1
  m.push(msg.anon('dev-1', 'Product Viewed', T0, { product_id: 'p1' }, { context: { device: { type: 'mobile' } } }));
  m.push(msg.anon('dev-1', 'Product Viewed', T0 + 10 * MINUTE, { product_id: 'p2' }, campaign('wechat')));
  m.push(msg.anon('dev-1', 'Product Viewed', T0 + 40 * MINUTE, { product_id: 'p3' }, campaign('douyin')));
  m.push(msg.identify('u1', T0 + HOUR, { name: 'u1' }, { anonymousId: 'dev-1' }));
  // u1 on another device, tagged earlier than dev-1 ever was — but later than dev-1's first message
  m.push(msg.track('u1', 'Product Viewed', T0 + 5 * MINUTE, { product_id: 'p4' }, { anonymousId: 'dev-2', ...campaign('baidu') }));
  // an order, retried a day later with another revenue: the first occurrence wins
  const order = { order_id: 'o-1', revenue: 199, products: [{ product_id: 'p1', category: '手机', price: 199, quantity: 1 }] };
  m.push(msg.track('u1', 'Order Completed', T0 + 2 * HOUR, order));
  m.push(msg.track('u1', 'Order Completed', T0 + DAY, { ...order, revenue: 1 }));
  // an order without order_id is keyed by its message id
  m.push(msg.track('u2', 'Order Completed', T0 + 3 * HOUR, { products: [{ product_id: 'p2', price: 5, quantity: 3 }] }));
  // a review, resent later with other stars; a review without review_id
  m.push(msg.track('u1', 'Product Reviewed', T0 + 3 * DAY, { product_id: 'p1', review_id: 'r-1', review_body: '很好用', rating: 5 }));
  m.push(msg.track('u1', 'Product Reviewed', T0 + 4 * DAY, { product_id: 'p1', review_id: 'r-1', review_body: 'changed', rating: 1 }));
  m.push(msg.track('u2', 'Product Reviewed', T0 + 4 * DAY, { product_id: 'p2', review_body: 'fine', rating: 4 }));
  // u2 is seen first through an identify, later active
  m.push(msg.identify('u2', T0 - DAY, { name: 'u2' }));
  m.push(msg.track('u2', 'Home Viewed', T0 + 2 * DAY + 29 * MINUTE));
  m.push(msg.track('u2', 'Home Viewed', T0 + 2 * DAY + 31 * MINUTE));
  // searches: the narrow copy keeps the keyword normalised (whitespace runs collapsed, trimmed, lower-cased)
  m.push(msg.anon('dev-1', 'Products Searched', T0 + 20 * MINUTE, { query: '  Red \t Shoes ' }));
  m.push(msg.track('u2', 'Products Searched', T0 + 2 * DAY, { query: '手机' }));
  return m;
}

const key = (distinctId: string, userId: string) => `${distinctId}|${userId}`;
const sortBy = <T>(xs: T[], f: (x: T) => string) => [...xs].sort((a, b) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0));

describe('precomputed analytics tables', () => {
  let events: Ev[] = [];
  before(async () => {
    await send(sc.rt, messages());
    events = await sc.rt.olap.query<Ev>(
      `SELECT message_id, type, event, distinct_id, user_id, toUnixTimestamp64Milli(timestamp) AS ms, utm_source, order_id, revenue,
              device_type, properties, product_id, rating, query, products.product_id AS line_ids
       FROM ${sc.rt.olap.db}.events`,
    );
    for (const e of events) e.ms = Number(e.ms);
    assert.ok(events.length >= 14, 'the fixture is stored');
  });

  it('person_firsts: first seen and first touch per device and userId', async () => {
    const want = new Map<string, { first: number; touch: number; source: string }>();
    for (const e of sortBy(events, (x) => String(x.ms).padStart(15, '0'))) {
      const k = key(e.distinct_id, e.user_id);
      const w = want.get(k) ?? { first: e.ms, touch: Infinity, source: '' };
      if (e.utm_source && e.ms < w.touch) Object.assign(w, { touch: e.ms, source: e.utm_source });
      want.set(k, w);
    }
    const got = await sc.rt.olap.query<{ distinct_id: string; user_id: string; first: number; touch: number; source: string }>(
      `SELECT distinct_id, user_id, toUnixTimestamp64Milli(min(first_seen)) AS first,
              if(min(first_touch).2 = '', 0, toUnixTimestamp64Milli(min(first_touch).1)) AS touch, min(first_touch).2 AS source
       FROM ${sc.rt.olap.db}.person_firsts GROUP BY distinct_id, user_id`,
    );
    assert.deepEqual(
      new Map(got.map((r) => [key(r.distinct_id, r.user_id), { first: Number(r.first), touch: r.source ? Number(r.touch) : Infinity, source: r.source }])),
      want,
    );
    assert.equal(want.get(key('dev-1', ''))?.source, 'wechat', 'the first tagged message of the anonymous device');
  });

  it('person_firsts resolved through the identity map: a merged person starts at their earliest device', async () => {
    const db = sc.rt.olap.db;
    const map = new Map((await sc.rt.olap.query<{ distinct_id: string; person_id: string }>(
      `SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0`,
    )).map((r) => [r.distinct_id, r.person_id]));
    assert.equal(map.get('dev-1'), map.get('u1'), 'dev-1 was merged into u1');
    const personOf = (e: { distinct_id: string; user_id: string }) => map.get(e.distinct_id) || e.user_id || e.distinct_id;
    const want = new Map<string, number>();
    for (const e of events) want.set(personOf(e), Math.min(want.get(personOf(e)) ?? Infinity, e.ms));
    const got = await sc.rt.olap.query<{ person: string; first: number }>(
      `SELECT coalesce(nullIf(pm.person_id, ''), if(f.user_id != '', f.user_id, f.distinct_id)) AS person, toUnixTimestamp64Milli(min(f.first_seen)) AS first
       FROM ${db}.person_firsts AS f
       LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0) AS pm
         ON pm.distinct_id = f.distinct_id
       GROUP BY person`,
    );
    assert.deepEqual(new Map(got.map((r) => [r.person, Number(r.first)])), want);
    assert.equal(want.get(map.get('u1')!), T0, 'u1 was first seen as the anonymous device');
  });

  it('order_events: every Order Completed message, keyed by order_id (else the message id); the first occurrence is the order', async () => {
    const orders = events.filter((e) => e.type === 'track' && e.event === 'Order Completed');
    const got = await sc.rt.olap.query<{ oid: string; message_id: string; distinct_id: string; user_id: string; ms: number; revenue: number | null }>(
      `SELECT oid, message_id, distinct_id, user_id, toUnixTimestamp64Milli(timestamp) AS ms, revenue FROM ${sc.rt.olap.db}.order_events`,
    );
    assert.deepEqual(
      sortBy(got.map((r) => ({ ...r, ms: Number(r.ms) })), (r) => r.message_id),
      sortBy(orders.map((e) => ({ oid: e.order_id || e.message_id, message_id: e.message_id, distinct_id: e.distinct_id, user_id: e.user_id, ms: e.ms, revenue: e.revenue })), (r) => r.message_id),
    );
    const [first] = await sc.rt.olap.query<{ amount: number; n: number }>(
      `SELECT amount, (SELECT count() FROM ${sc.rt.olap.db}.order_events WHERE oid = 'o-1') AS n
       FROM (SELECT argMin(revenue, timestamp) AS amount FROM ${sc.rt.olap.db}.order_events WHERE oid = 'o-1')`,
    );
    assert.deepEqual({ amount: Number(first!.amount), n: Number(first!.n) }, { amount: 199, n: 2 }, 'the retry is kept, and the first revenue is the order\'s');
  });

  it('review_events: review key and text taken out of the properties once', async () => {
    const reviews = events.filter((e) => e.type === 'track' && e.event === 'Product Reviewed');
    const got = await sc.rt.olap.query<{ review_key: string; message_id: string; body: string; rating: number | null; product_id: string }>(
      `SELECT review_key, message_id, body, rating, product_id FROM ${sc.rt.olap.db}.review_events`,
    );
    const want = reviews.map((e) => {
      const p = JSON.parse(e.properties) as { review_id?: string; review_body?: string };
      return { review_key: p.review_id || e.message_id, message_id: e.message_id, body: p.review_body ?? '', rating: e.rating, product_id: e.product_id };
    });
    assert.deepEqual(sortBy(got, (r) => r.message_id), sortBy(want, (r) => r.message_id));
    assert.equal(want.filter((r) => r.review_key === 'r-1').length, 2);
  });

  it('activity_slots: behaviour events counted per half hour, device and userId', async () => {
    const want = new Map<string, number>();
    for (const e of events) {
      if (!['track', 'page', 'screen'].includes(e.type)) continue;
      const k = `${Math.floor(e.ms / (30 * MINUTE)) * 30 * MINUTE}|${key(e.distinct_id, e.user_id)}|${e.device_type}`;
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const got = await sc.rt.olap.query<{ k: string; n: number }>(
      `SELECT concat(toString(toUnixTimestamp(slot) * 1000), '|', distinct_id, '|', user_id, '|', toString(device_type)) AS k, sum(events) AS n
       FROM ${sc.rt.olap.db}.activity_slots GROUP BY k`,
    );
    assert.deepEqual(new Map(got.map((r) => [r.k, Number(r.n)])), want);
    assert.ok([...want.keys()].some((k) => k.includes('|u2|u2|')), 'u2 is active');
  });
});

describe('the narrow behaviour copy', () => {
  it('behaviour_narrow: every behaviour message once, keyword normalised, order lines counted; its device key meets the identity map', async () => {
    const db = sc.rt.olap.db;
    const events = await sc.rt.olap.query<Ev>(
      `SELECT message_id, type, event, distinct_id, user_id, toUnixTimestamp64Milli(timestamp) AS ms, product_id, query, products.product_id AS line_ids
       FROM ${db}.events`,
    );
    const map = new Map((await sc.rt.olap.query<{ distinct_id: string; person_id: string }>(
      `SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0`,
    )).map((r) => [r.distinct_id, r.person_id]));
    const personOf = (e: { distinct_id: string; user_id: string }) => map.get(e.distinct_id) || e.user_id || e.distinct_id;
    const behaviour = events.filter((e) => ['track', 'page', 'screen'].includes(e.type));
    const want = new Map(behaviour.map((e) => [e.message_id, {
      event: e.event, type: e.type, ms: Number(e.ms), product_id: e.product_id,
      keyword: e.type === 'track' && e.event === 'Products Searched' ? normaliseKeyword(e.query) : '',
      lines: e.type === 'track' && e.event === 'Order Completed' ? (e.line_ids.length ? e.line_ids : [e.product_id]).filter((x) => x !== '').length : 0,
      person: personOf(e),
    }]));
    const got = await sc.rt.olap.query<{ message_id: string; event: string; type: string; ms: number; product_id: string; keyword: string; lines: number; person: string }>(
      `SELECT n.message_id AS message_id, toString(n.event) AS event, toString(n.type) AS type, toUnixTimestamp64Milli(n.timestamp) AS ms,
              toString(n.product_id) AS product_id, n.keyword AS keyword, length(n.line_products) AS lines, dp.person AS person
       FROM ${db}.behaviour_narrow AS n
       LEFT JOIN ${devicePersons(db, 'ids')} AS dp ON dp.device = n.device`,
    );
    assert.equal(got.length, want.size, 'one row per behaviour message');
    assert.deepEqual(new Map(got.map(({ message_id, ...r }) => [message_id, { ...r, ms: Number(r.ms), lines: Number(r.lines) }])), want);
    assert.ok([...want.values()].some((r) => r.keyword === 'red shoes'), 'the messy query is normalised');
    assert.ok([...want.values()].some((r) => r.lines === 1), 'an order line is kept');
    assert.equal(got.find((r) => r.keyword === 'red shoes')?.person, map.get('u1'), 'the anonymous device\'s search belongs to the person it merged into');
  });
});

describe('half-hour rollups and reporting timezones', () => {
  it('every allowed timezone starts its days on a half hour (UTC), 2020–2030, so activity_slots give exact days', async () => {
    const off: Record<string, number> = {};
    for (const tz of timezones) {
      // as the reports compute a day's start: toDateTime({day:Date}, {tz:String})
      const [r] = await sc.rt.olap.query<{ n: number }>(
        `SELECT countIf(toUnixTimestamp(toDateTime(toDate('2020-01-01') + number, {tz:String})) % 1800 != 0) AS n FROM numbers(3653)`,
        { tz },
      );
      off[tz] = Number(r!.n);
    }
    assert.deepEqual(off, Object.fromEntries(timezones.map((tz) => [tz, 0])));
  });
});

describe('erasure reaches the precomputed tables', () => {
  it('an erased person (and the anonymous device merged into them) leaves no row in any of them', async () => {
    const db = sc.rt.olap.db;
    const ids = ['u1', 'dev-1', 'dev-2'];
    const count = async () => {
      const out: Record<string, number> = {};
      for (const t of ['person_firsts', 'order_events', 'review_events', 'activity_slots', 'behaviour_narrow']) {
        const [r] = await sc.rt.olap.query<{ n: number }>(
          `SELECT count() AS n FROM ${db}.${t} WHERE distinct_id IN {ids:Array(String)} OR user_id IN {ids:Array(String)}`, { ids },
        );
        out[t] = Number(r!.n);
      }
      return out;
    };
    const before = await count();
    assert.ok(Object.values(before).every((n) => n > 0), `the fixture put u1 in every table: ${JSON.stringify(before)}`);
    const receipt = await sc.rt.privacy.erase('u1', { actor: 'tok_test', role: 'admin' });
    assert.deepEqual(await count(), { person_firsts: 0, order_events: 0, review_events: 0, activity_slots: 0, behaviour_narrow: 0 });
    for (const t of ['person_firsts', 'order_events', 'review_events', 'activity_slots', 'behaviour_narrow']) assert.equal(receipt.stores[`olap.${t}`], before[t], t);
    const [u2] = await sc.rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${db}.order_events WHERE user_id = 'u2'`);
    assert.equal(Number(u2!.n), 1, 'other people stay');
  });
});
