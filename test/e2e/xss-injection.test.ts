import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { ensureWebBuilt, launchChromium, signIn } from '../support/browser.ts';
import { api, ingest, tmpDataDir } from '../support/server.ts';

/**
 * Injection and XSS: SQL-looking and script-bearing values in event names, properties, traits, a tag's and a
 * segment's names and descriptions are stored as sent (the events table still counts every row, nothing
 * dropped or executed), and the dashboard shows them as text — no script runs (a payload that ran would set
 * `window.__hx_xss`), no element from a payload appears in the page.
 */

declare const window: { __hx_xss?: number };
declare const document: { querySelectorAll(s: string): ArrayLike<unknown> };

const SCRIPT = `<img src=x onerror="window.__hx_xss=(window.__hx_xss||0)+1" data-hx-payload>`;
const SCRIPT2 = `<script>window.__hx_xss=(window.__hx_xss||0)+1</script><svg data-hx-payload onload="window.__hx_xss=1">`;
const SQL = `x'); DROP TABLE events; --`;
const SQL2 = `' OR 1=1 --`;
const USER = 'xss-user-1';

describe('injection and XSS (browser)', () => {
  const dataDir = tmpDataDir(after, 'hx-xss-');
  let server: Server;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof api>;
  let segmentId = '';
  const dialogs: string[] = [];

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }), 'test');
    admin = api(server.url, server.adminToken);
    const ts = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const batch = [
      { type: 'identify', userId: USER, messageId: 'xss-1', timestamp: ts(6), traits: { name: SCRIPT, nickname: SQL, city: SCRIPT2 } },
      { type: 'track', event: SCRIPT, userId: USER, messageId: 'xss-2', timestamp: ts(5), properties: { note: SCRIPT2, q: SQL2 } },
      { type: 'track', event: SQL, userId: USER, messageId: 'xss-3', timestamp: ts(4), properties: { product_id: SCRIPT, name: SQL } },
      { type: 'track', event: 'Products Searched', userId: USER, messageId: 'xss-4', timestamp: ts(3), properties: { query: SCRIPT } },
      { type: 'page', name: SCRIPT2, userId: USER, messageId: 'xss-5', timestamp: ts(2), properties: { url: `https://shop.example.com/?q=${SQL2}`, title: SCRIPT } },
    ];
    const r = await ingest(server.url, server.writeKey).send('batch', { batch });
    assert.equal(r.status, 200, r.text);
    const seg = await admin.post('/api/v1/segments', { name: SCRIPT, description: SQL + SCRIPT2, kind: 'static', ids: [USER] });
    assert.equal(seg.status, 201, seg.text);
    segmentId = seg.body.id;
    const tag = await admin.post('/api/v1/tags', {
      code: 'xss_probe', category: 'custom', name_zh: SCRIPT, name_en: '<svg data-hx-payload onload="window.__hx_xss=1">', valueType: 'number',
      spec: { type: 'stat', stat: { agg: 'count', event: SQL, window: '30d' } },
    });
    assert.equal(tag.status, 201, tag.text);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signIn(page, server.url, server.adminToken);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('stores every value as sent: the SQL-looking event name is an event, nothing was dropped', async () => {
    const rows = await server.rt.olap.query<{ event: string; n: string }>(`SELECT event, count() AS n FROM ${server.rt.olap.db}.events WHERE user_id = {u:String} GROUP BY event ORDER BY event`, { u: USER });
    const byEvent = Object.fromEntries(rows.map((r) => [r.event, Number(r.n)]));
    assert.equal(byEvent[SQL], 1);
    assert.equal(byEvent[SCRIPT], 1);
    assert.equal(rows.reduce((a, r) => a + Number(r.n), 0), 5);
    const seg = await admin.get(`/api/v1/segments/${segmentId}`);
    assert.equal(seg.body.name, SCRIPT);
    assert.equal(seg.body.description, SQL + SCRIPT2);
  });

  const pages: [string, string, string][] = [
    ['the profile with its timeline', `/profiles/${USER}`, SQL],
    ['the user search', `/profiles?q=xss-`, USER],
    ['the segment list', '/segments', SCRIPT],
    ['the segment page', `/segments/${segmentId}`, SCRIPT],
    ['the tag page', '/tags/xss_probe', 'xss_probe'],
    ['the funnel builder (event names)', '/analytics/funnels', ''],
    ['the search report', '/analytics/search', ''],
  ];
  for (const [what, path, text] of pages) {
    it(`renders ${what} as text, running nothing`, async () => {
      await page.goto(server.url + path.replace(/\/segments\/$/, `/segments/${segmentId}`));
      await page.locator('main, .page').first().waitFor();
      if (text) await page.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
      else await page.waitForTimeout(1500);
      assert.equal(await page.evaluate(() => window.__hx_xss ?? 0), 0, 'a payload ran');
      assert.equal(await page.evaluate(() => document.querySelectorAll('[data-hx-payload]').length), 0, 'a payload became an element');
      assert.deepEqual(dialogs, []);
    });
  }

  it('shows the script-bearing segment name literally', async () => {
    await page.goto(`${server.url}/segments/${segmentId}`);
    await page.getByText(SCRIPT, { exact: false }).first().waitFor({ timeout: 15_000 });
    assert.equal(await page.evaluate(() => window.__hx_xss ?? 0), 0);
  });
});
