import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { ingest, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath } from '../support/browser.ts';

/**
 * The paths tab in a real browser against a real server: visits go in over /v1/batch, the Sankey is
 * drawn, the top paths show the counts an independent calculation expects, and changing the anchor (and
 * the direction) asks again and shows the new answer. Leaves docs/screenshots/analytics-paths.png (with a
 * CJK font installed).
 */

const FIRST_DAY = Date.UTC(2025, 2, 3, 2); // 10:00 in Shanghai, a fixed past so the picture is the same every run

/** What a visit is made of; `page:` steps are page calls, the rest track events. */
const TEMPLATES = [
  ['page:Home', 'Product List Viewed', 'Product Viewed', 'Product Viewed', 'Product Added', 'page:Cart', 'Checkout Started', 'Order Completed'],
  ['page:Home', 'Product Viewed', 'page:Cart'],
  ['page:Home', 'Products Searched', 'Product List Viewed', 'Product Viewed', 'Product Added'],
  ['page:Home'],
  ['page:Home', 'Product Viewed', 'Product Added', 'page:Cart', 'Checkout Started', 'Coupon Applied', 'Order Completed'],
];

function visits(): { messages: Record<string, unknown>[]; sessions: string[][] } {
  const messages: Record<string, unknown>[] = [];
  const sessions: string[][] = [];
  let n = 0;
  for (let v = 0; v < 30; v++) {
    for (let k = 0; k <= v % 3; k++) {
      const steps = TEMPLATES[(v * 7 + k * 3) % TEMPLATES.length]!;
      sessions.push(steps.map((s) => s.replace(/^page:/, '')));
      // visits two hours apart (a new session), steps 30 s apart
      let ts = FIRST_DAY + (v % 9) * 86_400_000 + k * 2 * 3_600_000 + v * 60_000;
      for (const s of steps) {
        ts += 30_000;
        const base = { messageId: `path-${++n}`, anonymousId: `visitor-${v}`, timestamp: new Date(ts).toISOString() };
        messages.push(s.startsWith('page:')
          ? { ...base, type: 'page', name: s.slice(5), properties: { path: `/${s.slice(5).toLowerCase()}` } }
          : { ...base, type: 'track', event: s, properties: s === 'Order Completed' ? { order_id: `o-${n}`, revenue: 99 } : {} });
      }
    }
  }
  return { messages, sessions };
}

/** Sequences at the anchor's first occurrence, repeats collapsed, with (end)/(start) markers; counted by session. */
function expected(sessions: string[][], anchor: string, direction: 'after' | 'before', depth: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of sessions) {
    const steps = s.filter((x, i) => i === 0 || x !== s[i - 1]);
    const pos = steps.indexOf(anchor);
    if (pos < 0) continue;
    const seq = direction === 'after' ? steps.slice(pos + 1, pos + 1 + depth) : steps.slice(Math.max(0, pos - depth), pos);
    if (direction === 'after' && steps.length - 1 - pos < depth) seq.push('(end)');
    if (direction === 'before' && pos < depth) seq.unshift('(start)');
    const key = JSON.stringify(direction === 'after' ? [anchor, ...seq] : [...seq, anchor]);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

describe('paths tab', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const sent = visits();
  const dataDir = tmpDataDir(after, 'hx-paths-e2e-');

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
    await page.goto(server.url);
    await page.evaluate(`localStorage.setItem('hx.token', ${JSON.stringify(server.adminToken)})`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The counts of the top-paths table, and its rows' steps as text. */
  const table = async () => {
    const rows = page.locator('[data-testid="top-paths"] tbody tr');
    const out: { steps: string[]; sessions: number }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const steps = await rows.nth(i).locator('.step').allInnerTexts();
      out.push({ steps: steps.map((s) => s.trim()), sessions: Number((await rows.nth(i).locator('td.num').innerText()).replace(/[^\d]/g, '')) });
    }
    return out;
  };
  const asShown = (key: string) => (JSON.parse(key) as string[]).map((s) => (s === '(end)' ? '（会话结束）' : s === '(start)' ? '（会话开始）' : s));

  it('draws the Sankey after Product Viewed and lists the top paths with their counts', { timeout: 90_000 }, async () => {
    await page.goto(`${server.url}/analytics/paths`);
    const result = page.locator('[data-testid="paths-result"][data-anchor="Product Viewed"][data-status="ok"]');
    await result.waitFor({ timeout: 60_000 });
    const want = expected(sent.sessions, 'Product Viewed', 'after', 4);
    assert.equal(Number(await result.getAttribute('data-sessions')), [...want.values()].reduce((a, b) => a + b, 0));

    const canvas = page.locator('[data-chart="paths-sankey"] canvas').first();
    await canvas.waitFor();
    await page.waitForTimeout(800); // the entry animation
    const inked = await page.evaluate<number>(`(() => {
      const c = document.querySelector('[data-chart="paths-sankey"] canvas');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200)) n++;
      return n;
    })()`);
    assert.ok(inked > 2_000, `the Sankey drew ${inked} coloured pixels`);

    const rows = await table();
    assert.deepEqual(rows.map((r) => r.sessions), [...want.values()].sort((a, b) => b - a));
    for (const r of rows) assert.equal(want.get(JSON.stringify(r.steps.map((s) => (s === '（会话结束）' ? '(end)' : s)))), r.sessions, r.steps.join(' → '));
    // entry pages: every session begins at Home
    await page.locator('[data-testid="entries-pages"] tbody tr').first().waitFor();
    assert.equal((await page.locator('[data-testid="entries-pages"] tbody tr').first().locator('td').first().innerText()).trim(), 'Home');
  });

  it('changing the anchor and the direction asks again', { timeout: 90_000 }, async () => {
    await page.fill('[data-testid="anchor"]', 'Order Completed');
    await page.press('[data-testid="anchor"]', 'Enter');
    await page.click('button[data-direction="before"]');
    const result = page.locator('[data-testid="paths-result"][data-anchor="Order Completed"][data-status="ok"]');
    await result.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="top-paths"] tbody tr .step.anchor:text-is("Order Completed")').first().waitFor();
    // the direction switch may land after the anchor's answer: wait until the table shows the 'before' paths
    const want = expected(sent.sessions, 'Order Completed', 'before', 4);
    const shown = [...want.keys()].map((k) => asShown(k).join(' '));
    await page.waitForFunction(
      `(() => { const r = document.querySelector('[data-testid="top-paths"] tbody tr'); if (!r) return false; const t = [...r.querySelectorAll('.step')].map((s) => s.textContent.trim()).join(' '); return ${JSON.stringify(shown)}.includes(t); })()`,
      undefined,
      { timeout: 60_000 },
    );
    assert.equal(Number(await result.getAttribute('data-sessions')), [...want.values()].reduce((a, b) => a + b, 0));
    const rows = await table();
    assert.deepEqual(rows.map((r) => r.sessions), [...want.values()].sort((a, b) => b - a));
    for (const r of rows) assert.equal(want.get(JSON.stringify(r.steps.map((s) => (s === '（会话开始）' ? '(start)' : s)))), r.sessions, r.steps.join(' → '));

    const file = screenshotPath('analytics-paths');
    await page.screenshot({ path: file, fullPage: true });
    noteScreenshot(file);
  });
});
