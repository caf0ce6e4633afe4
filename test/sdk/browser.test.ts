import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { launchChromium } from '../support/browser.ts';
import { api, eventually, repoRoot, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';
import { ensureSdkBuilt, segmentSnippet } from './support.ts';

/**
 * The browser SDK in real Chromium against a spawned `huaxiang serve`. The shop's pages come from a second
 * HTTP server on another port (another origin, as a shop's own domain would be), and load the SDK from
 * Huaxiang's stable path. What the page sends is watched on the wire (every /v1/batch request, fetch or
 * beacon); what arrived is read back through the API, and at the end straight from ClickHouse.
 */

interface Sent {
  /** fetch (HTTP Basic) or beacon (sendBeacon: key in the body; Chromium does not show a beacon's body) */
  kind: 'fetch' | 'beacon';
  auth: string | undefined;
  writeKey: unknown;
  batch: Record<string, any>[];
}

let hx!: SpawnedServer;
let browser!: Browser;
let shop2!: { adminToken: string; writeKey: string };
let shop!: http.Server;
let shopUrl = '';
const pages = new Map<string, string>();
const sdkVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'sdk', 'package.json'), 'utf8')) as { version: string }).version;

after(async () => {
  await browser?.close();
  shop?.close();
  await hx?.stop();
});
// after hooks run in order: the server stops before its data dir goes
const dataDir = tmpDataDir(after, 'hx-sdk-browser-');
before(async () => {
  ensureSdkBuilt();
  // a second workspace: its write key must reach it by fetch and by beacon (docs/workspaces.md)
  hx = await spawnServer({ dataDir, env: { HX_WORKSPACES: 'shop2' } });
  shop2 = JSON.parse(fs.readFileSync(path.join(dataDir, 'workspaces', 'shop2', 'credentials.json'), 'utf8')) as { adminToken: string; writeKey: string };
  browser = await launchChromium();
  shop = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === '/npm/index.js') {
      // the npm package's ES module, as a shop's bundler would ship it
      return res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(fs.readFileSync(path.join(repoRoot, 'sdk', 'dist', 'index.js')));
    }
    const page = pages.get(pathname);
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page ?? 'not found');
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});

const sdkSrc = () => `${hx.url}/sdk/v1/huaxiang.min.js`;
const attrs = (a: Record<string, string>) => Object.entries(a).map(([k, v]) => ` ${k}="${v}"`).join('');
/** A shop page with the plain script tag (write key and switches as data attributes). */
function tagPage(p: string, title: string, a: Record<string, string> = {}): string {
  pages.set(p, `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><script src="${sdkSrc()}" data-write-key="${hx.writeKey}"${attrs(a)}></script></head><body><h1>${title}</h1></body></html>`);
  return shopUrl + p;
}
/** A shop page that configures the SDK through a stub (what `analytics.load(key, options)` leaves). */
function stubPage(p: string, options: Record<string, unknown>, writeKey = hx.writeKey): string {
  const stub = `window.analytics = Object.assign([], { _writeKey: ${JSON.stringify(writeKey)}, _loadOptions: ${JSON.stringify(options)} });`;
  pages.set(p, `<!doctype html><html><head><meta charset="utf-8"><title>stub</title><script>${stub}</script><script async src="${sdkSrc()}"></script></head><body></body></html>`);
  return shopUrl + p;
}

/** Every /v1/batch request the context makes, with its parsed body. */
function watch(context: BrowserContext): Sent[] {
  const sent: Sent[] = [];
  context.on('request', (req) => {
    if (req.method() !== 'POST' || !req.url().startsWith(`${hx.url}/v1/batch`)) return;
    const raw = req.postDataBuffer(); // none for a beacon's Blob: its content is checked where it arrives
    const body = JSON.parse(raw?.toString('utf8') || '{}') as { batch?: Record<string, any>[]; writeKey?: unknown };
    sent.push({ kind: req.resourceType() === 'ping' ? 'beacon' : 'fetch', auth: req.headers()['authorization'], writeKey: body.writeKey, batch: body.batch ?? [] });
  });
  return sent;
}
const messages = (sent: Sent[]) => sent.flatMap((s) => s.batch);

/**
 * Notes every beacon the context's pages send in local storage (`test_beacons`): the page is gone by the
 * time its beacon leaves, so the next page reads them there.
 */
async function recordBeacons(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      const ok = send(url, data);
      const seen = JSON.parse(localStorage.getItem('test_beacons') || '[]');
      localStorage.setItem('test_beacons', JSON.stringify(seen.concat([{ url: String(url), bytes: data.size, type: data.type, ok }])));
      return ok;
    };
  })()`);
}

const run = <T = unknown>(page: Page, js: string) => page.evaluate<T>(`(async () => { ${js} })()`);
/** The messageIds the SDK keeps in localStorage (one `hx_queue.<page>.<messageId>` entry each: `[purpose, message]`). */
const stored = (page: Page) =>
  run<string[]>(page, "return Object.keys(localStorage).filter((k) => k.startsWith('hx_queue')).map((k) => JSON.parse(localStorage.getItem(k))[1].messageId)");
const loaded = (page: Page) => page.waitForFunction('window.analytics && window.analytics.initialized === true');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TimelineEvent { messageId: string; type: string; event: string; anonymousId: string; userId: string; properties: Record<string, unknown> }
async function timeline(id: string, token = hx.adminToken): Promise<TimelineEvent[]> {
  const r = await api(hx.url, token).get<{ events: TimelineEvent[] }>(`/api/v1/profiles/${encodeURIComponent(id)}/events?limit=1000`);
  return r.status === 200 ? r.body.events : [];
}
/** Waits until the person's timeline holds exactly these messageIds (each once); `token` reads another workspace. */
async function arrived(id: string, ids: string[], label: string, token = hx.adminToken): Promise<TimelineEvent[]> {
  const want = [...ids].sort();
  const events = await eventually(async () => {
    const got = await timeline(id, token);
    return got.length >= want.length ? got : null;
  });
  assert.ok(events, `${label}: nothing (or too little) arrived for ${id}`);
  assert.deepEqual(events.map((e) => e.messageId).sort(), want, `${label}: the timeline of ${id}`);
  return events;
}

/** What test 1 sent, checked column by column in ClickHouse by the last test. */
let fieldCheck: { ids: string[]; anonymousId: string; userAgent: string; url: string; page: Record<string, any>; viewed: Record<string, any>; order: Record<string, any>; identify: Record<string, any> } | undefined;

describe('browser SDK in Chromium', () => {
  it('serves the SDK with caching headers, gzip and CORS', async () => {
    const r = await fetch(sdkSrc(), { headers: { 'accept-encoding': 'gzip', origin: 'http://shop.example' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/javascript/);
    assert.match(r.headers.get('cache-control') ?? '', /max-age=\d+/);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const etag = r.headers.get('etag');
    assert.ok(etag);
    const built = fs.readFileSync(path.join(repoRoot, 'sdk', 'dist', 'huaxiang.min.js'), 'utf8');
    assert.equal(await r.text(), built, 'the served file is the build');
    const again = await fetch(sdkSrc(), { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const segmentPath = await fetch(`${hx.url}/analytics.js/v1/${hx.writeKey}/analytics.min.js`);
    assert.equal(segmentPath.status, 200);
    assert.equal(await segmentPath.text(), built);
    const bad = await fetch(`${hx.url}/analytics.js/v1/${encodeURIComponent('no way')}/analytics.min.js`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^path\.writeKey: /);
  });

  it('track, page, identify, group and the e-commerce helpers arrive with the page, campaign and library context', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const sent = watch(context);
    const page = await context.newPage();
    const url = tagPage('/shop/product/42.html', '商品 42', { 'data-auto-page': 'true' }) + '?utm_source=newsletter&utm_medium=email&utm_campaign=double11';
    await page.goto(url);
    await loaded(page);
    await run(
      page,
      `analytics.productViewed({ product_id: 'sku-42', name: '连衣裙', category: '服饰/女装', brand: 'Acme', price: 199.5, currency: 'CNY' });
       analytics.identify('sdk-web-user-1', { name: 'Li Lei', email: 'lilei@example.com', plan: 'vip' });
       analytics.orderCompleted({ order_id: 'web-o-1', revenue: 399, currency: 'CNY', products: [{ product_id: 'sku-42', price: 199.5, quantity: 2, category: '服饰/女装' }] });
       analytics.group('org-7', { name: 'Acme Ltd' });
       await analytics.flush();`,
    );
    const out = messages(sent);
    assert.deepEqual(out.map((m) => m.type), ['page', 'track', 'identify', 'track', 'group'], 'the auto page view, then the calls in order');
    assert.ok(sent.every((s) => s.kind === 'fetch' && s.auth === `Basic ${Buffer.from(`${hx.writeKey}:`).toString('base64')}`), 'batches carry the write key as HTTP Basic');
    const anonymousId = (await context.cookies(shopUrl)).find((c) => c.name === 'hx_aid')?.value;
    assert.ok(anonymousId, 'the anonymous id is in a first-party cookie');
    assert.ok(out.every((m) => m.anonymousId === anonymousId), 'every message carries the cookie’s anonymousId');
    assert.equal(new Set(out.map((m) => m.messageId)).size, out.length, 'a messageId per message');
    const [pageView, viewed, identify, order, group] = out as [Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>];
    assert.equal(viewed.event, 'Product Viewed');
    assert.equal(order.event, 'Order Completed');
    assert.equal(viewed.userId, null, 'before identify the visitor is anonymous');
    assert.equal(order.userId, 'sdk-web-user-1');
    assert.equal(group.groupId, 'org-7');
    assert.deepEqual(pageView.properties.url, url);

    const events = await arrived('sdk-web-user-1', out.map((m) => m.messageId), 'identified visitor');
    const byId = new Map(events.map((e) => [e.messageId, e]));
    assert.deepEqual(byId.get(viewed.messageId)!.properties, { product_id: 'sku-42', name: '连衣裙', category: '服饰/女装', brand: 'Acme', price: 199.5, currency: 'CNY' });
    assert.equal(byId.get(order.messageId)!.properties.order_id, 'web-o-1');
    const userAgent = await run<string>(page, 'return navigator.userAgent');
    fieldCheck = { ids: out.map((m) => m.messageId), anonymousId, userAgent, url, page: pageView, viewed, order, identify };
    await context.close();
  });

  it('a reload keeps the anonymousId (cookie, and localStorage when the cookie is gone)', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    const page = await context.newPage();
    const url = tagPage('/shop/reload.html', 'reload');
    await page.goto(url);
    await loaded(page);
    const cookie = (await context.cookies(shopUrl)).find((c) => c.name === 'hx_aid');
    assert.ok(cookie, 'hx_aid cookie set on load');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.httpOnly, false);
    assert.ok(Math.abs(cookie.expires - (Date.now() / 1000 + 365 * 86_400)) < 3_600, 'kept for a year');
    const first = cookie.value;
    assert.equal(await run(page, "return localStorage.getItem('hx_aid')"), first, 'mirrored in localStorage');

    await page.reload();
    await loaded(page);
    await run(page, "analytics.track('Reloaded', { n: 1 }); await analytics.flush();");
    await context.clearCookies();
    await page.reload();
    await loaded(page);
    assert.equal(await run(page, 'return analytics.user().anonymousId()'), first, 'restored from localStorage without the cookie');
    assert.equal((await context.cookies(shopUrl)).find((c) => c.name === 'hx_aid')?.value, first, 'and the cookie is written again');
    await run(page, "analytics.track('Reloaded', { n: 2 }); await analytics.flush();");

    const out = messages(sent);
    assert.equal(out.length, 2);
    assert.ok(out.every((m) => m.anonymousId === first));
    await arrived(first, out.map((m) => m.messageId), 'after reloads');
    await context.close();
  });

  it('an offline period is queued (memory and localStorage) and flushed later, also from the next page', { timeout: 90_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    let page = await context.newPage();
    const url = tagPage('/shop/offline.html', 'offline');
    await page.goto(url);
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');

    // 1. offline while the page stays open: retried with backoff, sent when the browser is back online
    await context.setOffline(true);
    await run(page, "for (let i = 0; i < 3; i++) analytics.track('Offline Event', { i });");
    await sleep(2_500);
    const queued = await stored(page);
    assert.equal(queued.length, 3, 'the three events wait in localStorage');
    assert.deepEqual(await timeline(anonymousId), [], 'nothing arrived while offline');
    await context.setOffline(false);
    await arrived(anonymousId, queued, 'back online');

    // 2. offline, then the tab closes: the next page of the site takes the stored queue over
    await context.setOffline(true);
    await run(page, "analytics.track('Closed Offline', { i: 1 }); analytics.track('Closed Offline', { i: 2 });");
    await sleep(800); // bursts are written to localStorage within 300 ms
    const left = (await stored(page)).filter((id) => !queued.includes(id));
    assert.equal(left.length, 2);
    const next = await context.newPage();
    await page.close(); // pagehide while offline: no beacon, the entries stay
    await context.setOffline(false);
    page = next;
    await page.goto(url);
    await loaded(page);
    await arrived(anonymousId, [...queued, ...left], 'the next page sent what the closed one left');
    await sleep(800);
    assert.deepEqual(await stored(page), [], 'the stored queue is empty once sent');
    const ids = messages(sent).map((m) => m.messageId);
    assert.deepEqual([...new Set(ids)].sort(), [...queued, ...left].sort(), 'only these messages went out');
    await context.close();
  });

  it('a batch whose answer is lost is retried with the same messageIds and stored once', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    const page = await context.newPage();
    let lost = 0;
    await page.route(`${hx.url}/v1/batch`, async (route) => {
      if (route.request().method() === 'POST' && lost === 0) {
        lost++;
        const res = await route.fetch(); // the server stores the batch …
        assert.equal(res.status(), 200);
        return route.abort('connectionreset'); // … but the page never hears back
      }
      return route.continue();
    });
    await page.goto(stubPage('/shop/lost.html', { retryBase: 200 }));
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');
    await run(page, "analytics.productAdded({ product_id: 'sku-7', price: 9.9, quantity: 1 }); analytics.cartViewed({ cart_id: 'c-1' }); await analytics.flush();");
    const ids = await eventually(async () => {
      const all = messages(sent).map((m) => m.messageId);
      return all.length >= 4 ? all : null; // the lost batch and its retry
    });
    assert.ok(ids, `expected a retry; saw ${messages(sent).length} messages sent`);
    assert.equal(lost, 1);
    const unique = [...new Set(ids)];
    assert.equal(unique.length, 2, 'the retry carried the same two messageIds');
    await arrived(anonymousId, unique, 'stored once');
    await context.close();
  });

  it('consent: nothing is sent or stored for a purpose the user has not granted', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    const page = await context.newPage();
    await page.goto(tagPage('/shop/consent.html', 'consent', { 'data-require-consent': 'true' }));
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');

    await run(page, "analytics.track('Product Viewed', { product_id: 'c-1' }); analytics.page('Before Consent');");
    await sleep(1_500);
    assert.equal(sent.length, 0, 'no request before any consent');
    assert.equal((await context.cookies(shopUrl)).length, 0, 'no cookie before any consent');
    assert.deepEqual(await run(page, "return Object.keys(localStorage).filter((k) => k.startsWith('hx_'))"), [], 'nothing in localStorage');

    await run(
      page,
      `analytics.consent.set({ analytics: true });
       analytics.track('Product Viewed', { product_id: 'c-2' });
       analytics.track('Coupon Applied', { coupon: 'SPRING' }, { purpose: 'marketing' });
       await analytics.flush();`,
    );
    assert.equal((await context.cookies(shopUrl)).find((c) => c.name === 'hx_aid')?.value, anonymousId, 'the id is kept once a purpose is granted');

    // queued while offline, then consent withdrawn: the queued event is dropped, never sent
    await context.setOffline(true);
    await run(page, "analytics.track('Product Viewed', { product_id: 'c-3' });");
    await sleep(300);
    await run(page, 'analytics.consent.set({ analytics: false });');
    await context.setOffline(false);
    await run(page, 'await analytics.flush();');
    await sleep(1_500);

    const out = messages(sent);
    const tracked = out.filter((m) => m.type === 'track').map((m) => m.properties.product_id ?? m.event);
    assert.deepEqual(tracked, ['c-2'], 'only the event sent under granted consent went out');
    assert.ok(!out.some((m) => m.event === 'Coupon Applied'), 'the marketing event never left the page');
    const records = out.filter((m) => m.type === 'identify').map((m) => m.traits.consent);
    assert.deepEqual(records, [{ analytics: true }, { analytics: false }], 'each consent change is recorded as identify traits.consent');
    assert.deepEqual(out.map((m) => m.context.consent.categoryPreferences).slice(0, 2), [{ analytics: true }, { analytics: true }]);
    await arrived(anonymousId, out.map((m) => m.messageId), 'consent');
    assert.equal((await context.cookies(shopUrl)).length, 0, 'the cookie is removed when every purpose is refused');
    await context.close();
  });

  it('on page hide the queue goes out by sendBeacon', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    await recordBeacons(context);
    const sent = watch(context);
    const page = await context.newPage();
    await page.goto(stubPage('/shop/beacon.html', { flushInterval: 600_000, flushAt: 1000 }));
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');
    await run(page, "analytics.productViewed({ product_id: 'b-1' }); analytics.productAdded({ product_id: 'b-1', quantity: 1 }); analytics.checkoutStarted({ order_id: 'b-o-1', revenue: 10 });");
    await sleep(500);
    assert.equal(sent.length, 0, 'held back by the long flush interval');
    const ids = await stored(page);
    assert.equal(ids.length, 3);

    await page.goto(tagPage('/shop/next.html', 'next')); // pagehide
    await loaded(page);
    const beacons = await run<{ url: string; bytes: number; type: string; ok: boolean }[]>(page, "return JSON.parse(localStorage.getItem('test_beacons') || '[]')");
    assert.equal(beacons.length, 1, 'one beacon on page hide');
    assert.deepEqual([beacons[0]!.url, beacons[0]!.type, beacons[0]!.ok], [`${hx.url}/v1/batch`, 'text/plain', true], 'a text/plain beacon (no preflight) to /v1/batch');
    const events = await arrived(anonymousId, ids, 'beacon');
    assert.deepEqual(events.map((e) => e.event).sort(), ['Checkout Started', 'Product Added', 'Product Viewed']);
    assert.equal(sent.length, 0, 'no fetch carried them: the beacon did (its key in the body, as beacons cannot set headers)');
    assert.deepEqual(await stored(page), [], 'nothing left for the next page to send');
    await context.close();
  });

  it('a workspace\'s write key sends to that workspace: its batches and its beacon go to /w/<name>/v1/batch', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    await recordBeacons(context);
    const fetched: string[] = [];
    context.on('request', (req) => void (req.method() === 'POST' && req.resourceType() !== 'ping' && fetched.push(req.url())));
    const page = await context.newPage();
    await page.goto(stubPage('/shop/ws.html', { flushInterval: 200, flushAt: 1 }, shop2.writeKey));
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');
    await run(page, "analytics.productViewed({ product_id: 'ws-1' });");
    assert.ok(await eventually(async () => (await stored(page)).length === 0), 'the queue was sent');
    assert.ok(fetched.some((u) => u === `${hx.url}/w/shop2/v1/batch`), `the batch went to shop2's prefix: ${fetched.join(', ')}`);
    // then a queue held back until the page goes: the beacon carries the key in the body, so the path must say the workspace
    await page.goto(stubPage('/shop/ws-held.html', { flushInterval: 600_000, flushAt: 1000 }, shop2.writeKey));
    await loaded(page);
    await run(page, "analytics.productAdded({ product_id: 'ws-1', quantity: 1 });");
    await sleep(500);
    const held = await stored(page);
    assert.ok(held.length >= 1, 'the event waits in the queue');
    await page.goto(tagPage('/shop/ws-next.html', 'next'));
    await loaded(page);
    const beacons = await run<{ url: string; ok: boolean }[]>(page, "return JSON.parse(localStorage.getItem('test_beacons') || '[]')");
    assert.ok(beacons.length >= 1, 'a beacon on page hide');
    assert.deepEqual(beacons.filter((b) => b.url !== `${hx.url}/w/shop2/v1/batch` || !b.ok), [], 'every beacon went to shop2\'s prefix and was accepted');
    const tracked = async (token?: string) => (await timeline(anonymousId, token)).filter((e) => e.type === 'track');
    const events = await eventually(async () => {
      const got = await tracked(shop2.adminToken);
      return got.length >= 2 ? got : null;
    });
    assert.ok(events, 'both events arrived in shop2');
    assert.deepEqual(events.map((e) => e.event).sort(), ['Product Added', 'Product Viewed']);
    assert.ok(held.includes(events.find((e) => e.event === 'Product Added')!.messageId), 'the beacon carried the held event');
    assert.deepEqual(await tracked(), [], 'none of them in the default workspace');
    await context.close();
  });

  it('a tab going to the background (visibilitychange → hidden) sends its queue by beacon as well', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    const page = await context.newPage();
    await page.goto(stubPage('/shop/hidden.html', { flushInterval: 600_000, flushAt: 1000 }));
    await loaded(page);
    const anonymousId = await run<string>(page, 'return analytics.user().anonymousId()');
    await run(page, "analytics.productViewed({ product_id: 'h-1' }); analytics.productViewed({ product_id: 'h-2' });");
    await sleep(300);
    assert.equal(sent.length, 0);
    // what the browser does when the user switches tabs or apps
    await run(page, "Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true }); document.dispatchEvent(new Event('visibilitychange'));");
    const beacons = await eventually(async () => (sent.length ? sent : null));
    assert.ok(beacons, 'a request went out when the tab was hidden');
    assert.deepEqual(beacons.map((b) => [b.kind, b.auth]), [['beacon', undefined]], 'one beacon (a ping: no headers, so the key rides in the body)');
    const events = await eventually(async () => ((await timeline(anonymousId)).length >= 2 ? timeline(anonymousId) : null));
    assert.deepEqual(events?.map((e) => e.properties.product_id).sort(), ['h-1', 'h-2'], 'both queued events arrived');
    await sleep(500);
    assert.deepEqual(await stored(page), [], 'and left the stored queue');
    await context.close();
  });

  it('a page written for Segment works unchanged: the analytics.js snippet’s stub calls are replayed', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    // a visitor Segment's analytics.js already knew: the id it left in its cookie is kept
    await context.addCookies([{ name: 'ajs_anonymous_id', value: '%22seg-anon-7%22', url: shopUrl }]);
    const sent = watch(context);
    const page = await context.newPage();
    const snippet = segmentSnippet(hx.writeKey, hx.url);
    pages.set(
      '/shop/segment.html',
      `<!doctype html><html><head><meta charset="utf-8"><title>Segment page</title><script>${snippet}
        analytics.identify('seg-user-1', { plan: 'pro' });
        analytics.track('Product Added', { product_id: 'seg-sku', price: 10, quantity: 1 });
        analytics.addSourceMiddleware(function () {});
        analytics.ready(function () { window.__ready = analytics.user().anonymousId(); });
      </script></head><body></body></html>`,
    );
    await page.goto(`${shopUrl}/shop/segment.html`);
    await page.waitForFunction('window.__ready');
    assert.equal(await run(page, 'return window.__ready'), 'seg-anon-7', 'ready ran after load, with the id Segment left');
    await run(
      page,
      `window.analytics.page('Docs', 'Install', { section: 'sdk' });
       window.analytics.track('Order Completed', { order_id: 'seg-o-1', revenue: 10, currency: 'CNY' }, { context: { app: { name: 'web' } } });
       window.analytics.alias('seg-user-1-new');
       await window.analytics.flush();
       window.analytics.reset();`,
    );
    const out = messages(sent);
    assert.deepEqual(
      out.map((m) => [m.type, m.event ?? m.name ?? '']),
      [['page', ''], ['identify', ''], ['track', 'Product Added'], ['page', 'Install'], ['track', 'Order Completed'], ['alias', '']],
      'the snippet’s queued calls first, in order, then the live ones',
    );
    assert.ok(out.every((m) => m.anonymousId === 'seg-anon-7'));
    assert.ok(!JSON.stringify(out).includes('"__t"'), 'the snippet’s buffered page context is not sent as properties');
    const live = out[3]!;
    assert.equal(live.category, 'Docs');
    assert.equal(live.properties.section, 'sdk');
    assert.equal(out[4]!.context.app.name, 'web', 'options.context is merged');
    assert.deepEqual([out[5]!.previousId, out[5]!.userId], ['seg-user-1', 'seg-user-1-new']);
    assert.notEqual(await run(page, 'return analytics.user().anonymousId()'), 'seg-anon-7', 'reset() starts a new anonymous id');
    assert.equal(await run(page, 'return analytics.user().id()'), null);
    await arrived('seg-user-1-new', out.map((m) => m.messageId), 'Segment page');
    await context.close();
  });

  it('the npm ES module works in a single-page app: automatic page views follow history navigation', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const sent = watch(context);
    const page = await context.newPage();
    pages.set(
      '/shop/spa.html',
      `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title><script type="module">
        import { createAnalytics, ecommerceEvents } from '/npm/index.js';
        window.hx = createAnalytics({ writeKey: ${JSON.stringify(hx.writeKey)}, apiHost: ${JSON.stringify(hx.url)}, autoPage: true });
        window.cartEvent = ecommerceEvents.cartViewed;
      </script></head><body></body></html>`,
    );
    await page.goto(`${shopUrl}/shop/spa.html`);
    await page.waitForFunction('window.hx');
    assert.equal(await run(page, 'return typeof window.analytics'), 'undefined', 'the module sets no globals');
    await run(page, "history.pushState({}, '', '/shop/spa/cart'); hx.cartViewed({ cart_id: 'spa-1' }); history.replaceState({}, '', '/shop/spa/cart'); await hx.flush();");
    const out = messages(sent);
    assert.deepEqual(
      out.map((m) => [m.type, m.type === 'page' ? m.properties.path : m.event]),
      [['page', '/shop/spa.html'], ['page', '/shop/spa/cart'], ['track', await run(page, 'return window.cartEvent')]],
      'a page view on load and one per new URL (replaceState to the same URL adds none)',
    );
    assert.equal(out[2]!.event, 'Cart Viewed');
    assert.equal(out[2]!.context.page.path, '/shop/spa/cart', 'the context follows the navigation');
    await arrived(out[0]!.anonymousId, out.map((m) => m.messageId), 'spa');
    await context.close();
  });

  it('what arrived is in ClickHouse with the right columns', { timeout: 90_000 }, async () => {
    assert.ok(fieldCheck, 'the first browser test ran');
    const f = fieldCheck;
    assert.equal(await hx.stop(), 0, `serve did not exit cleanly\n${hx.output()}`);
    const rt = await openRuntime(testConfig({ dataDir, logLevel: 'silent' }), { command: 'test' });
    try {
      const rows = await rt.olap.query<Record<string, any>>(
        `SELECT message_id, type, event, anonymous_id, user_id, session_id, product_id, order_id, category, brand, price, revenue, currency,
                products, page_url, page_path, referrer, utm_source, utm_medium, utm_campaign, device_type, os_name, locale, timezone,
                user_agent, library, context, traits, email_hash, group_id, sent_at IS NOT NULL AS has_sent_at
         FROM ${rt.olap.db}.events WHERE message_id IN {ids:Array(String)}`,
        { ids: f.ids },
      );
      assert.equal(rows.length, f.ids.length, 'each message stored once');
      const by = new Map(rows.map((r) => [r.message_id as string, r]));
      const u = new URL(f.url);
      for (const r of rows) {
        assert.equal(r.anonymous_id, f.anonymousId);
        assert.equal(r.library, 'huaxiang.js');
        assert.equal(JSON.parse(r.context).library.version, sdkVersion);
        assert.equal(r.user_agent, f.userAgent);
        assert.equal(r.locale, 'zh-CN');
        assert.equal(r.timezone, 'Asia/Shanghai');
        assert.equal(r.device_type, 'pc');
        assert.equal(r.os_name, 'Linux');
        assert.deepEqual([r.utm_source, r.utm_medium, r.utm_campaign], ['newsletter', 'email', 'double11']);
        assert.ok(r.session_id, 'a session id');
        assert.equal(Number(r.has_sent_at), 1, 'the batch sentAt kept for clock-skew correction');
      }
      assert.equal(new Set(rows.map((r) => r.session_id)).size, 1, 'one session');
      const pageRow = by.get(f.page.messageId)!;
      assert.deepEqual([pageRow.type, pageRow.page_url, pageRow.page_path], ['page', f.url, u.pathname]);
      const viewed = by.get(f.viewed.messageId)!;
      assert.deepEqual(
        [viewed.event, viewed.product_id, viewed.category, viewed.brand, Number(viewed.price), viewed.currency, viewed.user_id],
        ['Product Viewed', 'sku-42', '服饰/女装', 'Acme', 199.5, 'CNY', ''],
      );
      assert.equal(viewed.page_url, f.url, 'the page context of a track call');
      const order = by.get(f.order.messageId)!;
      assert.deepEqual([order.order_id, Number(order.revenue), order.user_id], ['web-o-1', 399, 'sdk-web-user-1']);
      const products = (order.products as { product_id: string; price: number; quantity: number }[]).map((p) => [p.product_id, Number(p.price), Number(p.quantity)]);
      assert.deepEqual(products, [['sku-42', 199.5, 2]]);
      const identify = by.get(f.identify.messageId)!;
      assert.equal(identify.user_id, 'sdk-web-user-1');
      assert.ok(!String(identify.traits).includes('lilei@example.com'), 'the email is not stored in the clear');
      assert.ok(identify.email_hash, 'but can be matched by its keyed hash');
    } finally {
      await rt.close();
    }
  });
});
