import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, repoRoot, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';

/**
 * The user search and the 360° profile page in a real browser against a real server: a small shop goes in
 * over /v1/batch, a tag build runs through the API, and the page must show the numbers that were sent —
 * orders in 90 days, the RFM and lifecycle badges, masked traits, preference charts, the activity heatmap,
 * the "why" panel's evidence — and page through the timeline. Leaves docs/screenshots/profile.png (when a
 * CJK font is installed, as dashboard.test.ts does).
 */

const screenshot = screenshotPath('profile');

// ---- a small shop, deterministic relative to today ------------------------------------------------------

const DAY = 86_400_000;
const NOW = Date.now();
/** `daysAgo` days before now at `hour`:`minute` Shanghai time (UTC+8) */
function at(daysAgo: number, hour: number, minute = 0): number {
  const d = new Date(NOW - daysAgo * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour - 8, minute);
}

const PRODUCTS = [
  { product_id: 'sku-lip-01', category: '美妆个护/彩妆/口红', brand: '兰蔻', price: 320 },
  { product_id: 'sku-cream-02', category: '美妆个护/护肤/面霜', brand: 'SK-II', price: 1090 },
  { product_id: 'sku-phone-03', category: '手机数码/手机', brand: '华为', price: 4999 },
  { product_id: 'sku-shoe-04', category: '运动户外/跑鞋', brand: '李宁', price: 459 },
  { product_id: 'sku-tea-05', category: '食品生鲜/茶叶', brand: '西湖', price: 128 },
] as const;

interface Person {
  userId: string;
  anonymousIds: string[];
  traits: Record<string, unknown>;
  /** [days ago, Shanghai hour, product indexes] per order */
  orders: [number, number, number[]][];
  /** [days ago, Shanghai hour, product index] per product view */
  views: [number, number, number][];
  searches: [number, number, string][];
}

const consent = { analytics: true, personalization: true, marketing: true };
const PEOPLE: Person[] = [
  {
    userId: 'hx_alice',
    anonymousIds: ['dev-alice-phone', 'dev-alice-laptop'],
    traits: { name: '林小雨', email: 'alice.lin@example.com', phone: '+86 138 0013 8000', gender: 'female', age: 29, city_tier: '一线', address: { city: '上海' }, consent },
    orders: [[3, 21, [0, 1]], [12, 22, [1]], [26, 21, [0]], [44, 20, [1, 4]], [61, 21, [0]], [130, 21, [1]]],
    views: [[1, 21, 0], [1, 21, 1], [3, 20, 1], [5, 22, 0], [8, 21, 1], [12, 21, 1], [20, 22, 0], [26, 20, 0], [33, 21, 3], [44, 20, 4], [61, 21, 0], [75, 22, 1]],
    searches: [[1, 21, '面霜'], [8, 22, '口红 新色']],
  },
  {
    userId: 'hx_bob',
    anonymousIds: ['dev-bob-phone'],
    traits: { name: '王博', email: 'bob.wang@example.com', gender: 'male', age: 35, city_tier: '新一线', address: { city: '杭州' }, consent },
    orders: [[6, 9, [2]], [100, 10, [3]]],
    views: [[6, 9, 2], [7, 8, 2], [40, 12, 3], [100, 10, 3]],
    searches: [[7, 8, '华为 手机']],
  },
  {
    userId: 'hx_chen',
    anonymousIds: ['dev-chen-tablet'],
    traits: { name: '陈晨', gender: 'female', age: 22, city_tier: '二线', address: { city: '成都' }, consent },
    orders: [],
    views: [[2, 14, 3], [2, 14, 4], [9, 15, 0], [15, 13, 3], [22, 16, 4]],
    searches: [[2, 14, '跑鞋']],
  },
  {
    userId: 'hx_dana',
    anonymousIds: ['dev-dana-phone'],
    traits: { name: '丁娜', gender: 'female', age: 41, city_tier: '一线', address: { city: '北京' }, consent },
    orders: [[120, 19, [4]], [150, 19, [4]], [171, 20, [1]]],
    views: [[120, 19, 4], [150, 19, 4], [171, 20, 1]],
    searches: [],
  },
  {
    userId: 'hx_eve',
    anonymousIds: ['dev-eve-phone'],
    traits: { name: '叶夕', gender: 'female', age: 26, city_tier: '一线', address: { city: '深圳' }, consent },
    orders: [[2, 12, [0]]],
    views: [[2, 11, 0], [2, 12, 0]],
    searches: [],
  },
];

function shop(): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  let n = 0;
  for (const p of PEOPLE) {
    const context = (i: number) => ({ device: { type: i % 2 ? 'desktop' : 'mobile' }, os: { name: i % 2 ? 'Mac OS X' : 'iOS' }, locale: 'zh-CN' });
    const firstDay = Math.max(...p.orders.map((o) => o[0]), ...p.views.map((v) => v[0]), ...p.searches.map((s) => s[0]));
    const msg = (ts: number, device: number, m: Record<string, unknown>) =>
      messages.push({ messageId: `pp-${++n}`, timestamp: new Date(ts).toISOString(), anonymousId: p.anonymousIds[device % p.anonymousIds.length], userId: p.userId, context: context(device), ...m });
    msg(at(firstDay, 8, 1), 0, { type: 'identify', traits: p.traits });
    p.views.forEach(([d, h, i], k) => msg(at(d, h, 10 + (k % 40)), k, { type: 'track', event: 'Product Viewed', properties: { ...PRODUCTS[i]!, currency: 'CNY' } }));
    p.searches.forEach(([d, h, q], k) => msg(at(d, h, 5 + k), k, { type: 'track', event: 'Products Searched', properties: { query: q } }));
    p.orders.forEach(([d, h, items], k) => {
      const lines = items.map((i) => ({ ...PRODUCTS[i]!, quantity: 1 }));
      const revenue = lines.reduce((a, l) => a + l.price, 0);
      msg(at(d, h, 50), k, { type: 'track', event: 'Product Added', properties: { ...lines[0]!, currency: 'CNY' } });
      msg(at(d, h, 55), k, { type: 'track', event: 'Order Completed', properties: { order_id: `PO-${p.userId}-${k}`, revenue, currency: 'CNY', products: lines } });
    });
  }
  return messages;
}

// ---- the test -----------------------------------------------------------------------------------------

const alice = PEOPLE[0]!;
const aliceEvents = () => shop().filter((m) => m.userId === alice.userId);

async function login(page: Page, server: Server) {
  await signIn(page, server.url, server.adminToken);
}

describe('profile page (browser)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const dataDir = tmpDataDir(after, 'hx-profile-');
  let build: { id: string; persons: number };

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    const messages = shop();
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: messages });
    assert.equal(r.status, 200, r.text);
    const admin = api(server.url, server.adminToken);
    const seen = await eventually(async () => (await admin.get(`/api/v1/profiles/${alice.userId}`)).body?.eventCounts?.['Order Completed'] === alice.orders.length, 20_000);
    assert.ok(seen, 'the events were stored');
    // the live refresher recomputes the people those events touched; a full build that overlaps it can
    // lose values (the refresh tombstones every value older than its own version), so let it finish first
    await server.rt.tags.live.settled();
    const b = await admin.post('/api/v1/builds', {});
    assert.equal(b.status, 200, b.text);
    build = b.body;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await login(page, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('built tags for every person', () => {
    assert.equal(build.persons, PEOPLE.length, JSON.stringify(build));
  });

  it('finds users by id prefix and by tag value, and opens a profile', { timeout: 60_000 }, async () => {
    await page.locator('[data-nav="profiles"]').click();
    await page.fill('input[name="q"]', 'hx_');
    await page.click('.lookup button[type="submit"]');
    await page.waitForURL(/\/profiles\?q=hx_$/);
    await page.locator('[data-testid="search-results"] tbody tr').first().waitFor();
    const ids = await page.locator('[data-testid="search-results"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    assert.deepEqual(ids.sort(), PEOPLE.map((p) => p.userId).sort());

    // by tag: Alice's RFM class, as the API has it, finds her
    const profile = (await api(server.url, server.adminToken).get(`/api/v1/profiles/${alice.userId}`)).body;
    const rfm = profile.tags.rfm_class as string;
    assert.ok(rfm, `alice has an RFM class: ${JSON.stringify(profile.tags)}`);
    await page.fill('input[name="q"]', '');
    await page.selectOption('select[name="tag"]', 'rfm_class');
    await page.selectOption('select[name="value"]', rfm);
    await page.click('.lookup button[type="submit"]');
    await page.waitForURL(new RegExp(`tag=rfm_class&value=${rfm}`));
    await page.locator(`[data-testid="search-results"] tr[data-user="${alice.userId}"]`).waitFor();
    const rfmCell = await page.locator(`[data-testid="search-results"] tr[data-user="${alice.userId}"] td`).nth(2).innerText();
    assert.notEqual(rfmCell.trim(), rfm, 'the class is shown by its label, not its code');

    await page.locator(`[data-testid="search-results"] tr[data-user="${alice.userId}"] a`).click();
    await page.waitForURL(new RegExp(`/profiles/${alice.userId}$`));
    await page.getByTestId('profile-user').filter({ hasText: alice.userId }).waitFor();
  });

  it('a full userId opens the profile directly', { timeout: 30_000 }, async () => {
    await page.locator('[data-nav="profiles"]').click();
    await page.fill('input[name="q"]', 'hx_bob');
    await page.click('.lookup button[type="submit"]');
    await page.waitForURL(/\/profiles\/hx_bob$/);
    await page.getByRole('heading', { name: '身份标识' }).waitFor();
  });

  it('shows identities, masked traits, badges and the tags that were computed', { timeout: 60_000 }, async () => {
    await page.goto(`${server.url}/profiles/${alice.userId}`);
    await page.locator('[data-tag="orders_90d"]').waitFor();

    // identities across both devices
    const ids = await page.getByTestId('anonymous-ids').innerText();
    for (const a of alice.anonymousIds) assert.match(ids, new RegExp(a));
    // traits arrive masked: the address is not on the page, a masked form is
    const email = await page.locator('[data-trait="email"] dd').innerText();
    assert.match(email, /\*\*\*/, email);
    assert.ok(!(await page.content()).includes('alice.lin@example.com'), 'the plain email is not on the page');
    assert.match(await page.locator('[data-trait="consent"] dd').innerText(), /personalization/);

    // orders in 90 days: what was sent
    const want90 = alice.orders.filter(([d]) => d < 90).length;
    assert.equal(await page.locator('[data-tag="orders_90d"] .tag-value').getAttribute('data-value'), String(want90));
    assert.equal((await page.locator('[data-tag="orders_90d"] .tag-value').innerText()).trim(), String(want90));
    assert.equal(await page.locator('[data-key="orders_90d"] .tag-value').getAttribute('data-value'), String(want90));
    const want30 = alice.orders.filter(([d]) => d < 30).length;
    assert.equal(await page.locator('[data-tag="orders_30d"] .tag-value').getAttribute('data-value'), String(want30));

    // RFM and lifecycle badges at the top, labelled
    const rfm = page.getByTestId('rfm-badge');
    await rfm.waitFor();
    assert.match((await rfm.getAttribute('data-value')) ?? '', /^(important|general)_(value|develop|keep|winback)$/);
    assert.match(await rfm.innerText(), /R[1-5] F[1-5] M[1-5]/);
    assert.match(await rfm.innerText(), /重要|一般/);
    const stage = page.getByTestId('lifecycle-badge');
    assert.match((await stage.getAttribute('data-value')) ?? '', /^(new|growing|mature|declining|churned)$/);
    assert.match(await stage.innerText(), /新客|成长|成熟|衰退|流失/);

    // tags grouped by taxonomy path, collapsible
    const group = page.locator('details.tag-group[data-group="消费属性"]');
    assert.equal(await group.getAttribute('open'), '');
    await group.locator('summary').click();
    assert.equal(await group.getAttribute('open'), null);
    await page.getByRole('button', { name: '全部展开' }).click();
    assert.equal(await group.getAttribute('open'), '');
    assert.ok((await page.locator('details.tag-group').count()) >= 5, 'several taxonomy groups');

    // ranked preferences: small bars in the list, and a bar chart
    const cats = await page.locator('[data-tag="top_categories"] .ranked').getAttribute('data-value');
    assert.match(cats ?? '', /美妆个护/);
    await page.locator('[data-chart="top_categories"] canvas').first().waitFor();
    await page.locator('[data-chart="top_brands"] canvas').first().waitFor();
  });

  it('draws the activity heatmap from the events sent', { timeout: 30_000 }, async () => {
    const card = page.getByTestId('activity');
    await card.locator('canvas').first().waitFor();
    assert.equal(Number(await card.getAttribute('data-total')), aliceEvents().length);
    await page.waitForTimeout(800);
    // blue cells (the colour scale runs from pale to deep blue) on the chart's canvas layers
    const inked = await page.evaluate<number>(`(() => {
      let n = 0;
      for (const c of document.querySelectorAll('[data-chart="activity"] canvas')) {
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i + 2] - px[i] > 60) n++;
      }
      return n;
    })()`);
    assert.ok(inked > 2_000, `the heatmap drew ${inked} blue pixels`);
  });

  it('the why panel shows the rule and the evidence numbers', { timeout: 30_000 }, async () => {
    const want90 = alice.orders.filter(([d]) => d < 90).length;
    await page.locator('[data-why="orders_90d"]').click();
    const panel = page.getByTestId('why-panel');
    await panel.getByTestId('why-rule').waitFor();
    assert.match(await panel.getByTestId('why-rule').innerText(), /Order Completed|订单|90/);
    assert.equal(await panel.locator('[data-testid="why-computed"] .tag-value').getAttribute('data-value'), String(want90));
    const evidence = await panel.locator('[data-evidence]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
    assert.ok(evidence.includes(String(want90)), `evidence ${JSON.stringify(evidence)} holds ${want90}`);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // a derived tag explains itself by the tags it uses
    await page.locator('[data-why="aov_365d"]').click();
    await panel.locator('[data-evidence="gmv_365d"]').waitFor();
    const sent = alice.orders.filter(([d]) => d < 365).flatMap(([, , items]) => items.map((i) => PRODUCTS[i]!.price)).reduce((a, b) => a + b, 0);
    assert.equal(Number(await panel.locator('[data-evidence="gmv_365d"]').getAttribute('data-value')), sent);
    await panel.getByRole('button', { name: '关闭' }).click();
    await panel.waitFor({ state: 'detached' });
  });

  it('pages through the timeline, newest first', { timeout: 30_000 }, async () => {
    const rows = page.locator('[data-testid="timeline"] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);
    await page.getByTestId('timeline-more').click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="timeline"] tbody tr').length > 20`);
    const stamps = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-ts') ?? ''));
    assert.equal(stamps.length, Math.min(40, aliceEvents().length));
    assert.deepEqual([...stamps].sort().reverse(), stamps, 'newest first');
    assert.equal(new Set(stamps.map((s, i) => `${s}#${i}`)).size, stamps.length);
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });

  it('speaks English too', { timeout: 30_000 }, async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Identities' }).waitFor();
    await page.getByRole('heading', { name: /^Tags \(\d+\)$/ }).waitFor();
    assert.match(await page.getByTestId('lifecycle-badge').innerText(), /New|Growing|Mature|Declining|Churned/);
    assert.match(await page.locator('[data-tag="orders_90d"] .tag-name').innerText(), /Orders \(90d\)/);
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: '身份标识' }).waitFor();
  });
});
