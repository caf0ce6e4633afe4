import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';
import { DAY, MINUTE, byId, consent, ev, loadCatalog } from './fixture.ts';

/**
 * The recommendations page in a real browser against a real server: a person's list with a reason on
 * every row (the same list the API gives), the training status with its schedule, and an offline
 * evaluation run from the page with its chart and table. Leaves docs/screenshots/recommendations.png
 * (when a CJK font is installed).
 */

const screenshot = screenshotPath('recommendations');
let dir: string;
let server: Server;
let browser: Browser;
let page: Page;
const now = Date.now();

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

before(async () => {
  ensureWebBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-rec-dash-'));
  server = await startServer(testConfig({ dataDir: dir, port: 0, logLevel: 'silent' }));
  await loadCatalog(server.rt, now);
  const batch = [];
  // ten shoppers over 40 days, so that the page's evaluation (cut 14 days before the last order) has both sides
  for (let n = 0; n < 10; n++) {
    const u = `d${n}`;
    const t = now - 40 * DAY + n * 3 * DAY;
    batch.push(consent(u, t - DAY), ev.view(u, 'a1', t), ev.view(u, 'a2', t + MINUTE), ev.view(u, 'b3', t + 2 * MINUTE), ev.buy(u, n % 2 ? ['a2', 'a4'] : ['b1', 'b2'], t + 3 * MINUTE), ev.buy(u, ['c2'], t + 2 * DAY));
  }
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}` },
    body: JSON.stringify({ batch }),
  });
  assert.equal(res.status, 200, await res.text());
  assert.equal((await call('POST', '/api/v1/builds', {})).status, 200);
  assert.equal((await call('POST', '/api/v1/recommendations/train', {})).status, 200);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page.setDefaultTimeout(20_000);
  await signIn(page, server.url, server.adminToken);
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('recommendations dashboard', () => {
  it('previews a person’s list with a reason on every row, as the API answers it', async () => {
    await page.locator('[data-nav="recommendations"]').click();
    await page.getByTestId('rec-preview').locator('input[name="userId"]').fill('d1');
    await page.getByTestId('rec-show').click();
    const rows = page.getByTestId('rec-items').locator('tbody tr');
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => ({ item: tr.getAttribute('data-item'), reason: tr.querySelector('[data-reason]')?.textContent ?? '' })));
    const api = await call('GET', '/api/v1/recommendations/users/d1?limit=20&scene=home&lang=zh');
    assert.deepEqual(shown.map((s) => s.item), api.body.items.map((i: any) => i.itemId));
    assert.ok(shown.length > 0 && shown.every((s) => s.reason.trim().length > 3), JSON.stringify(shown));
    assert.ok(shown.some((s) => /浏览过|购买过|相似|一起购买|偏好|热销|欢迎|热度|新品/.test(s.reason)));
    assert.ok(shown.every((s) => byId.has(s.item!)));
  });

  it('shows the training run and schedule, and runs an offline evaluation with its chart', async () => {
    const training = page.getByTestId('rec-training');
    await training.getByTestId('rec-trained-at').waitFor();
    assert.match(await training.textContent() ?? '', /360/);
    // the people prepared after the training, as the status reports them
    const { preparation } = (await call('GET', '/api/v1/recommendations/status')).body;
    assert.ok(preparation.total > 0 && preparation.seconds !== undefined, JSON.stringify(preparation));
    assert.ok((await training.getByTestId('rec-preparation').textContent() ?? '').includes(String(preparation.total)));
    await page.getByTestId('rec-eval-run').click();
    const table = page.getByTestId('rec-eval-table');
    await table.waitFor({ timeout: 60_000 });
    const models = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    assert.ok(models.includes('blend') && models.includes('popularity') && models.includes('item-cf'), models.join(' '));
    const blendRecall = Number(await table.locator('tr[data-model="blend"] td').nth(1).textContent());
    const api = await call('GET', '/api/v1/recommendations/evaluation');
    assert.equal(blendRecall.toFixed(4), api.body.rows.find((r: any) => r.model === 'blend').metrics['recall@20'].toFixed(4));
    assert.equal(await page.getByTestId('rec-eval').locator('canvas, svg').count() > 0, true);
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });
});
