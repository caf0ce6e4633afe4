import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OlapStore } from '../../src/store/olap/index.ts';
import { httpClient, rejects } from '../support/inProcessApi.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { activeUsers, BREAKDOWN_METRICS, metricBreakdown, type BreakdownMetric } from '../../src/analytics/index.ts';
import type { EventRow } from '../../src/events/index.ts';

/**
 * Active users (DAU, rolling WAU/MAU, stickiness, new vs returning) and headline metrics broken down by
 * a tag or by segments, against the real engine (chdb) on a seeded fixture, each figure checked against
 * an independent calculation in plain TypeScript over the same rows.
 */

// one runtime per file (chdb binds one data directory per process): the queries run on its store, the routes on its server
let sc: Scenario;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-descriptive-' });
});
after(() => sc?.close());

type Row = Pick<EventRow, 'message_id' | 'type' | 'event' | 'distinct_id' | 'anonymous_id' | 'user_id' | 'timestamp' | 'original_timestamp' | 'received_at' | 'order_id' | 'revenue'>;
interface PersonId { distinct_id: string; person_id: string; version: number; is_deleted: number }
interface TagRow { tag_code: string; person_id: string; value_str: string; version: number; is_deleted: number }
interface MemberRow { segment_id: string; person_id: string; is_member: number; version: number; changed_at: number }

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TIERS = ['一线', '二线', '三线'];

function fixture(seed = 5) {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const int = (n: number) => Math.floor(rand() * n);
  const events: Row[] = [];
  const personIds: PersonId[] = [];
  const tags: TagRow[] = [];
  const members: MemberRow[] = [];
  let n = 0;
  const start = Date.UTC(2024, 3, 1); // two months before the ranges: MAU looks back 29 days
  const emit = (r: Partial<Row> & Pick<Row, 'type' | 'timestamp' | 'distinct_id'>) =>
    events.push({ message_id: `m${++n}`, event: '', anonymous_id: '', user_id: '', order_id: '', revenue: null, original_timestamp: r.timestamp, received_at: r.timestamp, ...r });
  for (let p = 1; p <= 60; p++) {
    const user = `u${p}`;
    const anon = `a${p}`;
    personIds.push({ distinct_id: anon, person_id: user, version: 1, is_deleted: 0 }, { distinct_id: user, person_id: user, version: 1, is_deleted: 0 });
    // a person's first message is sometimes an identify days before any activity
    let t = start + int(70) * DAY + int(24) * HOUR;
    if (p % 7 === 0) {
      emit({ type: 'identify', distinct_id: anon, anonymous_id: anon, user_id: user, timestamp: t });
      t += (1 + int(5)) * DAY;
    }
    const active = 1 + int(20);
    for (let k = 0; k < active; k++) {
      const ids = k % 3 === 0 ? { distinct_id: anon, anonymous_id: anon } : { distinct_id: user, user_id: user };
      emit({ type: rand() < 0.5 ? 'page' : 'track', event: 'Home', ...ids, timestamp: t });
      if (rand() < 0.25) emit({ type: 'track', event: 'Order Completed', ...ids, order_id: `o${n}`, revenue: 10 + int(300), timestamp: t + 60_000 });
      // bursts of daily visits and long quiet spells
      t += rand() < 0.6 ? DAY + int(12) * HOUR : (3 + int(15)) * DAY;
    }
    // the city tier tag: an earlier value replaced by a later version; some persons have none; one was deleted
    if (p % 5 !== 0) {
      tags.push({ tag_code: 'city_tier', person_id: user, value_str: TIERS[(p + 1) % 3]!, version: 1, is_deleted: 0 });
      tags.push({ tag_code: 'city_tier', person_id: user, value_str: TIERS[p % 3]!, version: 2, is_deleted: p % 11 === 0 ? 1 : 0 });
    }
    // two overlapping segments; one person left the first one
    if (p % 2 === 0) members.push({ segment_id: 'even', person_id: user, is_member: 1, version: 1, changed_at: start });
    if (p === 10) members.push({ segment_id: 'even', person_id: user, is_member: 0, version: 2, changed_at: start });
    if (p % 3 === 0) members.push({ segment_id: 'triple', person_id: user, is_member: 1, version: 1, changed_at: start });
  }
  return { events, personIds, tags, members };
}

// ---- the independent calculation -------------------------------------------------------------------

const dayOf = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
const shift = (d: string, k: number) => new Date(Date.parse(`${d}T00:00:00Z`) + k * DAY).toISOString().slice(0, 10);
const personOf = (e: Row) => e.user_id || (e.distinct_id.startsWith('a') ? `u${e.distinct_id.slice(1)}` : e.distinct_id); // every anon id maps to its user
const isBehaviour = (e: Row) => e.type === 'track' || e.type === 'page' || e.type === 'screen';

function expectedActive(fx: ReturnType<typeof fixture>, from: string, to: string) {
  const activeDays = new Map<string, Set<string>>(); // day → persons
  const first = new Map<string, string>(); // person → first day (any message)
  for (const e of fx.events) {
    const d = dayOf(e.timestamp);
    if (d >= to) continue;
    const p = personOf(e);
    if (!first.has(p) || first.get(p)! > d) first.set(p, d);
    if (isBehaviour(e)) activeDays.set(d, (activeDays.get(d) ?? new Set()).add(p));
  }
  const window = (d: string, n: number) => {
    const u = new Set<string>();
    for (let k = 0; k < n; k++) for (const p of activeDays.get(shift(d, -k)) ?? []) u.add(p);
    return u.size;
  };
  const days = [];
  for (let d = from; d < to; d = shift(d, 1)) {
    const act = [...(activeDays.get(d) ?? [])];
    const mau = window(d, 30);
    days.push({
      date: d, dau: act.length, wau: window(d, 7), mau, stickiness: mau ? act.length / mau : 0,
      newUsers: act.filter((p) => first.get(p) === d).length, returningUsers: act.filter((p) => first.get(p)! < d).length,
    });
  }
  return days;
}

function expectedBreakdown(fx: ReturnType<typeof fixture>, from: string, to: string, metric: BreakdownMetric, groupsOf: (person: string) => string[]) {
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY);
  const prevFrom = shift(from, -days);
  const period = (d: string) => (d >= from && d < to ? 'cur' : d >= prevFrom && d < from ? 'prev' : null);
  interface P { first: string; active: Record<'cur' | 'prev', boolean>; orders: Record<'cur' | 'prev', number>; gmv: Record<'cur' | 'prev', number> }
  const people = new Map<string, P>();
  for (const e of [...fx.events].sort((a, b) => a.timestamp - b.timestamp)) {
    const d = dayOf(e.timestamp);
    if (d >= to) continue;
    const id = personOf(e);
    const p = people.get(id) ?? { first: d, active: { cur: false, prev: false }, orders: { cur: 0, prev: 0 }, gmv: { cur: 0, prev: 0 } };
    people.set(id, p);
    const w = period(d);
    if (!w) continue;
    if (isBehaviour(e)) p.active[w] = true;
    if (e.event === 'Order Completed') {
      p.orders[w]++;
      p.gmv[w] += e.revenue!;
    }
  }
  const valueOf = (ps: P[], w: 'cur' | 'prev') => {
    const start = w === 'cur' ? from : prevFrom;
    const end = w === 'cur' ? to : from;
    const active = ps.filter((p) => p.active[w]).length;
    const buyers = ps.filter((p) => p.orders[w] > 0).length;
    const orders = ps.reduce((a, p) => a + p.orders[w], 0);
    const gmv = Math.round(ps.reduce((a, p) => a + p.gmv[w], 0) * 100) / 100;
    const v = {
      gmv, orders, buyers, activeUsers: active,
      newUsers: ps.filter((p) => p.first >= start && p.first < end).length,
      aov: orders ? Math.round((gmv / orders) * 100) / 100 : 0,
      conversion: active ? buyers / active : 0,
    };
    return v[metric];
  };
  const val = (ps: P[]) => {
    const current = valueOf(ps, 'cur');
    const previous = valueOf(ps, 'prev');
    return { current, previous, change: previous ? (current - previous) / previous : null, people: ps.filter((p) => p.active.cur).length, previousPeople: ps.filter((p) => p.active.prev).length };
  };
  const groups = new Map<string, P[]>();
  for (const [id, p] of people) for (const g of groupsOf(id)) groups.set(g, [...(groups.get(g) ?? []), p]);
  const { people: _p, previousPeople: _pp, ...total } = val([...people.values()]);
  const additive = metric !== 'aov' && metric !== 'conversion';
  return {
    total,
    groups: [...groups.entries()]
      .map(([group, ps]) => ({ group, ...val(ps) }))
      .map((g) => ({ ...g, share: additive ? (total.current ? g.current / total.current : 0) : null }))
      .filter((g) => g.current !== 0 || g.previous !== 0)
      .sort((a, b) => b.current - a.current || b.previous - a.previous || (a.group < b.group ? -1 : 1)),
  };
}


// ---- the tests ---------------------------------------------------------------------------------------

describe('active users and metric breakdowns', () => {
  const fx = fixture();
  let store: OlapStore;
  before(async () => {
    store = sc.rt.olap;
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
    await store.insert('tag_values', fx.tags.map((t) => ({ ...t, value_num: null, value_list: [], value_weights: [], build_id: 'b' })));
    await store.insert('segment_members', fx.members);
  });

  for (const [from, to] of [['2024-05-20', '2024-06-10'], ['2024-04-01', '2024-04-15']] as const) {
    it(`DAU, WAU, MAU, stickiness and new vs returning match for ${from} … ${to}`, async () => {
      const got = await activeUsers(store, { from, to, tz: 'Asia/Shanghai' });
      const want = expectedActive(fx, from, to);
      assert.ok(want.some((d) => d.newUsers > 0) && want.some((d) => d.dau === 0 || d.wau > d.dau), 'the fixture has new users and quiet days');
      assert.deepEqual(got.days, want);
      const days = want.length;
      assert.deepEqual(got.summary, {
        avgDau: Math.round((want.reduce((a, d) => a + d.dau, 0) / days) * 100) / 100,
        wau: want[days - 1]!.wau,
        mau: want[days - 1]!.mau,
        stickiness: want.reduce((a, d) => a + d.stickiness, 0) / days,
        newUsers: want.reduce((a, d) => a + d.newUsers, 0),
        returningUsers: want.reduce((a, d) => a + d.returningUsers, 0),
      });
      for (const d of got.days) assert.equal(d.newUsers + d.returningUsers, d.dau);
    });
  }

  it('a range without events is zeros', async () => {
    const got = await activeUsers(store, { from: '2020-01-01', to: '2020-01-04', tz: 'UTC' });
    assert.deepEqual(got.days.map((d) => [d.date, d.dau, d.wau, d.mau, d.stickiness, d.newUsers, d.returningUsers]), [
      ['2020-01-01', 0, 0, 0, 0, 0, 0], ['2020-01-02', 0, 0, 0, 0, 0, 0], ['2020-01-03', 0, 0, 0, 0, 0, 0],
    ]);
    assert.deepEqual(got.summary, { avgDau: 0, wau: 0, mau: 0, stickiness: 0, newUsers: 0, returningUsers: 0 });
    const b = await metricBreakdown(store, { from: '2020-01-01', to: '2020-01-04', tz: 'UTC', metric: 'conversion', breakdown: { by: 'tag', tag: 'city_tier' } });
    assert.deepEqual([b.total, b.groups], [{ current: 0, previous: 0, change: null }, []]);
  });

  const tierOf = new Map<string, string>();
  for (const t of [...fx.tags].sort((a, b) => a.version - b.version)) tierOf.set(t.person_id, t.is_deleted ? '' : t.value_str);
  const memberOf = new Map<string, Set<string>>();
  for (const m of [...fx.members].sort((a, b) => a.version - b.version)) {
    const set = memberOf.get(m.person_id) ?? new Set<string>();
    if (m.is_member) set.add(m.segment_id);
    else set.delete(m.segment_id);
    memberOf.set(m.person_id, set);
  }

  for (const metric of BREAKDOWN_METRICS) {
    it(`${metric} by a tag matches, both periods`, async () => {
      const got = await metricBreakdown(store, { from: '2024-05-15', to: '2024-06-05', tz: 'Asia/Shanghai', metric, breakdown: { by: 'tag', tag: 'city_tier' } });
      const want = expectedBreakdown(fx, '2024-05-15', '2024-06-05', metric, (p) => [tierOf.get(p) || '(none)']);
      assert.ok(want.groups.length === 4, 'three tiers and (none)');
      assert.deepEqual(got.total, want.total);
      assert.deepEqual(got.groups, want.groups);
      assert.deepEqual(got.previousRange, { from: '2024-04-24', to: '2024-05-15' });
    });
  }

  it('by segments: a person counts in each of their segments, the total once', async () => {
    const got = await metricBreakdown(store, { from: '2024-05-15', to: '2024-06-05', tz: 'Asia/Shanghai', metric: 'activeUsers', breakdown: { by: 'segment', segments: ['even', 'triple'] } });
    const want = expectedBreakdown(fx, '2024-05-15', '2024-06-05', 'activeUsers', (p) => {
      const s = [...(memberOf.get(p) ?? [])];
      return s.length ? s : ['(none)'];
    });
    assert.deepEqual(got.total, want.total);
    assert.deepEqual(got.groups, want.groups);
    const sum = got.groups.reduce((a, g) => a + g.current, 0);
    assert.ok(sum > got.total.current, 'overlapping segments add up to more than the total');
  });

  describe('GET /api/v1/analytics/active-users and /breakdown', () => {
    const get = httpClient(() => sc);
    it('answer what the modules answer', async () => {
      const a = await get('/api/v1/analytics/active-users?from=2024-05-20&to=2024-06-10');
      assert.equal(a.status, 200);
      assert.deepEqual(await a.json(), JSON.parse(JSON.stringify(await activeUsers(store, { from: '2024-05-20', to: '2024-06-10', tz: 'Asia/Shanghai' }))));
      const b = await get('/api/v1/analytics/breakdown?metric=buyers&by=city_tier&from=2024-05-15&to=2024-06-05');
      assert.equal(b.status, 200);
      const want = await metricBreakdown(store, { from: '2024-05-15', to: '2024-06-05', tz: 'Asia/Shanghai', metric: 'buyers', breakdown: { by: 'tag', tag: 'city_tier' } });
      assert.deepEqual(await b.json(), JSON.parse(JSON.stringify({ ...want, suppressedGroups: 0 })));
    });
    it('answer 400 naming the field, and 401 without a token', async () => {
      await rejects(await get('/api/v1/analytics/active-users?to=2024-13-01'), 'query.to');
      await rejects(await get('/api/v1/analytics/active-users?days=0'), 'query.days');
      await rejects(await get('/api/v1/analytics/breakdown?metric=gmv'), 'query.by');
      await rejects(await get('/api/v1/analytics/breakdown?metric=profit&by=device'), 'query.metric');
      await rejects(await get('/api/v1/analytics/breakdown?by=tag:no_such_tag'), 'query.by');
      await rejects(await get('/api/v1/analytics/breakdown?by=segment:nope'), 'query.by');
      assert.equal((await get('/api/v1/analytics/active-users', false)).status, 401);
      assert.equal((await get('/api/v1/analytics/breakdown?by=device', false)).status, 401);
    });
  });
});
