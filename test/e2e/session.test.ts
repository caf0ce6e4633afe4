import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { ensureWebBuilt, launchChromium, signIn } from '../support/browser.ts';
import { api, tmpDataDir } from '../support/server.ts';

/**
 * The dashboard's sign-in in a real browser against a real server: the key typed in becomes an HttpOnly
 * session cookie and is kept nowhere the page's scripts can read; a reload stays signed in; a write made
 * through the dashboard carries the CSRF token and succeeds, while a bare same-origin fetch without it is
 * refused; a key an older version left in local storage is moved into a session and removed; signing out
 * ends the session on the server; a revoked key sends the dashboard back to the login page; a second
 * workspace's key signs in to that workspace, whose data alone the dashboard then shows.
 */

/** the page's globals, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
declare const document: { cookie: string };

const dataDir = tmpDataDir(after, 'hx-session-ui-');
let server: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let viewer: { id: string; key: string };
let segmentId: string;

/** everything in the page's local storage, as one string */
const storage = () => page.evaluate(() => Array.from({ length: localStorage.length }, (_, i) => `${localStorage.key(i)}=${localStorage.getItem(localStorage.key(i)!)}`).join('\n'));
const sessionCookie = async () => (await context.cookies(server.url)).find((c) => c.name === 'hx_session');

before(async () => {
  ensureWebBuilt();
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'error', workspaces: ['shop2'] }), 'test');
  const admin = api(server.url, server.adminToken);
  const made = await admin.post('/api/v1/keys', { kind: 'secret', name: 'ui viewer', role: 'viewer' });
  assert.equal(made.status, 201, made.text);
  viewer = { id: made.body.id, key: made.body.key };
  const seg = await admin.post('/api/v1/segments', { name: 'Viewers of anything', kind: 'dynamic', rule: { event: 'Product Viewed' } });
  assert.equal(seg.status, 201, seg.text);
  segmentId = seg.body.id;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

describe('dashboard session (browser)', () => {
  it('signs in to a cookie the page cannot read, and keeps no key in local storage', async () => {
    await signIn(page, server.url, server.adminToken);
    assert.equal((await page.getByTestId('whoami').getAttribute('data-role')), 'admin');
    const cookie = await sessionCookie();
    assert.ok(cookie, 'hx_session set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, false, 'plain http on loopback');
    assert.equal((await page.evaluate(() => document.cookie)).includes('hx_session'), false, 'invisible to scripts');
    const stored = await storage();
    assert.equal(stored.includes(server.adminToken), false, `local storage holds the key:\n${stored}`);
    assert.equal(stored.includes(cookie.value), false, 'nor the session id');
  });

  it('stays signed in across a reload', async () => {
    await page.reload();
    await page.locator('[data-nav="overview"]').waitFor();
    assert.equal(await page.locator('input[name="token"]').count(), 0, 'no login form');
  });

  it('writes through the dashboard with the CSRF token; a fetch without it is refused', async () => {
    await page.goto(`${server.url}/segments/${segmentId}`);
    await page.getByTestId('evaluate-segment').click();
    await page.locator('[data-testid="action-message"].action-ok').waitFor();
    const bare = await page.evaluate(async (id) => {
      const res = await fetch(`/api/v1/segments/${id}/evaluate`, { method: 'POST', credentials: 'same-origin' });
      return { status: res.status, body: await res.text() };
    }, segmentId);
    assert.equal(bare.status, 403, bare.body);
    assert.match(bare.body, /x-csrf-token/);
  });

  it('moves a key an older version left in local storage into a session, and removes it', async () => {
    await page.evaluate((k) => (globalThis as unknown as { localStorage: { setItem(a: string, b: string): void } }).localStorage.setItem('hx.token', k), viewer.key);
    await page.reload();
    await page.locator('[data-testid="whoami"][data-role="viewer"]').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('hx.token')), null);
    assert.equal((await storage()).includes(viewer.key), false);
  });

  it('signs out: the server ends the session, and a reload shows the login page', async () => {
    const before = (await sessionCookie())!.value;
    await page.getByTestId('logout').click();
    await page.locator('input[name="token"]').waitFor();
    assert.equal(await sessionCookie(), undefined, 'cookie cleared');
    const reuse = await fetch(`${server.url}/api/v1/session`, { headers: { cookie: `hx_session=${before}` } });
    assert.equal(reuse.status, 401, 'the old cookie no longer opens anything');
    await page.reload();
    await page.locator('input[name="token"]').waitFor();
  });

  it('returns to the login page when the key behind the session is revoked', async () => {
    await signIn(page, server.url, viewer.key);
    const revoked = await api(server.url, server.adminToken).del(`/api/v1/keys/${viewer.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    // the page's next request finds the session over: this click's, or one of the overview's own requests
    // still on their way when the key went — then the login page has already replaced the link
    const login = page.locator('input[name="token"]');
    const click = page.locator('[data-nav="profiles"]').click();
    click.catch(() => {}); // when the login page came first, the click has nothing left to click
    await Promise.race([click, login.waitFor()]);
    await login.waitFor();
    await page.getByRole('alert').waitFor();
    // a reload still says the session ended (the cookie names one that is over), rather than a bare login page
    await page.reload();
    await page.locator('input[name="token"]').waitFor();
    await page.getByRole('alert').waitFor();
  });

  it('signs in to another workspace with its key, and shows that workspace\'s data only', async () => {
    const shop2 = server.workspaces.get('shop2')!;
    await signIn(page, server.url, shop2.adminToken);
    assert.equal(await page.getByTestId('workspace').textContent(), 'shop2 · ');
    assert.match(decodeURIComponent((await sessionCookie())!.value), /^shop2\./);
    await page.goto(`${server.url}/segments`);
    await page.locator('[data-nav="segments"]').waitFor();
    const seen = await page.evaluate(async () => (await (await fetch('/api/v1/segments', { credentials: 'same-origin' })).json()) as { segments: { id: string }[] });
    assert.equal(seen.segments.some((s) => s.id === segmentId), false, 'the default workspace\'s segment is not in shop2');
    assert.equal(await page.getByText('Viewers of anything').count(), 0);
  });
});
