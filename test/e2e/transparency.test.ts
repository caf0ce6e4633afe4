import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { ensureWebBuilt, launchChromium, signIn } from '../support/browser.ts';
import { api, ingest, tmpDataDir } from '../support/server.ts';

/**
 * The transparency page in Chromium: every tag listed with the sensitive attributes it reads (the age band reads age), a
 * marketing tag built on gender flagged by the policy check, and the recommendation exposure table per
 * city tier — each as the API answers it.
 */

describe('transparency page (browser)', () => {
  const dataDir = tmpDataDir(after, 'hx-transparency-');
  let server: Server;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }), 'test');
    const admin = api(server.url, server.adminToken);
    const ts = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const batch = ['tp-1', 'tp-2', 'tp-3', 'tp-4'].flatMap((u, i) => [
      { type: 'identify', userId: u, messageId: `${u}-i`, timestamp: ts(50), traits: { gender: i % 2 ? 'male' : 'female', age: 20 + 10 * i, city_tier: i < 2 ? '一线' : '二线' } },
      { type: 'track', event: 'Order Completed', userId: u, messageId: `${u}-o`, timestamp: ts(40), properties: { order_id: `o-${u}`, revenue: 50 } },
    ]);
    assert.equal((await ingest(server.url, server.writeKey).send('batch', { batch })).status, 200);
    const tag = await admin.post('/api/v1/tags', {
      code: 'ladies_night', category: 'custom', name_zh: '女士专享', name_en: 'Ladies night', valueType: 'boolean', kind: 'rule', purpose: 'marketing',
      spec: { type: 'rule', when: { eq: [{ tag: 'gender' }, 'female'] } },
    });
    assert.equal(tag.status, 201, tag.text);
    await server.rt.tags.build({ trigger: 'test' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await signIn(page, server.url, server.adminToken);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists each tag with its inputs and flags the marketing tag built on gender', async () => {
    await page.click('[data-nav="transparency"]');
    await page.waitForURL(/\/transparency$/);
    const ageBand = page.locator('[data-testid="transparency-tags"] tr[data-tag="age_band"] td').last();
    assert.equal((await ageBand.innerText()).trim(), 'age', 'the age band reads the age tag');
    const violations = page.locator('[data-testid="fairness-violations"] tbody tr');
    await violations.first().waitFor();
    const api = (await (await fetch(`${server.url}/api/v1/transparency/policy`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as { violations: { id: string }[] };
    assert.equal(await violations.count(), api.violations.length);
    assert.match(await violations.first().innerText(), /ladies_night[\s\S]*gender/);
    await page.locator('[data-testid="exposure-recs"]').waitFor();
  });
});
