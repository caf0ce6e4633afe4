import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { AccessStore } from '../../src/server/access.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';
import { api, ingest, tmpDataDir } from '../support/server.ts';

/**
 * The audit log page in a real browser against a real server: changes and rights exercised over the API
 * become rows whose count and actions match what the API answers for the same filters; an action filter and
 * a subject search narrow them; a viewer is told the log is for admins. Leaves docs/screenshots/privacy.png
 * (when a CJK font is installed).
 */

/** the page's globals, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> };
declare const localStorage: { clear(): void };

const screenshot = screenshotPath('privacy');
const VIEWER = 'tok-viewer-privacy-ui';

describe('audit log page (browser)', () => {
  const dataDir = tmpDataDir(after, 'hx-privacy-ui-');
  let server: Server;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof api>;

  const login = async (token: string) => {
    // a second sign-in on the same page: forget the first token
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await signIn(page, server.url, token);
  };
  const rows = () => page.locator('[data-testid="audit-table"] tbody tr');

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }), 'test');
    await new AccessStore(server.rt.oltp).addToken('viewer', VIEWER, 'viewer');
    admin = api(server.url, server.adminToken);
    const ts = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const batch = ['ui-a', 'ui-b', 'ui-c'].flatMap((u, i) => [
      { type: 'identify', userId: u, messageId: `ui-${i}-1`, timestamp: ts(5), traits: { email: `${u}@example.com`, phone: `1360000000${i}` } },
      { type: 'track', event: 'Order Completed', userId: u, messageId: `ui-${i}-2`, timestamp: ts(4), properties: { order_id: `o${i}`, revenue: 10 + i } },
    ]);
    assert.equal((await ingest(server.url, server.writeKey).send('batch', { batch })).status, 200);
    // what the log will hold: two unmaskings, an export, two erasures, a segment created and deleted
    for (const u of ['ui-a', 'ui-b']) assert.equal((await admin.get(`/api/v1/profiles/${u}?unmask=true`)).status, 200);
    assert.equal((await admin.get('/api/v1/profiles/ui-c/export')).status, 200);
    for (const u of ['ui-a', 'ui-c']) assert.equal((await admin.del(`/api/v1/profiles/${u}`)).status, 200);
    const seg = await admin.post('/api/v1/segments', { name: 'Buyers', kind: 'dynamic', rule: { event: 'Order Completed' } });
    assert.equal(seg.status, 201, seg.text);
    assert.equal((await admin.del(`/api/v1/segments/${seg.body.id}`)).status, 204);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the audit log as the API answers it', async () => {
    await login(server.adminToken);
    await page.locator('[data-nav="privacy"]').click();
    await rows().first().waitFor();
    const want = (await admin.get('/api/v1/audit?limit=50')).body.entries as { action: string }[];
    assert.equal(want.length, 8, 'the changes and rights above, and the dashboard sign-in (session.create)');
    assert.equal(await rows().count(), want.length);
    assert.deepEqual(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action'))), want.map((e) => e.action));
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });

  it('filters by action and finds a person by their id', async () => {
    await page.selectOption('select[name="action"]', 'profile.erase');
    await page.click('[data-testid="audit-filters"] button[type="submit"]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="audit-table"] tbody tr')).every((tr) => tr.getAttribute('data-action') === 'profile.erase'));
    assert.equal(await rows().count(), (await admin.get('/api/v1/audit?action=profile.erase')).body.entries.length);
    assert.equal(await rows().count(), 2);
    await page.selectOption('select[name="action"]', '');
    await page.fill('input[name="subject"]', 'ui-b');
    await page.click('[data-testid="audit-filters"] button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length === 1);
    assert.equal(await rows().first().getAttribute('data-action'), 'pii.unmask');
    await page.fill('input[name="subject"]', 'nobody-here');
    await page.click('[data-testid="audit-filters"] button[type="submit"]');
    await page.getByTestId('audit-empty').waitFor();
  });

  it('tells a viewer the log is for admins', async () => {
    await login(VIEWER);
    await page.goto(`${server.url}/privacy`);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /管理员/);
  });
});
