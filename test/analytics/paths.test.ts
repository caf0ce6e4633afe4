import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OlapStore } from '../../src/store/olap/index.ts';
import { httpClient, rejects } from '../support/inProcessApi.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { entryExitPages, paths, type PathsParams } from '../../src/analytics/index.ts';
import { browsingFixture, cmp, FROM, isView, nameOf, sessionsOf, TO, type Row } from './browsingFixture.ts';

/**
 * The paths and entry/exit reports against the real engine (chdb) on the seeded browsing fixture
 * (browsingFixture.ts), every figure checked against an independent calculation in plain TypeScript
 * over the same rows.
 */

// one runtime per file (chdb binds one data directory per process): the queries run on its store, the routes on its server
let sc: Scenario;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-paths-' });
});
after(() => sc?.close());

function expectedSequences(fx: ReturnType<typeof browsingFixture>, p: Pick<PathsParams, 'anchor' | 'anchorType' | 'direction' | 'depth' | 'include'>): Map<string, number> {
  const isAnchor = (e: Row) =>
    p.anchorType === 'event' ? e.type === 'track' && e.event === p.anchor : (e.type === 'page' || e.type === 'screen') && (e.event === p.anchor || e.page_path === p.anchor);
  const counts = new Map<string, number>();
  for (const s of sessionsOf(fx, FROM, TO)) {
    const evs = p.include === 'views' ? s.events.filter((e) => isView(e) || isAnchor(e)) : s.events;
    // collapse runs of the same name; a run is the anchor when its first event is
    const steps: { name: string; anchor: boolean }[] = [];
    for (const e of evs) if (!steps.length || steps[steps.length - 1]!.name !== nameOf(e)) steps.push({ name: nameOf(e), anchor: isAnchor(e) });
    const pos = steps.findIndex((x) => x.anchor);
    if (pos < 0) continue;
    const names = steps.map((x) => x.name);
    let seq: string[];
    if (p.direction === 'after') {
      seq = names.slice(pos + 1, pos + 1 + p.depth);
      if (names.length - 1 - pos < p.depth) seq.push('(end)');
    } else {
      seq = names.slice(Math.max(0, pos - p.depth), pos);
      if (pos < p.depth) seq.unshift('(start)');
    }
    const key = JSON.stringify(seq);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}


// ---- the tests ---------------------------------------------------------------------------------------

describe('paths', () => {
  const fx = browsingFixture();
  let store: OlapStore;
  before(async () => {
    store = sc.rt.olap;
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
  });

  const cases: Pick<PathsParams, 'anchor' | 'anchorType' | 'direction' | 'depth' | 'include'>[] = [
    { anchor: 'Product Viewed', anchorType: 'event', direction: 'after', depth: 3, include: 'all' },
    { anchor: 'Order Completed', anchorType: 'event', direction: 'before', depth: 6, include: 'all' },
    { anchor: 'Home', anchorType: 'page', direction: 'after', depth: 6, include: 'views' },
    { anchor: '/promo/618', anchorType: 'page', direction: 'before', depth: 2, include: 'all' },
    { anchor: 'Cart', anchorType: 'page', direction: 'after', depth: 1, include: 'all' },
  ];
  for (const c of cases) {
    it(`${c.direction} ${c.anchorType} '${c.anchor}', depth ${c.depth}, ${c.include}: sequences, top paths and Sankey match`, async () => {
      const got = await paths(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', ...c, top: 5, nodesPerStep: 30 });
      const want = expectedSequences(fx, c);
      const total = [...want.values()].reduce((a, b) => a + b, 0);
      assert.ok(total >= 20 && want.size >= 5, `the fixture exercises the case: ${total} sessions, ${want.size} sequences`);
      assert.equal(got.sessions, total, 'sessions with the anchor');
      assert.equal(got.distinctPaths, want.size, 'distinct sequences');
      assert.equal(got.truncated, false);

      // top paths: the most common sequences with their counts (ties may come in any order)
      const ranked = [...want.values()].sort((a, b) => b - a).slice(0, 5);
      assert.deepEqual(got.top.map((t) => t.sessions), ranked, 'top counts');
      for (const t of got.top) {
        const seq = c.direction === 'after' ? t.steps.slice(1) : t.steps.slice(0, -1);
        assert.equal(c.direction === 'after' ? t.steps[0] : t.steps[t.steps.length - 1], c.anchor);
        assert.equal(want.get(JSON.stringify(seq)), t.sessions, `count of ${t.steps.join(' → ')}`);
        assert.equal(t.share, t.sessions / total);
      }

      // Sankey: every transition between consecutive steps, counted by sessions, nodes named by step index
      const links = new Map<string, number>();
      const nodes = new Map<string, number>();
      for (const [key, count] of want) {
        const seq = JSON.parse(key) as string[];
        const chain = c.direction === 'after'
          ? [{ id: `0:${c.anchor}` }, ...seq.map((name, i) => ({ id: `${i + 1}:${name}` }))]
          : [...seq.map((name, i) => ({ id: `${i - seq.length}:${name}` })), { id: `0:${c.anchor}` }];
        for (const x of chain) nodes.set(x.id, (nodes.get(x.id) ?? 0) + count);
        for (let i = 1; i < chain.length; i++) {
          const k = `${chain[i - 1]!.id}→${chain[i]!.id}`;
          links.set(k, (links.get(k) ?? 0) + count);
        }
      }
      assert.deepEqual(
        new Map(got.links.map((l) => [`${l.source}→${l.target}`, l.sessions])),
        links,
        'links',
      );
      assert.deepEqual(new Map(got.nodes.map((x) => [x.id, x.sessions])), nodes, 'nodes');
      for (const x of got.nodes) assert.equal(x.id, `${x.step}:${x.name}`);
      // acyclic: every link goes one step forward in time
      for (const l of got.links) assert.equal(Number(l.target.split(':')[0]) - Number(l.source.split(':')[0]), 1);
    });
  }

  it('merges the rarer names of a step into (other) when asked for fewer nodes', async () => {
    const c = { anchor: 'Product Viewed', anchorType: 'event' as const, direction: 'after' as const, depth: 4, include: 'all' as const };
    const got = await paths(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', ...c, top: 3, nodesPerStep: 3 });
    const want = expectedSequences(fx, c);
    // per step, the three names reached by most sessions stay; the rest are one (other) node with their sessions
    const reach = new Map<number, Map<string, number>>();
    for (const [key, count] of want) {
      (JSON.parse(key) as string[]).forEach((name, i) => {
        const m = reach.get(i + 1) ?? new Map<string, number>();
        m.set(name, (m.get(name) ?? 0) + count);
        reach.set(i + 1, m);
      });
    }
    for (const [step, m] of reach) {
      const sorted = [...m.entries()].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
      const kept = sorted.slice(0, 3);
      const rest = sorted.slice(3).reduce((a, [, v]) => a + v, 0);
      const nodes = got.nodes.filter((x) => x.step === step);
      assert.deepEqual(nodes.filter((x) => x.name !== '(other)').map((x) => [x.name, x.sessions]).sort(), kept.map(([k, v]) => [k, v]).sort(), `step ${step}`);
      assert.equal(nodes.find((x) => x.name === '(other)')?.sessions ?? 0, rest, `step ${step} (other)`);
    }
  });

  it('an anchor that never occurs gives an empty answer', async () => {
    const got = await paths(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', anchor: 'Nope', anchorType: 'event', direction: 'after', depth: 3, top: 5, nodesPerStep: 8, include: 'all' });
    assert.deepEqual([got.sessions, got.nodes, got.links, got.top], [0, [], [], []]);
  });

  it('entry and exit pages match an independent count', async () => {
    const got = await entryExitPages(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', limit: 50 });
    const pages = new Map<string, { views: number; entries: number; exits: number; bounces: number }>();
    let sessions = 0;
    for (const s of sessionsOf(fx, FROM, TO)) {
      const views = s.events.filter(isView).map(nameOf);
      if (!views.length) continue;
      sessions++;
      views.forEach((name, i) => {
        const x = pages.get(name) ?? { views: 0, entries: 0, exits: 0, bounces: 0 };
        pages.set(name, x);
        x.views++;
        if (i === 0) x.entries++;
        if (i === views.length - 1) x.exits++;
        if (views.length === 1) x.bounces++;
      });
    }
    assert.ok(sessions >= 50 && pages.size >= 5, 'the fixture has sessions with views');
    assert.equal(got.sessions, sessions);
    const want = (k: 'entries' | 'exits') =>
      [...pages.entries()]
        .filter(([, x]) => x[k] > 0)
        .sort((a, b) => b[1][k] - a[1][k] || b[1].views - a[1].views || cmp(a[0], b[0]))
        .map(([page, x]) => ({ page, ...x, entryShare: x.entries / sessions, exitRate: x.exits / x.views, bounceRate: x.entries ? x.bounces / x.entries : 0 }));
    assert.deepEqual(got.entries, want('entries'));
    assert.deepEqual(got.exits, want('exits'));
    assert.ok(got.entries.some((p) => p.page === '/promo/618'), 'a page without a name is named by its path');
  });

  describe('GET /api/v1/analytics/paths and /paths/entries', () => {
    const get = httpClient(() => sc);
    it('answer what the module answers', async () => {
      const res = await get(`/api/v1/analytics/paths?anchor=${encodeURIComponent('Order Completed')}&direction=before&depth=6&top=5&from=${FROM}&to=${TO}`);
      assert.equal(res.status, 200);
      const want = await paths(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', anchor: 'Order Completed', anchorType: 'event', direction: 'before', depth: 6, top: 5, nodesPerStep: 8, include: 'all' });
      assert.deepEqual(await res.json(), JSON.parse(JSON.stringify(want)));
      const entries = await get(`/api/v1/analytics/paths/entries?from=${FROM}&to=${TO}&limit=3`);
      assert.equal(entries.status, 200);
      assert.deepEqual(await entries.json(), JSON.parse(JSON.stringify(await entryExitPages(store, { from: FROM, to: TO, tz: 'Asia/Shanghai', limit: 3 }))));
    });
    it('answer 400 naming the field, and 401 without a token', async () => {
      for (const [q, field] of [
        ['depth=3', 'query.anchor'],
        ['anchor=Home&depth=7', 'query.depth'],
        ['anchor=Home&depth=0', 'query.depth'],
        ['anchor=Home&anchorType=screen', 'query.anchorType'],
        ['anchor=Home&direction=sideways', 'query.direction'],
        ['anchor=Home&include=some', 'query.include'],
        ['anchor=Home&top=0', 'query.top'],
        ['anchor=Home&from=2024-06-01&days=7', 'query.days'],
      ] as const) {
        await rejects(await get(`/api/v1/analytics/paths?${q}`), field);
      }
      await rejects(await get('/api/v1/analytics/paths/entries?limit=1000'), 'query.limit');
      assert.equal((await get('/api/v1/analytics/paths?anchor=Home', false)).status, 401);
    });
  });
});
