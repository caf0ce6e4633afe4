import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './server.ts';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Builds the dashboard into web/dist when no build is there yet (a fresh clone's `npm ci` normally has). */
export function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(repoRoot, 'web', 'dist', 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:web'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  assert.equal(r.status, 0, `npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
}

/** Chinese text needs a CJK font (Debian: fonts-noto-cjk); without one the picture would show boxes. */
const cjkFonts = (spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout ?? '').trim() !== '';

/** Where a browser test's screenshot goes: docs/screenshots/NAME.png with a CJK font, else a temp file. */
export function screenshotPath(name: string): string {
  return cjkFonts ? path.join(repoRoot, 'docs', 'screenshots', `${name}.png`) : path.join(os.tmpdir(), `hx-${name}.png`);
}

/** Says where the screenshot went when it could not go to docs/screenshots. */
export function noteScreenshot(file: string): void {
  if (!cjkFonts) console.log(`# no CJK font installed (apt-get install fonts-noto-cjk): screenshot left in ${file}, docs/screenshots untouched`);
}

/** Debian's Chromium, headless, with nothing that would reach beyond loopback (no sync, updates or background fetches). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Signs in to the dashboard at `url` with `token` and waits for the navigation. A session the page's
 * browser context already holds is dropped first (its cookie), so a second sign-in on the same page works.
 */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.context().clearCookies({ name: 'hx_session' });
  await page.goto(url);
  await page.fill('input[name="token"]', token);
  await page.click('button[type="submit"]');
  await page.locator('[data-nav="overview"]').waitFor();
}
