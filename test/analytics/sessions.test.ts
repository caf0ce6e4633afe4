import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OlapStore } from '../../src/store/olap/index.ts';
import { sessions, type SessionGroup, type Sessions } from '../../src/analytics/index.ts';
import { browsingFixture, cmp, dayOf, FROM, isView, sessionsOf, TO, type Row } from './browsingFixture.ts';

/**
 * The sessions & browsing report against the real engine (chdb) on the seeded browsing fixture
 * (browsingFixture.ts): totals, the daily trend, page types, categories at two levels and the depth
 * histogram, each checked against an independent calculation in plain TypeScript over the same rows.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-sessions-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

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
    store = await OlapStore.open({ path: dir, database: 'sessions_fixture' });
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
  });
  after(() => store?.close());

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

  it('a session id holds a long pause together; without one, 31 minutes start a new session', async () => {
    const s2 = await OlapStore.open({ path: dir, database: 'sessions_gap' });
    try {
      const t = Date.UTC(2024, 5, 5, 2);
      const base = { distinct_id: 'x', anonymous_id: 'x', user_id: '', original_timestamp: t, received_at: t };
      await s2.insert('events', [
        { ...base, message_id: '1', type: 'page', event: 'Home', page_path: '/', timestamp: t },
        { ...base, message_id: '2', type: 'track', event: 'Product Viewed', category: '美妆/护肤', timestamp: t + 60_000 },
        { ...base, message_id: '3', type: 'track', event: 'Product Viewed', category: '美妆/护肤', timestamp: t + 60_000 + 31 * 60_000 },
        { ...base, message_id: '4', type: 'page', event: 'Home', page_path: '/', session_id: 'S', timestamp: t + 2 * 3_600_000 },
        { ...base, message_id: '5', type: 'screen', event: 'Cart', session_id: 'S', timestamp: t + 4 * 3_600_000 },
      ]);
      const got = await sessions(s2, { from: '2024-06-05', to: '2024-06-06', tz: 'Asia/Shanghai', categoryLevel: 1, limit: 10 });
      // sessions: [Home, Product] (dwell 60 s), [Product] (a bounce), [Home, Cart] held by its id (dwell 2 h)
      assert.deepEqual(got.totals, { sessions: 3, persons: 1, views: 5, depth: 1.67, bounces: 1, bounceRate: 1 / 3, avgDwell: (60 + 7200) / 2, avgDuration: (60 + 0 + 7200) / 3 });
      assert.deepEqual(got.depthHistogram.slice(0, 2), [{ depth: '1', sessions: 1 }, { depth: '2', sessions: 2 }]);
    } finally {
      await s2.close();
    }
  });
});
