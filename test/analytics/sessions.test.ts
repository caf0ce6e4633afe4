import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OlapStore } from '../../src/store/olap/index.ts';
import { httpClient, rejects } from '../support/inProcessApi.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { sessions, type SessionGroup, type Sessions } from '../../src/analytics/index.ts';
import { browsingFixture, cmp, dayOf, FROM, isView, sessionsOf, TO, type Row } from './browsingFixture.ts';

/**
 * The sessions & browsing report against the real engine (chdb) on the seeded browsing fixture
 * (browsingFixture.ts): totals, the daily trend, page types, categories at two levels and the depth
 * histogram, each checked against an independent calculation in plain TypeScript over the same rows.
 */

// one runtime per file (chdb binds one data directory per process): the queries run on its store, the routes on its server
let sc: Scenario;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-sessions-' });
});
after(() => sc?.close());

const round = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const pageType = (e: Row) => (e.type === 'track' ? (e.event === 'Product Viewed' ? 'product' : 'product_list') : e.event || e.page_path || '(none)');
const categoryAt = (level: number) => (e: Row) => (e.category ? e.category.split('/').slice(0, level).join('/') : '(none)');
const bucket = (n: number) => (n <= 5 ? String(n) : n <= 10 ? '6-10' : n <= 20 ? '11-20' : '21+');

function expected(fx: ReturnType<typeof browsingFixture>, from: string, to: string, level: number): Omit<Sessions, 'range'> {
  interface V { session: number; person: string; day: string; key: { page: string; cat: string }; i: number; n: number; dwell: number | null; duration: number }
  const views: V[] = [];
  const all = sessionsOf(fx, from, to);
  let k = 0;
  for (const s of all) {
    const vs = s.events.filter(isView);
    if (!vs.length) continue;
    k++;
    const duration = (s.events[s.events.length - 1]!.timestamp - s.events[0]!.timestamp) / 1000;
    vs.forEach((e, i) => views.push({
      session: k, person: s.person, day: dayOf(s.events[0]!.timestamp), key: { page: pageType(e), cat: categoryAt(level)(e) },
      i, n: vs.length, dwell: i < vs.length - 1 ? (vs[i + 1]!.timestamp - e.timestamp) / 1000 : null, duration,
    }));
  }
  const firsts = views.filter((v) => v.i === 0);
  const sessionCount = firsts.length;
  const dwells = (xs: V[]) => xs.map((v) => v.dwell).filter((d): d is number => d !== null);
  const m = (xs: V[]) => {
    const d = mean(dwells(xs));
    return d === null ? null : round(d);
  };
  const totals = {
    sessions: sessionCount,
    persons: new Set(views.map((v) => v.person)).size,
    views: views.length,
    depth: round(views.length / sessionCount),
    bounces: firsts.filter((v) => v.n === 1).length,
    bounceRate: firsts.filter((v) => v.n === 1).length / sessionCount,
    avgDwell: m(views),
    avgDuration: round(firsts.reduce((a, v) => a + v.duration, 0) / sessionCount),
  };
  const trend = [];
  for (let d = from; d < to; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
    const vs = views.filter((v) => v.day === d);
    const f = vs.filter((v) => v.i === 0);
    trend.push({
      date: d, sessions: f.length, views: vs.length, depth: f.length ? round(vs.length / f.length) : 0,
      bounceRate: f.length ? f.filter((v) => v.n === 1).length / f.length : 0, avgDwell: m(vs),
      avgDuration: f.length ? round(f.reduce((a, v) => a + v.duration, 0) / f.length) : 0,
    });
  }
  const group = (key: 'page' | 'cat'): SessionGroup[] => {
    const names = [...new Set(views.map((v) => v.key[key]))];
    return names
      .map((name) => {
        const vs = views.filter((v) => v.key[key] === name);
        const entries = vs.filter((v) => v.i === 0).length;
        const exits = vs.filter((v) => v.i === v.n - 1).length;
        const bounces = vs.filter((v) => v.n === 1).length;
        return {
          name, views: vs.length, sessions: new Set(vs.map((v) => v.session)).size, entries, exits, bounces,
          bounceRate: entries ? bounces / entries : 0, exitRate: exits / vs.length, avgDwell: m(vs),
        };
      })
      .sort((a, b) => b.views - a.views || cmp(a.name, b.name));
  };
  const hist = new Map<string, number>();
  for (const f of firsts) hist.set(bucket(f.n), (hist.get(bucket(f.n)) ?? 0) + 1);
  return {
    totals, trend, pageTypes: group('page'), categories: group('cat'),
    depthHistogram: ['1', '2', '3', '4', '5', '6-10', '11-20', '21+'].map((depth) => ({ depth, sessions: hist.get(depth) ?? 0 })),
  };
}

/** deepEqual, but averages of seconds may differ in the last cent from float summation order */
function close(got: unknown, want: unknown, where: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    assert.ok(Math.abs(got - want) <= 0.011 + 1e-9, `${where}: ${got} ≠ ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), where);
    assert.equal((got as unknown[]).length, want.length, `${where}: length`);
    want.forEach((w, i) => close((got as unknown[])[i], w, `${where}[${i}]`));
  } else if (want && typeof want === 'object') {
    assert.deepEqual(Object.keys(got as object).sort(), Object.keys(want).sort(), `${where}: keys`);
    for (const [k, w] of Object.entries(want)) close((got as Record<string, unknown>)[k], w, `${where}.${k}`);
  } else {
    assert.equal(got, want, where);
  }
}


describe('sessions', () => {
  const fx = browsingFixture(23);
  let store: OlapStore;
  before(async () => {
    store = sc.rt.olap;
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
  });

  for (const level of [1, 2]) {
    it(`matches an independent calculation (categories at level ${level})`, async () => {
      const got = await sessions(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', categoryLevel: level, limit: 50 });
      const want = expected(fx, FROM, TO, level);
      assert.ok(want.totals.sessions >= 60 && want.totals.bounces >= 3 && want.pageTypes.length >= 6, `the fixture exercises the report: ${JSON.stringify(want.totals)}`);
      assert.deepEqual(got.range, { from: FROM, to: TO, tz: 'Asia/Shanghai' });
      close(got.totals, want.totals, 'totals');
      close(got.trend, want.trend, 'trend');
      close(got.pageTypes, want.pageTypes, 'page types');
      close(got.categories, want.categories, 'categories');
      assert.deepEqual(got.depthHistogram, want.depthHistogram);
    });
  }

  it('a range without events is zeros', async () => {
    const got = await sessions(store, { from: '2020-01-01', to: '2020-01-03', tz: 'UTC', categoryLevel: 1, limit: 10 });
    assert.deepEqual(got.totals, { sessions: 0, persons: 0, views: 0, depth: 0, bounces: 0, bounceRate: 0, avgDwell: null, avgDuration: 0 });
    assert.deepEqual(got.trend.map((d) => [d.date, d.sessions, d.avgDwell]), [['2020-01-01', 0, null], ['2020-01-02', 0, null]]);
    assert.deepEqual([got.pageTypes, got.categories], [[], []]);
    assert.ok(got.depthHistogram.every((b) => b.sessions === 0));
  });

  it('a session id holds a long pause together; without one, 31 minutes start a new session', async () => {
    const t = Date.UTC(2025, 0, 5, 2);
    const base = { distinct_id: 'gap-x', anonymous_id: 'gap-x', user_id: '', original_timestamp: t, received_at: t };
    await store.insert('events', [
      { ...base, message_id: '1', type: 'page', event: 'Home', page_path: '/', timestamp: t },
      { ...base, message_id: '2', type: 'track', event: 'Product Viewed', category: '美妆/护肤', timestamp: t + 60_000 },
      { ...base, message_id: '3', type: 'track', event: 'Product Viewed', category: '美妆/护肤', timestamp: t + 60_000 + 31 * 60_000 },
      { ...base, message_id: '4', type: 'page', event: 'Home', page_path: '/', session_id: 'S', timestamp: t + 2 * 3_600_000 },
      { ...base, message_id: '5', type: 'screen', event: 'Cart', session_id: 'S', timestamp: t + 4 * 3_600_000 },
    ]);
    const got = await sessions(store, { from: '2025-01-05', to: '2025-01-06', tz: 'Asia/Shanghai', categoryLevel: 1, limit: 10 });
    // sessions: [Home, Product] (dwell 60 s), [Product] (a bounce), [Home, Cart] held by its id (dwell 2 h)
    assert.deepEqual(got.totals, { sessions: 3, persons: 1, views: 5, depth: 1.67, bounces: 1, bounceRate: 1 / 3, avgDwell: (60 + 7200) / 2, avgDuration: (60 + 0 + 7200) / 3 });
    assert.deepEqual(got.depthHistogram.slice(0, 2), [{ depth: '1', sessions: 1 }, { depth: '2', sessions: 2 }]);
  });

  describe('GET /api/v1/analytics/sessions', () => {
    const get = httpClient(() => sc);
    it('answers what the module answers', async () => {
      const res = await get(`/api/v1/analytics/sessions?from=${FROM}&to=${TO}&tz=Asia/Shanghai&categoryLevel=2&limit=50`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), JSON.parse(JSON.stringify(await sessions(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', categoryLevel: 2, limit: 50 }))));
    });
    it('answers 400 naming the field, and 401 without a token', async () => {
      for (const [q, field] of [['categoryLevel=4', 'query.categoryLevel'], ['limit=0', 'query.limit'], ['from=2024-02-30', 'query.from'], ['tz=Mars/Base', 'query.tz'], ['from=2024-06-10&to=2024-06-01', 'query.to']] as const) {
        await rejects(await get(`/api/v1/analytics/sessions?${q}`), field);
      }
      assert.equal((await get('/api/v1/analytics/sessions', false)).status, 401);
    });
  });
});
