import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { searchReport, searchZeroResults, type SearchReport } from '../../src/analytics/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { tokenize } from '../../src/text/tokenize.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';
import { DAY, HOUR, MINUTE, msg, openScenario, prng, send, type Msg, type Scenario } from '../support/scenario.ts';

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null };

/**
 * The search report on a fixture sent through the real ingestion pipeline into chdb — hand-made timelines
 * at every window edge (click window, next search, attribution window, the range's end, a second device)
 * plus a seeded crowd — every figure checked against an independent calculation in plain TypeScript over
 * the same messages (docs/analytics-search.md); then the routes over HTTP with their 400s, and the
 * dashboard page in Chromium showing what the API answers. Leaves docs/screenshots/analytics-search.png
 * (when a CJK font is installed).
 */

const FROM = '2024-06-01';
const TO = '2024-06-15';
const TZ = 'Asia/Shanghai' as const;
const fromMs = Date.parse('2024-06-01T00:00:00+08:00');
const toMs = Date.parse('2024-06-15T00:00:00+08:00');
const t0 = fromMs + 3 * DAY + 10 * HOUR;

const S = 'Products Searched';
const V = 'Product Viewed';
const K = 'Product Clicked';
const O = 'Order Completed';

// ---- the fixture -----------------------------------------------------------------------------------

function fixture(): Msg[] {
  const m: Msg[] = [];
  const search = (u: string, t: number, query: string | undefined, extra: Msg = {}) => m.push(msg.track(u, S, t, { ...(query === undefined ? {} : { query }), ...extra }));
  const view = (u: string, t: number, product_id: string, event = V) => m.push(msg.track(u, event, t, { product_id, price: 10 }));
  const order = (u: string, t: number, ids: string[]) => m.push(msg.track(u, O, t, { order_id: `o-${u}-${t}`, revenue: 10 * ids.length, products: ids.map((product_id) => ({ product_id, price: 10, quantity: 1 })) }));

  // clicked and purchased
  search('click', t0, '连衣裙'); view('click', t0 + 5 * MINUTE, 'p1'); order('click', t0 + 2 * HOUR, ['p7', 'p1']);
  // the click window's edge: exactly 30 minutes counts, 1 ms later does not
  search('edge_in', t0, '连衣裙'); view('edge_in', t0 + 30 * MINUTE, 'p2');
  search('edge_out', t0, '连衣裙'); view('edge_out', t0 + 30 * MINUTE + 1, 'p2');
  // a view after the next search belongs to that search; a view at the search's own instant to none
  search('next', t0, '运动鞋'); search('next', t0 + 2 * MINUTE, 'Nike 跑鞋'); view('next', t0 + 3 * MINUTE, 'p3');
  view('same_ms', t0, 'p3'); search('same_ms', t0, '运动鞋');
  // a blank query ends the previous search's window and is counted apart
  search('blank', t0, '连衣裙'); search('blank', t0 + MINUTE, '   '); view('blank', t0 + 2 * MINUTE, 'p1'); search('blank', t0 + HOUR, undefined);
  // whitespace and case fold into one keyword
  search('fold', t0 + DAY, '  NIKE   跑鞋 '); m.push(msg.track('fold', K, t0 + DAY + MINUTE, { product_id: 'p3' })); // a click counts as a view
  // an order within the window but of another product: ordered, not purchased
  search('other', t0, '手机'); view('other', t0 + MINUTE, 'p4'); order('other', t0 + 3 * HOUR, ['p9']);
  // the attribution window's edge: exactly 24 h counts, 1 ms later not at all; an order with product_id only
  search('w_in', t0, '手机'); view('w_in', t0 + MINUTE, 'p4'); m.push(msg.track('w_in', O, t0 + 24 * HOUR, { order_id: 'o-w-in', revenue: 10, product_id: 'p4' }));
  search('w_out', t0, '手机'); view('w_out', t0 + MINUTE, 'p4'); order('w_out', t0 + 24 * HOUR + 1, ['p4']);
  // the range's end: a search on the last day is followed past `to`
  search('late', toMs - 5 * MINUTE, '连衣裙'); view('late', toMs + 5 * MINUTE, 'p1'); order('late', toMs + 3 * HOUR, ['p1']);
  // outside the range: not counted
  search('early', fromMs - MINUTE, '连衣裙'); view('early', fromMs + MINUTE, 'p1');
  search('after', toMs + MINUTE, '连衣裙');
  // two devices, one person: searched anonymously, then signed in on that device; viewed and bought on another
  m.push(msg.anon('dev-x', S, t0 + 2 * DAY, { query: '口红' }));
  m.push(msg.identify('multi', t0 + 2 * DAY + MINUTE, { name: 'M' }, { anonymousId: 'dev-x' }));
  view('multi', t0 + 2 * DAY + 10 * MINUTE, 'p5'); order('multi', t0 + 2 * DAY + HOUR, ['p5']);
  // result counts: 0 under each name, a positive count, and none
  search('zero', t0 + 5 * DAY, '水晶鞋', { result_count: 0 });
  search('zero', t0 + 5 * DAY + HOUR, '水晶鞋', { num_results: 0 });
  search('zero', t0 + 5 * DAY + 2 * HOUR, '水晶鞋', { results_count: 3 });
  search('zero', t0 + 5 * DAY + 3 * HOUR, 'iphone 15 pro', { result_count: 0, num_results: 9 }); // the first name wins

  // a seeded crowd
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const QUERIES = ['连衣裙', '运动鞋', 'Nike 跑鞋', '手机', '蓝牙耳机', '口红', '纸尿裤', '水果', '男士 衬衫', 'running shoes', '红色连衣裙', '无线 蓝牙耳机'];
  for (let u = 1; u <= 40; u++) {
    const id = `c${String(u).padStart(2, '0')}`;
    let t = fromMs - 2 * DAY + Math.floor(rand() * 4 * DAY) + u * 7;
    while (t < toMs + 2 * DAY) {
      const counts = rand() < 0.3 ? { result_count: rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 50) } : {};
      search(id, t, pick(QUERIES), counts);
      let v = t;
      for (let k = Math.floor(rand() * 4); k > 0; k--) {
        v += Math.floor(rand() * 25 * MINUTE) + 1;
        view(id, v, `p${1 + Math.floor(rand() * 12)}`, rand() < 0.2 ? K : V);
      }
      if (rand() < 0.35) order(id, v + Math.floor(rand() * 30 * HOUR) + 1, Array.from({ length: 1 + Math.floor(rand() * 2) }, () => `p${1 + Math.floor(rand() * 12)}`));
      t = v + Math.floor(rand() * 2.5 * DAY) + 11;
    }
  }
  return m;
}

// ---- the independent calculation -------------------------------------------------------------------

const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const dayOf = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);
const ratio = (a: number, b: number) => (b ? a / b : 0);
const norm = (q: string) => q.replace(/[\t\n\v\f\r ]+/g, ' ').replace(/^ | $/g, '').toLowerCase();

interface Ev { person: string; event: string; t: number; query: string; products: string[]; props: Record<string, unknown> }

function events(messages: Msg[]): Ev[] {
  // an anonymous id seen together with a userId is that user
  const linked = new Map<string, string>();
  for (const x of messages) if (x.anonymousId && x.userId) linked.set(x.anonymousId as string, x.userId as string);
  return messages.filter((x) => x.type === 'track').map((x) => {
    const p = (x.properties ?? {}) as Record<string, unknown>;
    const lines = (p.products as { product_id: string }[] | undefined)?.map((l) => l.product_id) ?? [];
    return {
      person: (x.userId as string | undefined) ?? linked.get(x.anonymousId as string) ?? (x.anonymousId as string),
      event: x.event as string,
      t: Date.parse(x.timestamp as string),
      query: typeof p.query === 'string' ? p.query : '',
      products: lines.length ? lines : p.product_id ? [p.product_id as string] : [],
      props: p,
    };
  });
}

type Figures = Omit<SearchReport['keywords'][number], 'keyword'>;

function expected(messages: Msg[], clickMs: number, windowMs: number, limit: number, trendKeywords: number) {
  const evs = events(messages).sort((a, b) => a.t - b.t);
  const byPerson = new Map<string, Ev[]>();
  for (const e of evs) byPerson.set(e.person, [...(byPerson.get(e.person) ?? []), e]);
  interface Outcome { person: string; keyword: string; day: string; clicked: boolean; purchased: boolean; ordered: boolean }
  const outcomes: Outcome[] = [];
  for (const [person, list] of byPerson) {
    const searches = list.filter((e) => e.event === S);
    searches.forEach((s, i) => {
      const keyword = norm(s.query);
      if (s.t < fromMs || s.t >= toMs || keyword === '') return;
      const next = searches[i + 1]?.t ?? Infinity;
      const hits = list.filter((v) => (v.event === V || v.event === K) && v.t > s.t && v.t <= s.t + clickMs && v.t < next).flatMap((v) => v.products);
      const orders = list.filter((o) => o.event === O && o.t > s.t && o.t <= s.t + windowMs);
      outcomes.push({
        person, keyword, day: dayOf(s.t),
        clicked: hits.length > 0,
        purchased: orders.some((o) => o.products.some((p) => hits.includes(p))),
        ordered: orders.length > 0,
      });
    });
  }
  const figures = (xs: Outcome[]): Figures => {
    const clicked = xs.filter((x) => x.clicked).length;
    const purchased = xs.filter((x) => x.purchased).length;
    const ordered = xs.filter((x) => x.ordered).length;
    return {
      searches: xs.length, searchers: new Set(xs.map((x) => x.person)).size,
      clicked, ctr: ratio(clicked, xs.length), purchased, conversion: ratio(purchased, xs.length), ordered, orderRate: ratio(ordered, xs.length),
    };
  };
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(o.keyword, [...(groups.get(o.keyword) ?? []), o]);
  const ranked = [...groups.entries()].sort(([a, x], [b, y]) => y.length - x.length || bytewise(a, b));
  const dates: string[] = [];
  for (let t = fromMs; t < toMs; t += DAY) dates.push(dayOf(t));

  const terms = new Map<string, { searches: number; queries: number }>();
  for (const [keyword, xs] of ranked) {
    for (const term of new Set(tokenize(keyword))) {
      const c = terms.get(term) ?? { searches: 0, queries: 0 };
      terms.set(term, c);
      c.searches += xs.length;
      c.queries += 1;
    }
  }
  const inRange = evs.filter((e) => e.event === S && e.t >= fromMs && e.t < toMs);
  return {
    totals: { ...figures(outcomes), keywords: groups.size, blank: inRange.filter((e) => norm(e.query) === '').length },
    keywords: ranked.slice(0, limit).map(([keyword, xs]) => ({ keyword, ...figures(xs) })),
    daily: dates.map((date) => ({ date, ...figures(outcomes.filter((o) => o.day === date)) })),
    trends: ranked.slice(0, trendKeywords).map(([keyword, xs]) => ({ keyword, points: dates.map((date) => ({ date, searches: xs.filter((x) => x.day === date).length })) })),
    terms: [...terms.entries()].map(([term, c]) => ({ term, ...c })).sort((a, b) => b.searches - a.searches || b.queries - a.queries || bytewise(a.term, b.term)).slice(0, 40),
    outcomes,
  };
}

function expectedZero(messages: Msg[], limit: number) {
  const per = new Map<string, { searches: number; withResultCount: number; zeroResults: number }>();
  for (const e of events(messages)) {
    const keyword = norm(e.query);
    if (e.event !== S || e.t < fromMs || e.t >= toMs || keyword === '') continue;
    const c = per.get(keyword) ?? { searches: 0, withResultCount: 0, zeroResults: 0 };
    per.set(keyword, c);
    c.searches++;
    const count = ['result_count', 'results_count', 'num_results'].map((k) => e.props[k]).find((v) => typeof v === 'number');
    if (count !== undefined) {
      c.withResultCount++;
      if (count === 0) c.zeroResults++;
    }
  }
  const all = [...per.values()];
  const sum = (k: 'searches' | 'withResultCount' | 'zeroResults') => all.reduce((a, c) => a + c[k], 0);
  const rows = [...per.entries()].map(([keyword, c]) => ({ keyword, ...c }))
    .sort((a, b) => b.zeroResults - a.zeroResults || b.searches - a.searches || bytewise(a.keyword, b.keyword));
  return {
    searches: sum('searches'), withResultCount: sum('withResultCount'), zeroResults: sum('zeroResults'),
    zeroResultRate: sum('withResultCount') ? sum('zeroResults') / sum('withResultCount') : null,
    keywords: rows.slice(0, limit).filter((r) => r.zeroResults > 0),
  };
}

// ---- the tests ---------------------------------------------------------------------------------------

let sc: Scenario;
const messages = fixture();
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-search-' });
  await send(sc.rt, messages);
});
after(() => sc?.close());

describe('search report', () => {
  for (const c of [
    { clickMinutes: 30, windowHours: 24, limit: 20, trendKeywords: 5 },
    { clickMinutes: 10, windowHours: 6, limit: 5, trendKeywords: 3 },
    { clickMinutes: 120, windowHours: 72, limit: 50, trendKeywords: 0 },
  ]) {
    it(`matches an independent calculation (click ${c.clickMinutes} min, window ${c.windowHours} h, top ${c.limit})`, async () => {
      const got = await searchReport(sc.rt.olap, { from: FROM, to: TO, tz: TZ, ...c });
      const want = expected(messages, c.clickMinutes * MINUTE, c.windowHours * HOUR, c.limit, c.trendKeywords);
      assert.ok(want.totals.searches > 80 && want.totals.purchased > 5 && want.totals.clicked < want.totals.searches, `the fixture exercises the report: ${JSON.stringify(want.totals)}`);
      assert.deepEqual(got.totals, want.totals, 'totals');
      assert.deepEqual(got.keywords, want.keywords, 'keywords');
      assert.deepEqual(got.daily, want.daily, 'daily');
      assert.deepEqual(got.trends, want.trends, 'trends');
      assert.deepEqual(got.terms, want.terms, 'terms');
      assert.deepEqual(got.settings, { clickMinutes: c.clickMinutes, windowHours: c.windowHours });
      assert.deepEqual(got.range, { from: FROM, to: TO, tz: TZ, days: 14 });
    });
  }

  it('each hand-made timeline comes out as its definition says', () => {
    const o = expected(messages, 30 * MINUTE, 24 * HOUR, 20, 5).outcomes;
    const of = (person: string) => o.filter((x) => x.person === person).map(({ keyword, clicked, purchased, ordered }) => ({ keyword, clicked, purchased, ordered }));
    assert.deepEqual(of('click'), [{ keyword: '连衣裙', clicked: true, purchased: true, ordered: true }]);
    assert.deepEqual([of('edge_in')[0]!.clicked, of('edge_out')[0]!.clicked], [true, false]);
    assert.deepEqual(of('next').map((x) => [x.keyword, x.clicked]), [['运动鞋', false], ['nike 跑鞋', true]]);
    assert.deepEqual(of('blank'), [{ keyword: '连衣裙', clicked: false, purchased: false, ordered: false }]);
    assert.deepEqual(of('other')[0], { keyword: '手机', clicked: true, purchased: false, ordered: true });
    assert.deepEqual([of('w_in')[0]!.purchased, of('w_out')[0]!.ordered], [true, false]);
    assert.deepEqual(of('late'), [{ keyword: '连衣裙', clicked: true, purchased: true, ordered: true }]);
    assert.deepEqual(of('multi'), [{ keyword: '口红', clicked: true, purchased: true, ordered: true }]);
    assert.deepEqual([of('early'), of('after'), of('same_ms')[0]!.clicked], [[], [], false]);
  });

  it('an empty range is zeros', async () => {
    const got = await searchReport(sc.rt.olap, { from: '2023-01-01', to: '2023-01-08', tz: TZ });
    assert.deepEqual(got.totals, { searches: 0, searchers: 0, clicked: 0, ctr: 0, purchased: 0, conversion: 0, ordered: 0, orderRate: 0, keywords: 0, blank: 0 });
    assert.deepEqual([got.keywords, got.terms, got.trends], [[], [], []]);
    assert.equal(got.daily.length, 7);
  });
});

describe('zero-result searches', () => {
  for (const limit of [20, 2]) {
    it(`match an independent calculation (top ${limit})`, async () => {
      const got = await searchZeroResults(sc.rt.olap, { from: FROM, to: TO, tz: TZ, limit });
      const want = expectedZero(messages, limit);
      assert.ok(want.zeroResults >= 5 && want.withResultCount > want.zeroResults);
      assert.deepEqual({ ...got, range: undefined }, { ...want, range: undefined });
      assert.deepEqual(got.keywords.find((k) => k.keyword === '水晶鞋'), limit > 2 || got.keywords.some((k) => k.keyword === '水晶鞋') ? { keyword: '水晶鞋', searches: 3, withResultCount: 3, zeroResults: 2 } : undefined);
    });
  }
});

describe('search routes over HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  const token = 'tok-viewer-search';
  before(async () => {
    const built = await buildApp(sc.rt);
    app = built.app;
    await built.ctx.access.addToken('viewer', token, 'viewer');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app?.close());
  const get = (url: string) => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });

  it('GET /api/v1/analytics/search answers what the module does', async () => {
    const res = await get(`/api/v1/analytics/search?from=${FROM}&to=${TO}&tz=${TZ}&clickMinutes=10&windowHours=6&limit=5&trendKeywords=3`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as SearchReport;
    const want = expected(messages, 10 * MINUTE, 6 * HOUR, 5, 3);
    assert.deepEqual(body.totals, want.totals);
    assert.deepEqual(body.keywords, want.keywords);
  });

  it('GET /api/v1/analytics/search/zero-results', async () => {
    const res = await get(`/api/v1/analytics/search/zero-results?from=${FROM}&to=${TO}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { zeroResults: number; keywords: unknown[] };
    const want = expectedZero(messages, 20);
    assert.equal(body.zeroResults, want.zeroResults);
    assert.deepEqual(body.keywords, want.keywords);
  });

  it('answers 400 naming the field', async () => {
    for (const [q, field] of [
      ['clickMinutes=0', 'query.clickMinutes'], ['windowHours=721', 'query.windowHours'], ['limit=abc', 'query.limit'], ['trendKeywords=21', 'query.trendKeywords'],
      ['from=2024-13-01', 'query.from'], ['from=2024-06-10&to=2024-06-01', 'query.to'], ['tz=Mars/Base', 'query.tz'], ['from=2024-06-01&days=7', 'query.days'],
    ] as const) {
      const res = await get(`/api/v1/analytics/search?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { message: string } };
      assert.ok(body.error.message.startsWith(field), `${q}: ${body.error.message}`);
    }
    const zero = await get('/api/v1/analytics/search/zero-results?limit=0');
    assert.equal(zero.status, 400);
  });

  it('needs a token', async () => {
    assert.equal((await fetch(`${base}/api/v1/analytics/search`)).status, 401);
  });

  describe('the search page', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      ensureWebBuilt();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      page.setDefaultTimeout(45_000);
      await signIn(page, base, token);
    });
    after(async () => {
      await browser?.close();
    });

    it('shows the KPIs, keywords, terms, trends and the zero-result list the API answers, and follows the click window', { timeout: 120_000 }, async () => {
      const api = async (q: string) => (await (await get(`/api/v1/analytics/search?days=30&limit=20&trendKeywords=5&${q}`)).json()) as SearchReport;
      const want = await api('clickMinutes=30&windowHours=24');
      assert.ok(want.totals.searches > 80, `${want.totals.searches} searches in the default range`);
      await page.goto(`${base}/analytics/search`);
      await page.getByTestId('search-page').waitFor();
      await page.waitForFunction((n) => {
        const r = document.querySelector('[data-testid="search-result"]');
        return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-searches') === n;
      }, String(want.totals.searches));
      const rows = page.locator('[data-testid="search-keywords"] tbody tr');
      assert.equal(await rows.count(), want.keywords.length);
      assert.equal(await rows.first().getAttribute('data-keyword'), want.keywords[0]!.keyword);
      for (const chart of ['search-trend', 'search-terms', 'search-keyword-trends']) {
        const canvas = page.locator(`[data-chart="${chart}"] canvas`).first();
        await canvas.waitFor();
        const box = await canvas.boundingBox();
        assert.ok(box && box.width > 150 && box.height > 120, `${chart} canvas is ${JSON.stringify(box)}`);
      }
      // the zero-result card: the fixture's searches reported counts, some of them 0
      const zero = expectedZero(messages, 20);
      await page.waitForFunction((n) => (document.querySelector('[data-testid="search-zero"]')?.textContent ?? '').includes(n), zero.keywords[0]!.keyword);
      await page.waitForTimeout(800); // let the entry animation finish
      const shot = screenshotPath('analytics-search');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      noteScreenshot(shot);

      // a shorter click window: fewer click-throughs, as the API says
      const narrow = await api('clickMinutes=10&windowHours=24');
      await page.locator('select[name="clickMinutes"]').selectOption('10');
      await page.waitForFunction((v) => document.querySelector('[data-kpi="ctr"] .kpi-value')?.textContent === v, new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(narrow.totals.ctr));
    });
  });
});
