import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { cartReport, recoverablePeople, TIME_EDGES_MINUTES, type CartReport } from '../../src/analytics/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';
import { DAY, HOUR, MINUTE, msg, openScenario, prng, send, type Msg, type Scenario } from '../support/scenario.ts';

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null };

/**
 * The carts report on a fixture sent through the real ingestion pipeline into chdb — hand-made carts at
 * every edge (the purchase window, a gap that splits a cart, removals, carts still open at the latest
 * event, a second device, consent) plus a seeded crowd — every figure checked against an independent
 * calculation in plain TypeScript over the same messages (docs/analytics-carts.md); then the routes over
 * HTTP, with the recoverable people saved as a static segment; last, the dashboard page in Chromium shows
 * what the API answers and saves the segment from its button. Leaves docs/screenshots/analytics-carts.png
 * (when a CJK font is installed).
 */

const FROM = '2024-06-01';
const TO = '2024-06-15';
const TZ = 'Asia/Shanghai' as const;
const fromMs = Date.parse('2024-06-01T00:00:00+08:00');
const toMs = Date.parse('2024-06-15T00:00:00+08:00');
const t0 = fromMs + 3 * DAY + 10 * HOUR;
/** the newest event of the fixture: the "now" that decides open carts and the recoverable window */
const END = toMs + 3 * DAY;

const A = 'Product Added';
const R = 'Product Removed';
const V = 'Product Viewed';
const O = 'Order Completed';

// ---- the fixture -----------------------------------------------------------------------------------

function fixture(): Msg[] {
  const m: Msg[] = [];
  const add = (u: string, t: number, product_id: string, price?: number, quantity?: number) =>
    m.push(msg.track(u, A, t, { cart_id: `c-${u}`, product_id, ...(price === undefined ? {} : { price }), ...(quantity === undefined ? {} : { quantity }) }));
  const remove = (u: string, t: number, product_id: string, price: number, quantity: number) => m.push(msg.track(u, R, t, { product_id, price, quantity }));
  const order = (u: string, t: number) => m.push(msg.track(u, O, t, { order_id: `o-${u}-${t}`, revenue: 1, products: [{ product_id: 'px', price: 1, quantity: 1 }] }));
  const view = (u: string, t: number) => m.push(msg.track(u, V, t, { product_id: 'p1', price: 100 }));
  const consent = (u: string, t: number, marketing: boolean | undefined) =>
    m.push(msg.identify(u, t, marketing === undefined ? { name: u } : { name: u, consent: { analytics: true, marketing } }));

  // bought an hour after the first add: value 100 + 2 × 50
  view('buy', t0 - MINUTE); add('buy', t0, 'p1', 100, 1); add('buy', t0 + 10 * MINUTE, 'p2', 50, 2); order('buy', t0 + HOUR);
  view('abandon', t0 - MINUTE); add('abandon', t0, 'p3', 300, 1);
  // the window's edge, counted from the last add/remove: exactly 24 h is a purchase, 1 ms later an abandonment
  add('w_in', t0, 'p1', 100, 1); order('w_in', t0 + 24 * HOUR);
  add('w_out', t0, 'p1', 100, 1); order('w_out', t0 + 24 * HOUR + 1);
  // adds 20 h apart are one cart; 25 h apart, two
  add('chain', t0, 'p1', 100, 1); add('chain', t0 + 20 * HOUR, 'p2', 50, 1); order('chain', t0 + 40 * HOUR);
  add('split', t0, 'p1', 100, 1); add('split', t0 + 25 * HOUR, 'p2', 50, 1); order('split', t0 + 26 * HOUR);
  // every line removed again: emptied; part removed: the net stays
  add('emptied', t0, 'p4', 20, 2); remove('emptied', t0 + 5 * MINUTE, 'p4', 20, 2);
  add('partial', t0, 'p5', 10, 3); remove('partial', t0 + 5 * MINUTE, 'p5', 10, 1); add('partial', t0 + 6 * MINUTE, 'p6');
  // a removal right after an order is no cart; an add after an order starts a new one
  add('after_order', t0, 'p1', 100, 1); order('after_order', t0 + HOUR); remove('after_order', t0 + 2 * HOUR, 'p9', 5, 1); add('after_order', t0 + 3 * HOUR, 'p7', 70, 1);
  // started before the range: not counted, nor is its continuation; started on the last day: counted
  add('early', fromMs - 2 * HOUR, 'p1', 100, 1); add('early', fromMs + HOUR, 'p2', 50, 1);
  add('late', toMs - HOUR, 'p8', 80, 1); order('late', toMs + 2 * HOUR);
  // a run that starts with a removal before the range: its first add in range does not make it a cart of the range
  remove('rm_first', fromMs - HOUR, 'p1', 100, 1); add('rm_first', fromMs + HOUR, 'p2', 50, 1);
  // anonymous device adds, signs in there; buys from another device
  m.push(msg.anon('dev-y', A, t0 + DAY, { product_id: 'p2', price: 50, quantity: 1 }));
  m.push(msg.identify('multi', t0 + DAY + MINUTE, { name: 'multi' }, { anonymousId: 'dev-y' }));
  order('multi', t0 + DAY + 2 * HOUR);

  // recoverable: abandoned carts near the end
  consent('r_yes', t0, true); add('r_yes', END - 3 * DAY, 'p1', 100, 1);
  consent('r_no', t0, true); consent('r_no', t0 + DAY, false); add('r_no', END - 3 * DAY, 'p1', 100, 1);
  consent('r_unsaid', t0, undefined); add('r_unsaid', END - 3 * DAY, 'p2', 50, 1);
  consent('r_bought', t0, true); add('r_bought', END - 4 * DAY, 'p2', 50, 1); order('r_bought', END - 2 * DAY);
  consent('r_old', t0, true); add('r_old', END - 8 * DAY, 'p3', 300, 1);
  consent('r_open', t0, true); add('r_open', END - 2 * HOUR, 'p3', 300, 1);
  consent('r_empty', t0, true); add('r_empty', END - 3 * DAY, 'p3', 300, 1); remove('r_empty', END - 3 * DAY + MINUTE, 'p3', 300, 1);

  // a seeded crowd
  const rand = prng(7);
  for (let u = 1; u <= 40; u++) {
    const id = `c${String(u).padStart(2, '0')}`;
    if (rand() < 0.7) consent(id, fromMs - 5 * DAY, rand() < 0.8);
    let t = fromMs - 2 * DAY + Math.floor(rand() * 3 * DAY) + u * 13;
    while (t < END - HOUR) {
      if (rand() < 0.6) view(id, t);
      const x = rand();
      if (x < 0.55) add(id, t, `p${1 + Math.floor(rand() * 15)}`, 10 * (1 + Math.floor(rand() * 30)), 1 + Math.floor(rand() * 3));
      else if (x < 0.65) remove(id, t, `p${1 + Math.floor(rand() * 15)}`, 10 * (1 + Math.floor(rand() * 30)), 1);
      else if (x < 0.8) order(id, t);
      t += Math.floor(rand() * (rand() < 0.5 ? 3 * HOUR : 40 * HOUR)) + 17;
    }
  }
  // browsers who never add
  for (let u = 1; u <= 6; u++) for (let k = 0; k < 3; k++) view(`b${u}`, fromMs + u * DAY + k * HOUR);
  // the newest event
  m.push(msg.track('clock', 'Home Viewed', END));
  return m;
}

// ---- the independent calculation -------------------------------------------------------------------

const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const dayOf = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);
const money = (x: number) => Math.round(x * 100) / 100;

interface Ev { person: string; event: string; t: number; product: string; price: number; quantity: number; marketing?: boolean }

function events(messages: Msg[]): Ev[] {
  const linked = new Map<string, string>();
  for (const x of messages) if (x.anonymousId && x.userId) linked.set(x.anonymousId as string, x.userId as string);
  return messages.map((x) => {
    const p = (x.properties ?? {}) as Record<string, unknown>;
    const c = (x.traits as { consent?: { marketing?: boolean } } | undefined)?.consent;
    return {
      person: (x.userId as string | undefined) ?? linked.get(x.anonymousId as string) ?? (x.anonymousId as string),
      event: x.type === 'track' ? (x.event as string) : (x.type as string),
      t: Date.parse(x.timestamp as string),
      product: (p.product_id as string | undefined) ?? '',
      price: (p.price as number | undefined) ?? 0,
      quantity: (p.quantity as number | undefined) ?? 1,
      marketing: c?.marketing,
    };
  }).sort((a, b) => a.t - b.t || (a.event === O ? 1 : 0) - (b.event === O ? 1 : 0));
}

interface Cart { person: string; start: number; first: number; last: number; order: number | null; status: string; value: number; lines: Map<string, { qty: number; value: number }> }

/** Every cart of every person, by the definition: runs of adds/removes split by orders and by gaps over the window, holding an add; placed by their first event. */
function carts(evs: Ev[], windowMs: number, latest: number): Cart[] {
  const out: Cart[] = [];
  const byPerson = new Map<string, Ev[]>();
  for (const e of evs) if (e.event === A || e.event === R || e.event === O) byPerson.set(e.person, [...(byPerson.get(e.person) ?? []), e]);
  for (const [person, list] of byPerson) {
    let run: Ev[] = [];
    const close = () => {
      if (run.some((e) => e.event === A)) {
        const last = run[run.length - 1]!.t;
        const lines = new Map<string, { qty: number; value: number }>();
        for (const e of run) {
          const l = lines.get(e.product) ?? { qty: 0, value: 0 };
          lines.set(e.product, l);
          const sign = e.event === A ? 1 : -1;
          l.qty += sign * e.quantity;
          l.value += sign * e.price * e.quantity;
        }
        for (const [k, l] of lines) if (l.qty <= 0) lines.delete(k);
        const order = list.find((o) => o.event === O && o.t >= last)?.t ?? null;
        const status = order !== null && order - last <= windowMs ? 'purchased' : lines.size === 0 ? 'emptied' : last + windowMs > latest ? 'open' : 'abandoned';
        out.push({ person, start: run[0]!.t, first: run.find((e) => e.event === A)!.t, last, order, status, value: [...lines.values()].reduce((a, l) => a + l.value, 0), lines });
      }
      run = [];
    };
    for (const e of list) {
      if (e.event === O) close();
      else {
        if (run.length && e.t - run[run.length - 1]!.t > windowMs) close();
        run.push(e);
      }
    }
    close();
  }
  return out;
}

function expected(messages: Msg[], windowMs: number, limit: number, recoverDays: number): Omit<CartReport, 'range' | 'settings' | 'asOf'> {
  const evs = events(messages);
  const latest = Math.max(...evs.map((e) => e.t));
  const inRange = (t: number) => t >= fromMs && t < toMs;
  const cs = carts(evs, windowMs, latest).filter((c) => inRange(c.start));
  const by = (s: string) => cs.filter((c) => c.status === s);
  const viewers = new Set(evs.filter((e) => e.event === V && inRange(e.t)).map((e) => e.person));
  const adders = new Set(evs.filter((e) => e.event === A && inRange(e.t)).map((e) => e.person));
  const purchased = by('purchased');
  const times = purchased.map((c) => c.order! - c.first).sort((a, b) => a - b);
  const sum = (xs: Cart[]) => xs.reduce((a, c) => a + c.value, 0);
  // ClickHouse's quantileExact(0.5) takes the element at ⌊n/2⌋ of the sorted values
  const median = times.length ? times[Math.floor(times.length / 2)]! / 60_000 : null;
  const items = new Map<string, { carts: number; quantity: number; value: number }>();
  for (const c of by('abandoned')) {
    for (const [product, l] of c.lines) {
      if (product === '') continue;
      const x = items.get(product) ?? { carts: 0, quantity: 0, value: 0 };
      items.set(product, x);
      x.carts++;
      x.quantity += l.qty;
      x.value += l.value;
    }
  }
  const dates: string[] = [];
  for (let t = fromMs; t < toMs; t += DAY) dates.push(dayOf(t));
  const rec = recoverable(evs, windowMs, latest, recoverDays, 'given');
  return {
    totals: {
      viewers: viewers.size, viewersAdded: [...viewers].filter((p) => adders.has(p)).length, adders: adders.size,
      addToCartRate: viewers.size ? [...viewers].filter((p) => adders.has(p)).length / viewers.size : 0,
      carts: cs.length, purchased: purchased.length, abandoned: by('abandoned').length, open: by('open').length, emptied: by('emptied').length,
      abandonmentRate: by('abandoned').length + purchased.length ? by('abandoned').length / (by('abandoned').length + purchased.length) : 0,
      value: money(sum(cs)), purchasedValue: money(sum(purchased)), abandonedValue: money(sum(by('abandoned'))),
      medianMinutesToPurchase: median,
    },
    timeToPurchase: TIME_EDGES_MINUTES.map((m, k) => {
      const hi = TIME_EDGES_MINUTES[k + 1];
      return { fromMinutes: m, toMinutes: hi ?? null, carts: times.filter((d) => d >= m * 60_000 && (hi === undefined || d < hi * 60_000)).length };
    }),
    daily: dates.map((date) => ({
      date,
      carts: cs.filter((c) => dayOf(c.start) === date).length,
      purchased: purchased.filter((c) => dayOf(c.start) === date).length,
      abandoned: by('abandoned').filter((c) => dayOf(c.start) === date).length,
    })),
    abandonedItems: [...items.entries()]
      .map(([productId, x]) => ({ productId, title: CATALOG.get(productId)?.[0] ?? '', titleEn: CATALOG.get(productId)?.[1] ?? '', ...x }))
      .sort((a, b) => b.carts - a.carts || b.value - a.value || bytewise(a.productId, b.productId))
      .slice(0, limit)
      .map((x) => ({ ...x, value: money(x.value) })),
    recoverable: { days: recoverDays, people: rec.length, value: money(rec.reduce((a, r) => a + r.value, 0)) },
  };
}

function recoverable(evs: Ev[], windowMs: number, latest: number, days: number, rule: 'given' | 'not_refused') {
  const consent = new Map<string, boolean>();
  for (const e of evs) if (e.marketing !== undefined) consent.set(e.person, e.marketing);
  const best = new Map<string, number>();
  for (const c of carts(evs, windowMs, latest)) {
    if (c.start < latest - days * DAY || c.status !== 'abandoned' || c.order !== null) continue;
    const ok = rule === 'given' ? consent.get(c.person) === true : consent.get(c.person) !== false;
    if (ok) best.set(c.person, (best.get(c.person) ?? 0) + c.value);
  }
  return [...best.entries()].map(([person, value]) => ({ person, value })).sort((a, b) => bytewise(a.person, b.person));
}

/** the catalog holds the odd-numbered products (titled twice: the later title counts); the others are named from their events alone */
const CATALOG = new Map(Array.from({ length: 8 }, (_, i) => [`p${2 * i + 1}`, [`商品 ${2 * i + 1}`, `Product ${2 * i + 1}`] as const]));
const catalogRows = [...CATALOG.entries()].flatMap(([id, [title, titleEn]]) => [
  { item_id: id, title: 'old title', title_en: 'old title', updated_at: '2026-01-01 00:00:00.000' },
  { item_id: id, title, title_en: titleEn, updated_at: '2026-02-01 00:00:00.000' },
]);

// ---- the tests ---------------------------------------------------------------------------------------

let sc: Scenario;
const messages = fixture();
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-carts-' });
  await send(sc.rt, messages);
  await sc.rt.olap.insert('items', catalogRows);
});
after(() => sc?.close());

describe('carts report', () => {
  for (const c of [
    { windowHours: 24, limit: 20, recoverDays: 7 },
    { windowHours: 72, limit: 5, recoverDays: 7 },
    { windowHours: 6, limit: 50, recoverDays: 30 },
  ]) {
    it(`matches an independent calculation (window ${c.windowHours} h, top ${c.limit}, recoverable ${c.recoverDays} days)`, async () => {
      const got = await cartReport(sc.rt.olap, { from: FROM, to: TO, tz: TZ, ...c });
      const want = expected(messages, c.windowHours * HOUR, c.limit, c.recoverDays);
      assert.ok(want.totals.purchased >= 10 && want.totals.abandoned >= 5 && want.totals.emptied >= 1 && want.totals.addToCartRate < 1, `the fixture exercises the report: ${JSON.stringify(want.totals)}`);
      assert.deepEqual(got.totals, want.totals, 'totals');
      assert.deepEqual(got.timeToPurchase, want.timeToPurchase, 'time to purchase');
      assert.deepEqual(got.daily, want.daily, 'daily');
      if (c.limit >= 20) assert.ok(want.abandonedItems.some((x) => x.title) && want.abandonedItems.some((x) => !x.title), 'products named from the catalog and from their events alone');
      assert.deepEqual(got.abandonedItems, want.abandonedItems, 'abandoned items');
      assert.deepEqual(got.recoverable, want.recoverable, 'recoverable');
      assert.equal(got.asOf, new Date(END).toISOString());
    });
  }

  it('each hand-made cart comes out as its definition says', () => {
    const evs = events(messages);
    const cs = carts(evs, 24 * HOUR, END);
    const of = (p: string) => cs.filter((c) => c.person === p).map((c) => [c.status, c.value]);
    assert.deepEqual(of('buy'), [['purchased', 200]]);
    assert.deepEqual(of('abandon'), [['abandoned', 300]]);
    assert.deepEqual([of('w_in'), of('w_out')], [[['purchased', 100]], [['abandoned', 100]]]);
    assert.deepEqual(of('chain'), [['purchased', 150]]);
    assert.deepEqual(of('split'), [['abandoned', 100], ['purchased', 50]]);
    assert.deepEqual([of('emptied'), of('partial')], [[['emptied', 0]], [['abandoned', 20]]]);
    assert.deepEqual(of('after_order'), [['purchased', 100], ['abandoned', 70]]);
    assert.deepEqual(of('multi'), [['purchased', 50]]);
    assert.deepEqual(of('r_open'), [['open', 300]]);
    assert.ok(cs.some((c) => c.person === 'rm_first' && c.start < fromMs && c.first >= fromMs), 'placed by its first event');
    assert.deepEqual(recoverable(evs, 24 * HOUR, END, 7, 'given').filter((r) => r.person.startsWith('r_')).map((r) => r.person), ['r_yes']);
    assert.deepEqual(recoverable(evs, 24 * HOUR, END, 7, 'not_refused').filter((r) => r.person.startsWith('r_')).map((r) => r.person), ['r_unsaid', 'r_yes']);
  });

  it('recoverable people match, under either consent rule', async () => {
    for (const [rule, days] of [['given', 7], ['not_refused', 7], ['given', 30]] as const) {
      const got = await recoverablePeople(sc.rt.olap, { consent: rule, recoverDays: days });
      const want = recoverable(events(messages), 24 * HOUR, END, days, rule);
      assert.ok(want.length >= 3, `${rule}: ${want.length}`);
      assert.deepEqual(got.map((r) => ({ person: r.person, value: r.value })), want.map((r) => ({ ...r, value: money(r.value) })), `${rule}, ${days} days`);
    }
  });

  it('an empty range is zeros', async () => {
    const got = await cartReport(sc.rt.olap, { from: '2023-01-01', to: '2023-01-08', tz: TZ });
    assert.equal(got.totals.carts, 0);
    assert.equal(got.totals.medianMinutesToPurchase, null);
    assert.deepEqual(got.abandonedItems, []);
    assert.ok(got.timeToPurchase.every((b) => b.carts === 0));
  });
});

describe('cart routes over HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  const viewer = 'tok-viewer-carts';
  const marketer = 'tok-marketer-carts';
  before(async () => {
    const built = await buildApp(sc.rt);
    app = built.app;
    await built.ctx.access.addToken('viewer', viewer, 'viewer');
    await built.ctx.access.addToken('marketer', marketer, 'marketer');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app?.close());
  const get = (url: string, token = viewer) => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  const post = (url: string, body: unknown, token = marketer) =>
    fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('GET /api/v1/analytics/carts answers what the module does', async () => {
    const res = await get(`/api/v1/analytics/carts?from=${FROM}&to=${TO}&tz=${TZ}&windowHours=72&limit=5`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as CartReport;
    const want = expected(messages, 72 * HOUR, 5, 7);
    assert.deepEqual(body.totals, want.totals);
    assert.deepEqual(body.abandonedItems, want.abandonedItems);
  });

  it('POST recoverable-segment saves the recoverable people as a static segment', async () => {
    const res = await post('/api/v1/analytics/carts/recoverable-segment', { name: '购物车挽回', consent: 'not_refused' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { segment: { id: string; kind: string; size: number; name: string }; people: number };
    const want = recoverable(events(messages), 24 * HOUR, END, 7, 'not_refused');
    assert.equal(body.people, want.length);
    assert.deepEqual([body.segment.kind, body.segment.name, body.segment.size], ['static', '购物车挽回', want.length]);
    assert.deepEqual(await sc.rt.segments.memberIds(body.segment.id), want.map((r) => r.person));
    // the default name says what it holds
    const plain = await post('/api/v1/analytics/carts/recoverable-segment', {});
    assert.equal(plain.status, 201);
    const p = (await plain.json()) as { segment: { name: string; size: number } };
    assert.equal(p.segment.name, `Abandoned carts, last 7 days (${new Date(END).toISOString().slice(0, 10)})`);
    assert.equal(p.segment.size, recoverable(events(messages), 24 * HOUR, END, 7, 'given').length);
  });

  it('answers 400 naming the field, 403 to a viewer', async () => {
    for (const [q, field] of [['windowHours=0', 'query.windowHours'], ['limit=201', 'query.limit'], ['recoverDays=91', 'query.recoverDays'], ['to=2024-02-30', 'query.to'], ['days=0', 'query.days']] as const) {
      const res = await get(`/api/v1/analytics/carts?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { message: string } };
      assert.ok(body.error.message.startsWith(field), `${q}: ${body.error.message}`);
    }
    for (const [b, field] of [[{ consent: 'maybe' }, 'body.consent'], [{ recoverDays: 0 }, 'body.recoverDays'], [{ name: '' }, 'body.name'], [{ extra: 1 }, 'body']] as const) {
      const res = await post('/api/v1/analytics/carts/recoverable-segment', b);
      assert.equal(res.status, 400, JSON.stringify(b));
      const body = (await res.json()) as { error: { message: string } };
      assert.ok(body.error.message.startsWith(field), `${JSON.stringify(b)}: ${body.error.message}`);
    }
    assert.equal((await post('/api/v1/analytics/carts/recoverable-segment', {}, viewer)).status, 403);
    assert.equal((await fetch(`${base}/api/v1/analytics/carts`)).status, 401);
  });

  describe('the carts page', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      ensureWebBuilt();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      page.setDefaultTimeout(45_000);
      await signIn(page, base, marketer);
    });
    after(async () => {
      await browser?.close();
    });

    it('shows the KPIs, charts and abandoned items the API answers, and saves the recoverable people as a segment', { timeout: 120_000 }, async () => {
      const res = await get('/api/v1/analytics/carts?days=30&windowHours=24&limit=20&recoverDays=7');
      const want = (await res.json()) as CartReport;
      assert.ok(want.totals.carts > 50 && want.recoverable.people > 0, JSON.stringify(want.totals));
      await page.goto(`${base}/analytics/carts`);
      await page.getByTestId('carts-page').waitFor();
      await page.waitForFunction((n) => {
        const r = document.querySelector('[data-testid="carts-result"]');
        return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-carts') === n;
      }, String(want.totals.carts));
      assert.equal(await page.locator('[data-testid="abandoned-items"] tbody tr').count(), want.abandonedItems.length);
      assert.equal(await page.getByTestId('recoverable').getAttribute('data-people'), String(want.recoverable.people));
      for (const chart of ['carts-daily', 'carts-time-to-purchase']) {
        const canvas = page.locator(`[data-chart="${chart}"] canvas`).first();
        await canvas.waitFor();
        const box = await canvas.boundingBox();
        assert.ok(box && box.width > 150 && box.height > 120, `${chart} canvas is ${JSON.stringify(box)}`);
      }
      await page.waitForTimeout(800); // let the entry animation finish
      const shot = screenshotPath('analytics-carts');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      noteScreenshot(shot);

      await page.getByTestId('save-recoverable').click();
      await page.getByTestId('recoverable-saved').waitFor();
      const saved = await sc.rt.segments.store.list();
      const seg = saved.find((x) => x.name === `Abandoned carts, last 7 days (${new Date(END).toISOString().slice(0, 10)})` && x.size === want.recoverable.people);
      assert.ok(seg, `a segment of ${want.recoverable.people} people: ${JSON.stringify(saved.map((x) => [x.name, x.size]))}`);
      assert.deepEqual(await sc.rt.segments.memberIds(seg.id), recoverable(events(messages), 24 * HOUR, END, 7, 'given').map((r) => r.person));
    });
  });
});
