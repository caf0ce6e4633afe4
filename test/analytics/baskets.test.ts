import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import { basketRules, boughtTogether, type BasketRule, type BasketRuleOptions, type FrequentPair } from '../../src/analytics/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { ensureWebBuilt, noteScreenshot, screenshotPath } from '../support/browser.ts';
import { DAY, HOUR, msg, openScenario, prng, send, type Msg, type Scenario } from '../support/scenario.ts';

/**
 * Basket rules and "bought together" on a seeded shop sent through the real ingestion pipeline into real
 * chdb, every figure checked against a brute-force calculation in plain TypeScript over the same orders
 * (every pair and every triple of every basket counted, no Apriori pruning), then the HTTP routes.
 */

interface Line { product_id: string; category: string; price: number; quantity: number }
interface Order { messageId: string; orderId: string; userId: string; t: number; category: string; products: Line[] }

const CATS = ['食品/休闲零食/饼干', '食品/饮料/茶', '服装/女装/连衣裙', '美妆/护肤/面霜', '数码/手机配件/数据线', '家居/厨房/锅具', '母婴/奶粉/婴儿奶粉'];
const productCat = (i: number) => CATS[i % CATS.length]!;
const pid = (i: number) => `p${String(i).padStart(2, '0')}`;
const START = Date.UTC(2025, 2, 1, 4); // 2025-03-01 12:00 Shanghai

/** Orders with real associations (bundles), noise, retries, lines without a category, and one bulk order. */
function fixture(seed = 11): Order[] {
  const rand = prng(seed);
  const orders: Order[] = [];
  const bundles = [[1, 2], [3, 4, 5], [6, 7], [1, 8], [9, 10, 11]];
  for (let n = 0; n < 420; n++) {
    const keys = new Set<number>();
    if (rand() < 0.6) for (const k of bundles[Math.floor(rand() * bundles.length)]!) if (rand() < 0.85) keys.add(k);
    const extra = Math.floor(rand() * 3);
    for (let e = 0; e < extra; e++) keys.add(1 + Math.floor(rand() * 30));
    if (keys.size === 0) keys.add(1 + Math.floor(rand() * 30));
    const products = [...keys].map((k) => ({ product_id: pid(k), category: rand() < 0.05 ? '' : productCat(k), price: 10 + k, quantity: 1 + Math.floor(rand() * 2) }));
    // a line repeated within an order counts once
    if (rand() < 0.05) products.push({ ...products[0]! });
    const t = START + Math.floor(rand() * 60) * DAY + Math.floor(rand() * 20) * HOUR;
    orders.push({ messageId: `mo-${n}`, orderId: rand() < 0.05 ? '' : `o-${n}`, userId: `u${Math.floor(rand() * 80)}`, t, category: productCat(3), products });
  }
  // a client retry of an order with other products: the first occurrence wins
  const first = orders[10]!;
  orders.push({ ...first, messageId: 'mo-retry', t: first.t + 60_000, products: [{ product_id: pid(29), category: productCat(29), price: 1, quantity: 1 }, { product_id: pid(30), category: productCat(30), price: 1, quantity: 1 }] });
  // a bulk order of 55 distinct items: over the default cap of 50, it adds no pairs at the item level
  orders.push({ messageId: 'mo-bulk', orderId: 'o-bulk', userId: 'u-bulk', t: START + 5 * DAY, category: productCat(1), products: Array.from({ length: 55 }, (_, i) => ({ product_id: pid(i + 1), category: productCat(i + 1), price: 5, quantity: 1 })) });
  return orders;
}

const toMessages = (orders: Order[]): Msg[] => orders.map((o) => ({
  ...msg.track(o.userId, 'Order Completed', o.t, { ...(o.orderId ? { order_id: o.orderId } : {}), category: o.category, currency: 'CNY', products: o.products }),
  messageId: o.messageId,
}));

// ---- the independent calculation -------------------------------------------------------------------

const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const dayOf = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);

function baskets(orders: Order[], level: 'item' | 'category', from?: string, to?: string): string[][] {
  const firstOf = new Map<string, Order>();
  for (const o of [...orders].sort((a, b) => a.t - b.t)) {
    if (from && (dayOf(o.t) < from || dayOf(o.t) >= to!)) continue;
    const id = o.orderId || o.messageId;
    if (!firstOf.has(id)) firstOf.set(id, o);
  }
  return [...firstOf.values()]
    .map((o) => [...new Set(o.products.map((l) => (level === 'item' ? l.product_id : l.category || o.category)).filter((k) => k !== ''))].sort(bytewise))
    .filter((b) => b.length > 0);
}

function expectedRules(orders: Order[], o: Required<Pick<BasketRuleOptions, 'level' | 'minSupport' | 'minConfidence' | 'minLift' | 'top' | 'sort' | 'maxBasketItems'>> & { from?: string; to?: string }) {
  const bs = baskets(orders, o.level, o.from, o.to);
  const n = bs.length;
  const count = new Map<string, number>();
  const bump = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const b of bs) {
    b.forEach((x) => bump(x));
    if (b.length > o.maxBasketItems) continue;
    for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) {
      bump(`${b[i]}\t${b[j]}`);
      for (let k = j + 1; k < b.length; k++) bump(`${b[i]}\t${b[j]}\t${b[k]}`);
    }
  }
  const frequent = (k: string) => (count.get(k) ?? 0) / n >= o.minSupport;
  const sets = [...count.keys()].filter(frequent).map((k) => k.split('\t'));
  const rules: BasketRule[] = [];
  const raw = new Map<BasketRule, { confidence: number; lift: number }>();
  for (const s of sets) {
    if (s.length < 2) continue;
    const c = count.get(s.join('\t'))!;
    for (const consequent of s) {
      const antecedent = s.filter((x) => x !== consequent);
      const confidence = c / count.get(antecedent.join('\t'))!;
      const lift = confidence / (count.get(consequent)! / n);
      if (confidence < o.minConfidence || lift < o.minLift) continue;
      const r = { antecedent, consequent, count: c, support: round(c / n), confidence: round(confidence), lift: round(lift) };
      rules.push(r);
      raw.set(r, { confidence, lift });
    }
  }
  const key = (r: BasketRule) => {
    const x = raw.get(r)!;
    return o.sort === 'lift' ? [x.lift, x.confidence, r.count] : o.sort === 'confidence' ? [x.confidence, x.lift, r.count] : [r.count, x.lift, x.confidence];
  };
  rules.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
    return bytewise(a.antecedent.join('\t'), b.antecedent.join('\t')) || bytewise(a.consequent, b.consequent);
  });
  const pairs = sets.filter((s) => s.length === 2).map((s) => {
    const c = count.get(s.join('\t'))!;
    return { items: s as [string, string], count: c, rawLift: (c / n) / ((count.get(s[0]!)! / n) * (count.get(s[1]!)! / n)) };
  });
  pairs.sort((a, b) => b.count - a.count || b.rawLift - a.rawLift || bytewise(a.items[0], b.items[0]) || bytewise(a.items[1], b.items[1]));
  const topPairs: FrequentPair[] = pairs.slice(0, 50).map((p) => ({ items: p.items, count: p.count, support: round(p.count / n), lift: round(p.rawLift) }));
  const skipped = bs.filter((b) => b.length > o.maxBasketItems).length;
  return {
    orders: n, skippedOrders: skipped, rules: rules.slice(0, o.top), topPairs,
    frequent: { items: sets.filter((s) => s.length === 1).length, pairs: sets.filter((s) => s.length === 2).length, triples: sets.filter((s) => s.length === 3).length },
  };
}

function expectedTogether(orders: Order[], key: string, level: 'item' | 'category', limit: number, minCount: number) {
  const bs = baskets(orders, level);
  const withKey = bs.filter((b) => b.includes(key));
  const together = new Map<string, number>();
  const all = new Map<string, number>();
  for (const b of bs) for (const k of b) all.set(k, (all.get(k) ?? 0) + 1);
  for (const b of withKey) for (const k of b) if (k !== key) together.set(k, (together.get(k) ?? 0) + 1);
  const rows = [...together.entries()].filter(([, c]) => c >= minCount).map(([k, c]) => ({ k, c, ratio: c / all.get(k)! }));
  rows.sort((a, b) => b.c - a.c || b.ratio - a.ratio || bytewise(a.k, b.k));
  return {
    orders: bs.length, withKey: withKey.length,
    together: rows.slice(0, limit).map((r) => ({ key: r.k, count: r.c, confidence: round(r.c / withKey.length), lift: round(r.c / withKey.length / (all.get(r.k)! / bs.length)) })),
  };
}

// ---- against the engine --------------------------------------------------------------------------------

let sc: Scenario;
let orders: Order[];
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-baskets-' });
  orders = fixture();
  await send(sc.rt, toMessages(orders));
  await sc.rt.olap.insert('items', [1, 2, 3].map((i) => ({ item_id: pid(i), title: `商品 ${i}`, category: productCat(i), updated_at: START })));
});
after(() => sc?.close());

type Opts = Required<Pick<BasketRuleOptions, 'level' | 'minSupport' | 'minConfidence' | 'minLift' | 'top' | 'sort' | 'maxBasketItems'>>;
const DEFAULTS: Opts = { level: 'item', minSupport: 0.001, minConfidence: 0.1, minLift: 1, top: 100, sort: 'lift', maxBasketItems: 50 };

describe('basket rules against a brute-force count', () => {
  const cases: (Partial<Opts> & { name: string; from?: string; to?: string })[] = [
    { name: 'items, defaults' },
    { name: 'items, support 2%, confidence 30%, sorted by confidence', minSupport: 0.021, minConfidence: 0.3, sort: 'confidence' },
    { name: 'items, lift ≥ 2, top 7 by support', minLift: 2, top: 7, sort: 'support' },
    { name: 'items, a bulk-order cap of 2 (only pairs from two-item orders)', maxBasketItems: 2, minSupport: 0.005 },
    { name: 'categories, support 1.5%', level: 'category', minSupport: 0.015, minConfidence: 0.05, minLift: 0 },
    { name: 'categories in the first 30 days', level: 'category', minSupport: 0.01, from: '2025-03-01', to: '2025-03-31' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const o = { ...DEFAULTS, ...c };
      const got = await basketRules(sc.rt.olap, { ...o, tz: 'Asia/Shanghai' });
      const want = expectedRules(orders, o);
      assert.equal(got.orders, want.orders);
      assert.equal(got.skippedOrders, want.skippedOrders);
      assert.deepEqual(got.frequent, want.frequent);
      assert.ok(got.rules.length > 0, 'the case should find rules');
      assert.deepEqual(got.rules, want.rules);
      assert.deepEqual(got.topPairs, want.topPairs);
      if (o.level === 'item') assert.equal(got.names.p01, '商品 1');
    });
  }

  it('finds the planted triple {p03, p04} → p05 with a high lift', async () => {
    const got = await basketRules(sc.rt.olap, { minSupport: 0.02 });
    const r = got.rules.find((x) => x.antecedent.join() === 'p03,p04' && x.consequent === 'p05');
    assert.ok(r && r.lift > 5 && r.confidence > 0.5, JSON.stringify(r));
    assert.equal(got.skippedOrders, 1, 'the 55-item bulk order is over the cap');
  });
});

describe('bought together', () => {
  for (const [key, level, limit, minCount] of [['p01', 'item', 10, 2], ['p04', 'item', 3, 5], ['p99', 'item', 10, 2], [productCat(1), 'category', 5, 2]] as const) {
    it(`${key} (${level}, top ${limit}, ≥ ${minCount} shared orders)`, async () => {
      const got = await boughtTogether(sc.rt.olap, key, { level, limit, minCount });
      const want = expectedTogether(orders, key, level, limit, minCount);
      assert.equal(got.orders, want.orders);
      assert.equal(got.withKey, want.withKey);
      assert.deepEqual(got.together.map(({ name: _, ...r }) => r), want.together);
      if (key === 'p01') assert.equal(got.together.find((t) => t.key === 'p02')?.name, '商品 2');
    });
  }
});

describe('basket routes over HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  const token = 'tok-viewer-baskets';
  before(async () => {
    const built = await buildApp(sc.rt);
    app = built.app;
    await built.ctx.access.addToken('viewer', token, 'viewer');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app?.close());
  const get = (url: string) => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });

  it('GET rules answers the query as the module does', async () => {
    const res = await get('/api/v1/analytics/baskets/rules?level=category&minSupport=0.015&minConfidence=0.05&minLift=0&from=2025-01-01&to=2025-06-01&tz=Asia/Shanghai');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { rules: BasketRule[]; orders: number };
    const want = expectedRules(orders, { ...DEFAULTS, level: 'category', minSupport: 0.015, minConfidence: 0.05, minLift: 0, from: '2025-01-01', to: '2025-06-01' });
    assert.equal(body.orders, want.orders);
    assert.deepEqual(body.rules, want.rules);
  });

  it('GET bought-together/:itemId', async () => {
    const res = await get('/api/v1/analytics/baskets/bought-together/p01?limit=3&from=2025-01-01&to=2025-06-01');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { together: { key: string; count: number }[] };
    assert.deepEqual(body.together.map((t) => [t.key, t.count]), expectedTogether(orders, 'p01', 'item', 3, 2).together.map((t) => [t.key, t.count]));
  });

  it('answers 400 naming the field', async () => {
    for (const [q, field] of [['minSupport=2', 'query.minSupport'], ['level=brand', 'query.level'], ['top=0', 'query.top'], ['sort=name', 'query.sort'], ['from=2025-13-01', 'query.from']] as const) {
      const res = await get(`/api/v1/analytics/baskets/rules?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { message: string } };
      assert.ok(body.error.message.startsWith(field), `${q}: ${body.error.message}`);
    }
    const bt = await get('/api/v1/analytics/baskets/bought-together/p01?minCount=-1');
    assert.equal(bt.status, 400);
  });

  it('needs a token', async () => {
    assert.equal((await fetch(`${base}/api/v1/analytics/baskets/rules`)).status, 401);
  });

  it('the dashboard tab shows the rules and looks up what is bought with an item (Chromium)', { timeout: 60_000 }, async () => {
    ensureWebBuilt();
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      page.setDefaultTimeout(15_000);
      await page.addInitScript(`localStorage.setItem('hx.token', ${JSON.stringify(token)})`);
      await page.goto(`${base}/analytics/baskets`);
      const want = expectedRules(orders, DEFAULTS);
      await page.locator(`[data-testid=baskets-result][data-status=ok][data-rules="${want.rules.length}"]`).waitFor();
      assert.equal(await page.locator('[data-testid=basket-rules] tbody tr').count(), want.rules.length);
      // the first rule's first item, looked up (the table starts sorted by lift, as the API answers)
      const key = want.rules[0]!.antecedent[0]!;
      await page.locator('[data-testid=basket-rules] tbody tr').first().locator('button.link').first().click();
      const together = expectedTogether(orders, key, 'item', 10, 2);
      await page.getByText(`含 ${key} 的订单`).waitFor();
      await page.locator('[data-testid=together-table] tbody tr').nth(together.together.length - 1).waitFor();
      assert.equal(await page.locator('[data-testid=together-table] tbody tr').count(), together.together.length);
      const file = screenshotPath('analytics-baskets');
      await page.screenshot({ path: file, fullPage: true });
      noteScreenshot(file);
    } finally {
      await browser.close();
    }
  });
});
