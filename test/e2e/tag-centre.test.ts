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
 * The tag centre in a real browser against a real server: the built-in taxonomy with coverage from a
 * build, a built-in tag's detail, a statistical tag made with the guided builder (its live preview must
 * give the numbers the shop implies), a rule tag written as JSON, the server's message for a bad
 * definition, an edit (a new version) and a deprecation. Leaves docs/screenshots/tag-centre.png (when a
 * CJK font is installed, as dashboard.test.ts does).
 */

const screenshot = screenshotPath('tag-centre');

// ---- eight shoppers, relative to today ----------------------------------------------------------------

const DAY = 86_400_000;
const NOW = Date.now();
const BEAUTY = { product_id: 'sku-cream', category: '美妆个护/护肤/面霜', brand: 'SK-II', price: 1090 };
const SHOES = { product_id: 'sku-shoe', category: '运动户外/跑鞋', brand: '李宁', price: 459 };

/** per shopper: product views as [days ago, beauty?], and orders as days ago */
const SHOPPERS: { views: [number, boolean][]; orders: number[] }[] = [
  { views: [[1, true], [3, true], [8, true], [20, true]], orders: [5, 20, 40, 70] },
  { views: [[2, true], [12, false]], orders: [10, 30, 60] },
  { views: [[4, false]], orders: [15] },
  { views: [[6, false], [9, false], [25, false]], orders: [] },
  { views: [[27, false]], orders: [] },
  { views: [[45, false], [50, true]], orders: [50] },
  { views: [[48, false], [60, false]], orders: [] },
  { views: [[55, true], [80, false]], orders: [] },
];
const userId = (i: number) => `tc_${String(i + 1).padStart(2, '0')}`;

function shop(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let n = 0;
  SHOPPERS.forEach((s, i) => {
    const ids = { userId: userId(i), anonymousId: `tc-dev-${i}` };
    const ts = (d: number, m = 0) => new Date(NOW - d * DAY + m * 60_000).toISOString();
    const oldest = Math.max(...s.views.map((v) => v[0]), ...s.orders);
    out.push({ type: 'identify', messageId: `tc-${++n}`, timestamp: ts(oldest, -5), ...ids, traits: { name: `顾客${i + 1}`, consent: { analytics: true, personalization: true, marketing: true } } });
    for (const [d, beauty] of s.views) out.push({ type: 'track', event: 'Product Viewed', messageId: `tc-${++n}`, timestamp: ts(d), ...ids, properties: { ...(beauty ? BEAUTY : SHOES), currency: 'CNY' } });
    for (const d of s.orders) {
      out.push({ type: 'track', event: 'Order Completed', messageId: `tc-${++n}`, timestamp: ts(d, 3), ...ids, properties: { order_id: `TC-${n}`, revenue: SHOES.price, currency: 'CNY', products: [{ ...SHOES, quantity: 1 }] } });
    }
  });
  return out;
}

const views30 = SHOPPERS.map((s) => s.views.filter(([d]) => d < 30).length);
const beauty30 = SHOPPERS.map((s) => s.views.filter(([d, b]) => d < 30 && b).length);
const orders90 = SHOPPERS.map((s) => s.orders.filter((d) => d < 90).length);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function login(page: Page, server: Server) {
  await signIn(page, server.url, server.adminToken);
}

/** Fills the form's identity fields. */
async function fillNames(page: Page, code: string, zh: string, en: string, category = 'custom') {
  await page.fill('input[name="code"]', code);
  await page.fill('input[name="name_zh"]', zh);
  await page.fill('input[name="name_en"]', en);
  await page.selectOption('select[name="category"]', category);
}

/** The preview's value of a numeric summary statistic, once the preview has settled. */
async function previewStat(page: Page, stat: string): Promise<number> {
  await page.locator('[data-testid="preview"][data-status="ok"]').waitFor({ timeout: 20_000 });
  return Number(await page.locator(`[data-testid="preview-numeric"] [data-stat="${stat}"]`).getAttribute('data-value'));
}

describe('tag centre (browser)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const dataDir = tmpDataDir(after, 'hx-tagcentre-');

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    const messages = shop();
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: messages });
    assert.equal(r.status, 200, r.text);
    const admin = api(server.url, server.adminToken);
    const stored = await eventually(async () => (await admin.get(`/api/v1/profiles/${userId(0)}`)).body?.eventCounts?.['Product Viewed'] === SHOPPERS[0]!.views.length, 20_000);
    assert.ok(stored, 'the events were stored');
    // the live refresher recomputes the people those events touched; a full build that overlaps it can
    // lose values (the refresh tombstones every value older than its own version), so let it finish first
    await server.rt.tags.live.settled();
    const b = await admin.post('/api/v1/builds', {});
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.persons, SHOPPERS.length);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(15_000); // a step that hangs fails with its own message, inside the test's time
    await login(page, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the built-in taxonomy with kinds, value types and coverage', { timeout: 30_000 }, async () => {
    await page.locator('[data-nav="tags"]').click();
    await page.getByRole('heading', { name: '标签中心' }).waitFor();
    const tree = page.getByTestId('taxonomy');
    for (const c of ['basic', 'activity', 'lifecycle', 'consumption', 'rfm', 'preference', 'traits']) await tree.locator(`[data-category="${c}"]`).first().waitFor();
    // RFM sits under 消费属性
    await tree.locator('[data-category="consumption"] [data-category="rfm"] [data-tag-code="rfm_class"]').waitFor();
    const list = (await api(server.url, server.adminToken).get('/api/v1/tags')).body;
    assert.equal(await tree.locator('[data-tag-code]').count(), list.tags.length);
    const item = tree.locator('[data-tag-code="orders_90d"]');
    assert.equal(await item.locator('[data-kind]').getAttribute('data-kind'), 'statistical');
    assert.equal(await item.locator('[data-value-type]').getAttribute('data-value-type'), 'number');
    const apiTag = list.tags.find((t: { code: string }) => t.code === 'orders_90d');
    assert.equal(Number(await item.locator('.coverage').getAttribute('data-coverage')), apiTag.coverage);
    assert.match(await tree.locator('[data-tag-code="lifecycle_stage"]').innerText(), /生命周期阶段/);
    assert.equal(await tree.locator('[data-tag-code="lifecycle_stage"] [data-kind]').getAttribute('data-kind'), 'rule');

    // the filter box narrows the tree
    await tree.locator('input[type="search"]').fill('rfm');
    await page.waitForFunction(`document.querySelectorAll('[data-testid="taxonomy"] [data-tag-code]').length < 10`);
    assert.ok((await tree.locator('[data-tag-code="rfm_r"]').count()) === 1);
    await tree.locator('input[type="search"]').fill('');
  });

  it('a built-in tag: coverage, distribution, numeric summary, history; editable, not deprecable', { timeout: 30_000 }, async () => {
    await page.getByTestId('taxonomy').locator('[data-tag-code="orders_90d"]').click();
    await page.waitForURL(/\/tags\/orders_90d$/);
    const detail = page.locator('[data-testid="tag-detail"][data-code="orders_90d"]');
    await detail.waitFor();
    const stats = (await api(server.url, server.adminToken).get('/api/v1/tags/orders_90d')).body.stats;
    assert.equal(Number(await detail.getByTestId('tag-coverage').getAttribute('data-value')), stats.coverage);
    assert.equal(Number(await detail.locator('[data-testid="tag-numeric"] [data-stat="max"]').getAttribute('data-value')), Math.max(...orders90));
    assert.equal(Number(await detail.locator('[data-testid="tag-numeric"] [data-stat="mean"]').getAttribute('data-value')), mean(orders90));
    await detail.locator('[data-chart="tag-distribution"] canvas').first().waitFor();
    await detail.locator('[data-chart="tag-history"] canvas').first().waitFor();
    assert.equal(await detail.getByTestId('deprecate').count(), 0, 'built-in tags cannot be deprecated here');
    assert.equal(await detail.getByTestId('edit-tag').count(), 1, 'built-in definitions can be edited (a new version)');
    assert.match(await detail.getByTestId('tag-spec').innerText(), /"Order Completed"/);
    assert.match(await detail.innerText(), /内置/);
  });

  it('creates a statistical tag with the guided builder and a live preview', { timeout: 60_000 }, async () => {
    await page.getByTestId('new-tag').click();
    await page.waitForURL(/\/tags\/new$/);
    await fillNames(page, 'views_30d', '近30天浏览次数', 'Product views (30d)');
    await page.selectOption('select[name="agg"]', 'count');
    await page.selectOption('select[name="event"]', 'Product Viewed');
    await page.selectOption('select[name="window"]', '30d');

    // the preview: everyone gets a count; the mean and max are the views sent in the last 30 days
    assert.equal(await previewStat(page, 'max'), Math.max(...views30));
    assert.equal(await previewStat(page, 'mean'), mean(views30));
    assert.equal(Number(await page.getByTestId('preview-coverage').getAttribute('data-value')), 1);
    assert.ok((await page.locator('[data-testid="preview-sample"] tr').count()) > 0, 'a sample of people');
    assert.match(await page.getByTestId('preview-sql').textContent() ?? '', /Product Viewed|event/);

    // a filter row narrows it: beauty views only
    await page.getByTestId('add-filter').click();
    const row = page.locator('[data-filter="0"]');
    await row.locator('input').first().fill('category');
    await row.locator('select').selectOption('contains');
    await row.locator('input').nth(1).fill('美妆');
    await page.waitForFunction(`document.querySelector('[data-testid="preview"]').getAttribute('data-status') !== 'ok'`);
    assert.equal(await previewStat(page, 'max'), Math.max(...beauty30));
    assert.equal(await previewStat(page, 'mean'), mean(beauty30));
    await row.getByRole('button', { name: '删除' }).click();
    await page.waitForFunction(`document.querySelector('[data-testid="preview"]').getAttribute('data-status') !== 'ok'`);
    assert.equal(await previewStat(page, 'mean'), mean(views30));
    await page.evaluate('window.scrollTo(0, 0)');
    await page.waitForTimeout(800); // let the chart's entry animation finish
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);

    await page.getByTestId('save-tag').click();
    await page.waitForURL(/\/tags\/views_30d$/);
    await page.locator('[data-testid="tag-detail"][data-code="views_30d"]').waitFor();
    await page.getByTestId('taxonomy').locator('[data-category="custom"] [data-tag-code="views_30d"]').waitFor();
    assert.equal((await page.getByTestId('tag-version').innerText()).trim(), 'v1');
    const saved = (await api(server.url, server.adminToken).get('/api/v1/tags/views_30d')).body;
    assert.deepEqual(saved.spec, { type: 'stat', stat: { agg: 'count', event: 'Product Viewed', window: '30d' } });
    assert.equal(saved.kind, 'statistical');
    assert.equal(saved.valueType, 'number');
  });

  it('a bad definition shows the server’s message next to the form', { timeout: 60_000 }, async () => {
    await page.getByTestId('new-tag').click();
    await fillNames(page, 'bad_sum', '错误求和', 'Bad sum');
    await page.selectOption('select[name="agg"]', 'sum'); // and no field
    const preview = page.getByTestId('preview-error');
    await preview.waitFor({ timeout: 20_000 });
    await page.getByTestId('save-tag').click();
    const box = page.getByTestId('form-error');
    await box.waitFor();
    const body = { code: 'bad_sum', name_zh: '错误求和', name_en: 'Bad sum', category: 'custom', valueType: 'number', purpose: 'analytics', description: '', spec: { type: 'stat', stat: { agg: 'sum', of: '', event: 'Product Viewed', window: '30d' } } };
    const direct = await api(server.url, server.adminToken).post('/api/v1/tags', body);
    assert.equal(direct.status, 400, direct.text);
    assert.equal((await box.locator('.error-message').innerText()).trim(), direct.body.error.message);
    assert.match(direct.body.error.message, /^spec\.stat\.of: /);
    assert.match(await page.locator('[data-field-error="spec"]').innerText(), /spec\.stat\.of/);
    assert.match(await preview.innerText(), /spec\.stat\.of/);
    assert.match(page.url(), /\/tags\/new$/, 'still on the form');

    // the JSON editor: text that is not JSON cannot be saved; a bad window is the server's to explain
    await page.locator('[data-mode="json"]').click();
    const spec = page.locator('textarea[name="spec"]');
    await spec.fill('{ "type": "stat", ');
    await page.getByTestId('json-error').waitFor();
    assert.equal(await page.getByTestId('save-tag').isDisabled(), true);
    await spec.fill(JSON.stringify({ type: 'stat', stat: { agg: 'count', event: 'Product Viewed', window: 'forever' } }));
    await page.getByTestId('save-tag').click();
    await box.locator('.error-message').filter({ hasText: /window/ }).waitFor();
    assert.match(await box.innerText(), /spec\.stat\.window/);

    // the code is checked too, and named
    await spec.fill(JSON.stringify({ type: 'stat', stat: { agg: 'count', event: 'Product Viewed', window: '30d' } }));
    await page.fill('input[name="code"]', 'Bad Code!');
    await page.getByTestId('save-tag').click();
    await page.locator('[data-field-error="code"]').waitFor();
    assert.equal(await page.locator('input[name="code"]').getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: '取消' }).click();
    await page.waitForURL(/\/tags$/);
  });

  it('creates a rule tag from JSON', { timeout: 60_000 }, async () => {
    await page.getByTestId('new-tag').click();
    await page.locator('[data-kind-choice="rule"]').click();
    await fillNames(page, 'loyal_buyer', '忠实买家', 'Loyal buyer', 'traits');
    assert.equal(await page.locator('select[name="valueType"]').inputValue(), 'boolean');
    const rule = { type: 'rule', when: { gte: [{ stat: { agg: 'count', event: 'Order Completed', window: '90d' } }, 3] } };
    await page.locator('textarea[name="spec"]').fill(JSON.stringify(rule, null, 2));
    await page.locator('[data-testid="preview"][data-status="ok"]').waitFor({ timeout: 20_000 });
    const preview = (await api(server.url, server.adminToken).post('/api/v1/tags/preview', { valueType: 'boolean', spec: rule })).body;
    const loyal = orders90.filter((n) => n >= 3).length;
    assert.equal(preview.distribution.find((b: { value: string }) => b.value === 'true')?.count, loyal);
    assert.equal(Number(await page.getByTestId('preview-coverage').getAttribute('data-value')), preview.coverage);
    await page.getByTestId('save-tag').click();
    await page.waitForURL(/\/tags\/loyal_buyer$/);
    const item = page.getByTestId('taxonomy').locator('[data-category="traits"] [data-tag-code="loyal_buyer"]');
    await item.waitFor();
    assert.equal(await item.locator('[data-kind]').getAttribute('data-kind'), 'rule');
    assert.equal(await item.locator('.coverage').getAttribute('data-coverage'), '', 'not built yet');
  });

  it('a build gives the new tags coverage; an edit makes a new version; deprecation removes a tag from the tree', { timeout: 90_000 }, async () => {
    const b = await api(server.url, server.adminToken).post('/api/v1/builds', {});
    assert.equal(b.status, 200, b.text);
    await page.reload();
    const detail = page.locator('[data-testid="tag-detail"][data-code="loyal_buyer"]');
    await detail.getByTestId('tag-coverage').waitFor();
    await detail.locator('[data-chart="tag-history"] canvas').first().waitFor();

    await detail.getByTestId('edit-tag').click();
    await page.waitForURL(/\/tags\/loyal_buyer\/edit$/);
    assert.equal(await page.locator('input[name="code"]').isDisabled(), true);
    await page.fill('input[name="name_en"]', 'Loyal buyer (3+ orders in 90d)');
    await page.getByTestId('save-tag').click();
    await page.waitForURL(/\/tags\/loyal_buyer$/);
    await page.getByTestId('tag-version').filter({ hasText: 'v2' }).waitFor();

    await page.getByTestId('taxonomy').locator('[data-tag-code="views_30d"]').click();
    const views = page.locator('[data-testid="tag-detail"][data-code="views_30d"]');
    assert.equal(Number(await views.locator('[data-testid="tag-numeric"] [data-stat="mean"]').getAttribute('data-value')), mean(views30));
    await views.getByTestId('deprecate').click();
    await views.getByTestId('deprecate-confirm').click();
    await page.getByTestId('taxonomy').locator('[data-tag-code="views_30d"]').waitFor({ state: 'detached' });
    await views.getByText('已停用').waitFor();
    assert.equal(await views.getByTestId('deprecate').count(), 0);
    assert.equal((await api(server.url, server.adminToken).get('/api/v1/tags/views_30d')).body.status, 'deprecated');
  });

  it('speaks English too', { timeout: 30_000 }, async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Tag centre' }).waitFor();
    assert.match(await page.getByTestId('taxonomy').locator('[data-category="consumption"] summary').first().innerText(), /Consumption/);
    await page.getByTestId('new-tag').click();
    await page.getByText('Statistical (guided)').waitFor();
    await page.getByText('Live preview').waitFor();
    await page.getByTestId('lang-switch').click();
  });
});
