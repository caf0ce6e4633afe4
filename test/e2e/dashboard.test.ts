import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/server/app.ts';
import { webRoutes } from '../../src/server/routes/web.ts';
import { api, ingest, repoRoot, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath } from '../support/browser.ts';

/**
 * The dashboard in a real browser against a real server: a few hundred shop events go in over
 * /v1/batch, and the overview page must show exactly the GMV and orders that were sent, draw its
 * charts, and switch to English. Leaves a screenshot in docs/screenshots/overview.png (when a CJK font is
 * installed; the picture is the same every run, as the shop and its dates are fixed).
 */

const screenshot = screenshotPath('overview');

// ---- a small shop, deterministic -------------------------------------------------------------------

const CATEGORIES: [string, number][] = [['手机数码', 2999], ['服饰鞋包', 259], ['美妆个护', 189], ['食品生鲜', 68], ['母婴玩具', 139], ['家居家装', 329], ['运动户外', 459], ['图书文娱', 45]];
const CHANNELS = ['baidu', 'wechat', 'douyin', 'xiaohongshu', undefined];
const DEVICES = [['mobile', 'iOS'], ['mobile', 'Android'], ['desktop', 'Windows'], ['desktop', 'Mac OS X'], ['tablet', 'iPadOS']] as const;
const FIRST_DAY = Date.UTC(2025, 4, 1); // 2025-05-01, a fixed past so the picture is the same every run
const DAYS = 60;

interface Sent { messages: Record<string, unknown>[]; orders: { ts: number; revenue: number }[] }

function shop(): Sent {
  let seed = 2025;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const messages: Record<string, unknown>[] = [];
  const orders: Sent['orders'] = [];
  let n = 0;
  for (let u = 0; u < 48; u++) {
    const anonymousId = `anon-${u.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`;
    const userId = u < 36 ? `user_${String(u).padStart(5, '0')}` : undefined; // the rest stay anonymous
    const [device, os] = pick(DEVICES);
    const source = pick(CHANNELS);
    // days 0…59, a growing shop (later days a little busier); 09:00–22:00 in Shanghai
    let day = Math.floor(rand() ** 0.8 * (DAYS - 1));
    for (let visit = 0; visit < 1 + Math.floor(rand() * 5) && day < DAYS; visit++, day += 1 + Math.floor(rand() * 10)) {
      let ts = FIRST_DAY + day * 86_400_000 + (1 + Math.floor(rand() * 13)) * 3_600_000 + Math.floor(rand() * 3_000_000);
      const known = userId && visit > 0;
      const ids = known ? { anonymousId, userId } : { anonymousId };
      const context = { device: { type: device }, os: { name: os }, locale: 'zh-CN', ...(source && visit === 0 ? { campaign: { source, medium: 'cpc', name: 'spring' } } : {}) };
      const msg = (m: Record<string, unknown>) => {
        ts += 20_000 + Math.floor(rand() * 90_000);
        messages.push({ messageId: `dash-${++n}`, timestamp: new Date(ts).toISOString(), context, ...ids, ...m });
      };
      msg({ type: 'page', name: 'Home', properties: { path: '/', url: 'https://shop.example/' } });
      const [category, price] = pick(CATEGORIES);
      const product = { product_id: `sku-${category.length}-${Math.floor(rand() * 30)}`, category, price, brand: 'Acme' };
      msg({ type: 'track', event: 'Product Viewed', properties: { ...product, currency: 'CNY' } });
      if (userId && visit === 0) msg({ type: 'identify', userId, traits: { name: `顾客 ${u}`, city: pick(['上海', '北京', '杭州', '深圳']) } });
      if (rand() < 0.6) msg({ type: 'track', event: 'Product Added', properties: { ...product, quantity: 1 } });
      if (known && rand() < 0.6) {
        const quantity = 1 + Math.floor(rand() * 2);
        const [c2, p2] = pick(CATEGORIES);
        const lines = [{ ...product, quantity }, ...(rand() < 0.4 ? [{ product_id: `sku-x-${Math.floor(rand() * 30)}`, category: c2, price: p2, quantity: 1 }] : [])];
        const revenue = lines.reduce((a, l) => a + l.price * l.quantity, 0) - (rand() < 0.3 ? 20 : 0);
        msg({ type: 'track', event: 'Checkout Started', properties: { revenue, currency: 'CNY', products: lines } });
        msg({ type: 'track', event: 'Order Completed', properties: { order_id: `SO${100000 + n}`, revenue, currency: 'CNY', products: lines } });
        orders.push({ ts, revenue });
      }
    }
  }
  return { messages, orders };
}

/** The range a preset picks: the `days` days (Asia/Shanghai) ending with the latest event's day (30: the API's default). */
function expectedRange(sent: Sent, days = 30) {
  const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  const latest = Math.max(...sent.messages.map((m) => Date.parse(m.timestamp as string)));
  const to = day(latest + 86_400_000);
  const from = day(latest - (days - 1) * 86_400_000);
  const inRange = sent.orders.filter((o) => day(o.ts) >= from && day(o.ts) < to);
  return { from, to, orders: inRange.length, gmv: Math.round(inRange.reduce((a, o) => a + o.revenue, 0) * 100) / 100 };
}

// ---- the tests ---------------------------------------------------------------------------------------

describe('dashboard', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const sent = shop();
  const want = expectedRange(sent);
  const dataDir = tmpDataDir(after, 'hx-dash-');

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }));
    const client = ingest(server.url, server.writeKey);
    for (let i = 0; i < sent.messages.length; i += 100) {
      const r = await client.send('batch', { batch: sent.messages.slice(i, i + 100) });
      assert.equal(r.status, 200, r.text);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sent a realistic shop', () => {
    assert.ok(sent.messages.length >= 300 && sent.messages.length <= 600, `${sent.messages.length} events`);
    assert.ok(want.orders >= 10, `${want.orders} orders in the default range`);
  });

  it('the overview API answers the figures that were sent, and explains bad input', async () => {
    const admin = api(server.url, server.adminToken);
    const r = await admin.get('/api/v1/analytics/overview');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.range, { from: want.from, to: want.to, tz: 'Asia/Shanghai', days: 30 });
    assert.equal(r.body.current.orders, want.orders);
    assert.equal(r.body.current.gmv, want.gmv);
    const bad = async (q: string, re: RegExp) => {
      const b = await admin.get(`/api/v1/analytics/overview?${q}`);
      assert.equal(b.status, 400, `${q}: ${b.text}`);
      assert.match(b.body.error.message, re, q);
    };
    await bad('from=2025-02-30&to=2025-03-10', /query\.from: must be a calendar date as YYYY-MM-DD, got '2025-02-30'/);
    await bad('from=2025/01/01', /query\.from: must be a date as YYYY-MM-DD/);
    await bad('from=2025-03-10&to=2025-03-10', /query\.to: must be after from/);
    await bad('from=2020-01-01&to=2025-01-01', /at most 3 years/);
    await bad('tz=Mars/Olympus', /query\.tz/);
    assert.equal((await api(server.url).get('/api/v1/analytics/overview')).status, 401);
    const doc = await api(server.url).get('/api/openapi.json');
    assert.ok(doc.body.paths['/api/v1/analytics/overview'].get, 'documented in OpenAPI');
  });

  it('serves the app with the right types and caching; unknown API paths stay JSON 404s', async () => {
    const index = await fetch(`${server.url}/overview?range=7`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(server.url + asset, { headers: { 'accept-encoding': 'br' } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const missing = await fetch(`${server.url}/assets/nope-123.js`);
    assert.equal(missing.status, 404);
    const apiMiss = await fetch(`${server.url}/api/v1/nope`);
    assert.equal(apiMiss.status, 404);
    assert.equal(((await apiMiss.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('logs in with the admin token and shows the overview numbers', { timeout: 60_000 }, async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '登录控制台' }).waitFor();
    await page.fill('input[name="token"]', 'not-the-token-at-all');
    await page.click('button[type="submit"]');
    await page.getByText('令牌无效或已被吊销。').waitFor();
    await page.fill('input[name="token"]', server.adminToken);
    await page.click('button[type="submit"]');

    const gmv = page.locator('[data-kpi="gmv"]');
    await gmv.waitFor();
    assert.equal(Number(await gmv.getAttribute('data-value')), want.gmv);
    const shown = (await gmv.locator('.kpi-value').innerText()).trim();
    assert.match(shown, /^¥/, shown);
    assert.equal(Number(shown.replace(/[^\d.]/g, '')), want.gmv, `GMV shown as ${shown}`);
    const orders = (await page.locator('[data-kpi="orders"] .kpi-value').innerText()).trim();
    assert.equal(Number(orders.replace(/[^\d]/g, '')), want.orders, `orders shown as ${orders}`);
    assert.equal(Number(await page.locator('[data-kpi="orders"]').getAttribute('data-value')), want.orders);
    assert.match(await page.getByTestId('range-caption').innerText(), new RegExp(`${want.from} 至`));
    assert.equal(await page.evaluate("localStorage.getItem('hx.token')"), null, 'the key is not kept in the browser (a session cookie is)');
  });

  it('draws the charts', { timeout: 30_000 }, async () => {
    for (const name of ['trend', 'categories', 'devices']) {
      const canvas = page.locator(`[data-chart="${name}"] canvas`).first();
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      assert.ok(box && box.width > 200 && box.height > 200, `${name} canvas is ${JSON.stringify(box)}`);
    }
    await page.waitForTimeout(800); // let the entry animation finish
    // coloured (not white, not transparent) pixels on the trend canvas; a string runs in the page as is
    const inked = await page.evaluate<number>(`(() => {
      const c = document.querySelector('[data-chart="trend"] canvas');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200)) n++;
      return n;
    })()`);
    assert.ok(inked > 2_000, `the trend chart drew ${inked} coloured pixels`);
    assert.match((await page.locator('[data-chart="trend"]').getAttribute('data-series')) ?? '', /成交额.*订单数.*活跃用户/);
    assert.ok((await page.locator('[data-testid="channels"] tbody tr').count()) >= 3, 'channel split rows');
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });

  it('switches to English, charts included, and keeps the choice', { timeout: 30_000 }, async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    assert.equal((await page.locator('[data-kpi="gmv"] .kpi-label').innerText()).trim(), 'GMV');
    assert.equal((await page.locator('[data-kpi="orders"] .kpi-label').innerText()).trim(), 'Orders');
    assert.match(await page.locator('[data-nav="campaigns"]').innerText(), /Campaigns/);
    await page.locator('[data-chart="trend"][data-series="GMV · Orders · Active users"]').waitFor();
    assert.equal(await page.evaluate("localStorage.getItem('hx.lang')"), 'en');
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  });

  it('presets count back from the latest event; a custom range is inclusive of its last day', { timeout: 30_000 }, async () => {
    const week = expectedRange(sent, 7);
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByTestId('range-caption').filter({ hasText: new RegExp(`^${week.from} to`) }).waitFor();
    assert.equal(Number(await page.locator('[data-kpi="orders"]').getAttribute('data-value')), week.orders);
    assert.equal(Number(await page.locator('[data-kpi="gmv"]').getAttribute('data-value')), week.gmv);
    assert.match(page.url(), /\/overview\?range=7$/);

    await page.getByRole('button', { name: 'Custom' }).click();
    await page.locator('.custom-range input').nth(0).fill(want.from);
    await page.getByRole('button', { name: 'Apply' }).click();
    const last = new Date(Date.parse(`${want.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('range-caption').filter({ hasText: new RegExp(`^${want.from} to ${last}`) }).waitFor();
    assert.equal(Number(await page.locator('[data-kpi="orders"]').getAttribute('data-value')), want.orders);
    assert.match(page.url(), new RegExp(`from=${want.from}&to=${last}`));
  });

  it('every module in the navigation opens its own page', async () => {
    const ids = await page.locator('[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav')!));
    for (const id of ids) {
      await page.locator(`[data-nav="${id}"]`).click();
      await page.waitForURL(new RegExp(`/${id}$`));
      await page.locator('section.page h1').first().waitFor();
    }
    assert.ok(ids.includes('campaigns') && ids.includes('transparency'), ids.join(' '));
  });

  it('looks up a profile', { timeout: 30_000 }, async () => {
    await page.locator('[data-nav="profiles"]').click();
    await page.fill('.lookup input', 'user_00001');
    await page.click('.lookup button');
    await page.getByRole('heading', { name: 'Identities' }).waitFor();
    assert.match(await page.locator('.facts').first().innerText(), /user_00001/);
    assert.ok((await page.locator('.table tbody tr').count()) > 0, 'a timeline');
    assert.match(page.url(), /\/profiles\/user_00001$/);
  });

  it('an ended session returns to the login page', async () => {
    await page.context().addCookies([{ name: 'hx_session', value: 'ended-session-0000', url: server.url }]);
    await page.goto(`${server.url}/overview`);
    await page.getByText('Your session ended: paste the token again.').waitFor();
  });
});

describe('dashboard route without a build', () => {
  it('answers 503 saying how to build, while the API paths stay 404 JSON', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-nodist-'));
    const app = Fastify();
    try {
      webRoutes(app, {} as AppContext, { dist: path.join(empty, 'dist') });
      const r = await app.inject({ method: 'GET', url: '/' });
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /npm run build:web/);
      const deep = await app.inject({ method: 'GET', url: '/segments' });
      assert.equal(deep.statusCode, 503);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/whatever' })).statusCode, 404);
    } finally {
      await app.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
