import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, tmpDataDir } from '../support/server.ts';
import { launchChromium } from '../support/browser.ts';

/**
 * `huaxiang demo` on a small shop, as a user runs it: the process prints a URL and a token, and the
 * dashboard shows the shop the generator made — its orders and GMV equal the generator's own truth.
 */
describe('huaxiang demo, end to end in a browser', () => {
  const dataDir = tmpDataDir();
  let demo: ChildProcess;
  let url = '';
  let token = '';
  let browser: Browser;
  let page: Page;

  before(async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HX_') && k !== 'NODE_TEST_CONTEXT'));
    demo = spawn(process.execPath, ['bin/huaxiang.js', 'demo', '--users', '150', '--days', '14', '--seed', 'demo-e2e', '--data', dataDir, '--port', '0'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo not ready in 120 s:\n${out}`)), 120_000);
      demo.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const u = /dashboard\s+(http:\/\/\S+?)\/?\s/.exec(out);
        const t = /admin token\s+(\S+)/.exec(out);
        if (u && t && out.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          url = u[1]!;
          token = t[1]!;
          resolve();
        }
      });
      demo.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      demo.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  });
  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await new Promise((r) => demo.once('exit', r));
    }
  });

  it('logs in with the printed token and shows the generated shop’s orders and GMV', { timeout: 60_000 }, async () => {
    const truth = JSON.parse(fs.readFileSync(path.join(dataDir, 'world', 'truth', 'summary.json'), 'utf8'));
    assert.ok(truth.orders > 20, `${truth.orders} orders generated`);
    await page.goto(`${url}/`);
    await page.fill('input[name="token"]', token);
    await page.keyboard.press('Enter');
    const gmv = page.locator('[data-kpi="gmv"]');
    await gmv.waitFor();
    await page.locator('[data-kpi="orders"][data-value]').waitFor();
    assert.equal(Number(await page.locator('[data-kpi="orders"]').getAttribute('data-value')), truth.orders);
    assert.ok(Math.abs(Number(await gmv.getAttribute('data-value')) - truth.revenue) < 0.5, 'GMV equals the generated revenue');
  });

  it('draws the daily trend and switches to English', { timeout: 60_000 }, async () => {
    const canvas = page.locator('[data-chart="trend"] canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'the trend chart has a size');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    assert.equal((await page.locator('[data-kpi="gmv"] .kpi-label').innerText()).trim(), 'GMV');
  });
});
