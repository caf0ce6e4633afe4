import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';

/**
 * The loyalty area in a real browser against a real server: a coupon template is created on the page,
 * issued to a saved segment (four people, stock three), and its stats show what was issued; an order sent
 * with one of the codes over /v1/batch shows up as a redemption with its cost. Then the overview and the
 * share-graph tab. Leaves docs/screenshots/loyalty.png (when a CJK font is installed).
 */

const screenshot = screenshotPath('loyalty');
const PEOPLE = ['ly_01', 'ly_02', 'ly_03', 'ly_04'];
let server: Server;
let browser: Browser;
let page: Page;
let admin: ReturnType<typeof api>;
let segId = '';

const order = (userId: string, orderId: string, revenue: number, extra: Record<string, unknown> = {}) => ({
  type: 'track', event: 'Order Completed', userId, messageId: `ly-${orderId}`, timestamp: new Date().toISOString(),
  properties: { order_id: orderId, revenue, currency: 'CNY', products: [{ product_id: 'ly-p', category: '美妆/护肤/面霜', price: revenue, quantity: 1 }], ...extra },
});

describe('loyalty dashboard', () => {
  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir: tmpDataDir(undefined, 'hx-loyalty-e2e-'), port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    admin = api(server.url, server.adminToken);
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: PEOPLE.map((u, i) => order(u, `ly-o${i}`, 100 + 50 * i)) });
    assert.equal(r.status, 200, r.text);
    const seg = await admin.post('/api/v1/segments', { name: '积分测试人群', kind: 'static', ids: PEOPLE });
    assert.equal(seg.status, 201, seg.text);
    segId = seg.body.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(15_000);
    await signIn(page, server.url, server.adminToken);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const stat = async (name: string) => page.getByTestId('coupon-stats').locator(`[data-stat="${name}"]`).getAttribute('data-value');

  it('creates a 满减 template, issues it to a segment and shows the stats', async () => {
    await page.locator('[data-nav="loyalty"]').click();
    await page.locator('[data-tab="coupons"]').click();
    const form = page.getByTestId('new-template');
    await form.locator('input[name="name"]').fill('满99减15');
    await form.locator('select[name="kind"]').selectOption('threshold');
    await form.locator('input[name="amount"]').fill('15');
    await form.locator('input[name="minSpend"]').fill('99');
    await form.locator('input[name="stock"]').fill('3');
    await page.getByTestId('create-template').click();
    await page.getByTestId('template-detail').waitFor();
    assert.equal(await stat('issued'), '0');

    await page.getByTestId('issue-segment').selectOption(segId);
    await page.getByTestId('issue-coupons').click();
    // four people, stock three: three issued, one left without
    await page.getByTestId('issue-result').filter({ hasText: '已发放 3 张（申请 4，超出每人限领 0，库存不足 1）' }).waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } })
      .document.querySelector('[data-testid="coupon-stats"] [data-stat="issued"]')?.getAttribute('data-value') === '3');
    assert.equal(await stat('stockLeft'), '0');
    assert.equal(await page.getByTestId('coupon-issues').locator('tbody tr').count(), 1);
    const templates = await admin.get('/api/v1/loyalty/coupons/templates');
    assert.equal(templates.body.templates[0].issued, 3);
  });

  it('an order carrying a code shows as a redemption with its cost', async () => {
    const holders: { user: string; code: string }[] = [];
    for (const u of PEOPLE) {
      const c = (await admin.get(`/api/v1/loyalty/accounts/${u}/coupons`)).body.coupons;
      if (c.length) holders.push({ user: u, code: c[0].code });
    }
    assert.equal(holders.length, 3);
    const h = holders[0]!;
    await ingest(server.url, server.writeKey).send('batch', { batch: [order(h.user, 'ly-coupon-order', 120, { coupon: h.code, discount: 15 })] });
    const id = (await admin.get('/api/v1/loyalty/coupons/templates')).body.templates[0].id;
    await eventually(async () => (await admin.get(`/api/v1/loyalty/coupons/templates/${id}`)).body.stats.redeemed === 1, 10_000);
    await page.reload();
    await page.locator(`[data-testid="coupon-templates"] [data-template="${id}"]`).click();
    await page.getByTestId('template-detail').waitFor();
    assert.equal(await stat('redeemed'), '1');
    assert.equal(await stat('cost'), '15');
    assert.equal(await stat('revenue'), '120');
    assert.equal(Number(await stat('rate')), 1 / 3);
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });

  it('the overview shows members and the earning rules; the share tab draws', async () => {
    await page.locator('[data-tab="overview"]').click();
    const members = page.getByTestId('loyalty-overview').locator('[data-kpi="members"]');
    await members.waitFor();
    assert.equal(await members.getAttribute('data-value'), String(PEOPLE.length));
    const ov = (await admin.get('/api/v1/loyalty/overview')).body;
    assert.equal(await page.getByTestId('loyalty-overview').locator('[data-kpi="outstanding"]').getAttribute('data-value'), String(ov.pointsOutstanding));
    assert.ok(await page.getByTestId('loyalty-rules').locator('[data-rule="order_spend"]').isVisible());
    await page.locator('[data-tab="social"]').click();
    await page.getByTestId('compute-influence').click();
    await page.getByText('还没有分享数据，或尚未计算影响力。').first().waitFor();
  });
});
