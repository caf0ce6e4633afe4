import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };

/**
 * The funnels and retention pages in a real browser against a real server: a small shop goes in over
 * /v1/batch; the funnel page must show the step counts this file computes from the shop it sent, change
 * when a step's event or the order changes, and save who dropped at a step as a static segment of the
 * expected size; the retention page must show the cohort sizes this file computes, by week and by day.
 * The API's 400s name the field. Leaves docs/screenshots/analytics-funnels.png and
 * analytics-retention.png (when a CJK font is installed).
 */

const DAY = 86_400_000;
const NOW = Date.now();
const V = 'Product Viewed';
const A = 'Product Added';
const C = 'Checkout Started';
const O = 'Order Completed';
const X = 'Cart Viewed';

/** timelines by pattern, as minutes after the visit's start (the '2d' add comes two days later: outside a 1-day window) */
const PATTERNS: [string, number][][] = [
  [[V, 0], [A, 3], [C, 8], [O, 12]],
  [[V, 0], [A, 2], [C, 9]],
  [[V, 0], [A, 4]],
  [[V, 0]],
  [[V, 0], [X, 1], [A, 2], [C, 5], [O, 7]],
  [[V, 0], [A, 2 * 1440]],
];
const SHOPPERS = Array.from({ length: 30 }, (_, i) => ({
  userId: `fn_${String(i + 1).padStart(2, '0')}`,
  pattern: PATTERNS[i % PATTERNS.length]!,
  // visits 3–20 days ago (the late add of the last pattern stays in the past) at midday Shanghai-ish time, away from any window or range edge; a few came back weeks earlier
  start: NOW - (3 + ((i * 7) % 18)) * DAY - 3 * 3_600_000,
  earlier: i % 4 === 0 ? NOW - (30 + ((i * 5) % 40)) * DAY : null,
}));

function shop(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let seq = 0;
  for (const s of SHOPPERS) {
    if (s.earlier !== null) out.push({ type: 'track', event: 'Products Searched', messageId: `fn-${++seq}`, userId: s.userId, timestamp: new Date(s.earlier).toISOString(), properties: { query: '连衣裙' } });
    for (const [event, min] of s.pattern) {
      out.push({ type: 'track', event, messageId: `fn-${++seq}`, userId: s.userId, timestamp: new Date(s.start + min * 60_000).toISOString(), properties: event === O ? { order_id: `FN-${seq}`, revenue: 99 } : { product_id: 'p1', price: 99 } });
    }
  }
  return out;
}

// ---- what the pages must show, from the shop this file sends ---------------------------------------------

/** loose: each step the first matching event after the previous one, within a day of the view (each shopper views once) */
function looseLevel(events: [string, number][], steps: string[]): number {
  let level = 1;
  let at = events.find(([e]) => e === steps[0])?.[1];
  if (at === undefined) return 0;
  const start = at;
  for (const step of steps.slice(1)) {
    const next = events.find(([e, m]) => e === step && m >= at! && m <= start + 1440);
    if (!next) break;
    at = next[1];
    level++;
  }
  return level;
}
/** strict: the steps must be the shopper's consecutive events from the view */
function strictLevel(events: [string, number][], steps: string[]): number {
  const i = events.findIndex(([e]) => e === steps[0]);
  if (i < 0) return 0;
  let level = 1;
  for (let k = 1; k < steps.length && i + k < events.length; k++) {
    const [e, m] = events[i + k]!;
    if (e !== steps[k] || m > events[i]![1] + 1440) break;
    level++;
  }
  return level;
}
const counts = (steps: string[], level: (e: [string, number][], s: string[]) => number) =>
  steps.map((_, j) => SHOPPERS.filter((s) => level(s.pattern, steps) > j).length);

const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const monday = (d: string) => shift(d, -((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7));
/** cohort sizes by first event, every period of the range (the page asks for `days` days up to the latest event) */
function cohortSizes(granularity: 'week' | 'day', days: number): number[] {
  const firsts = SHOPPERS.map((s) => shanghaiDay(Math.min(s.start, s.earlier ?? Infinity)));
  const last = SHOPPERS.map((s) => shanghaiDay(s.start + Math.max(...s.pattern.map(([, m]) => m)) * 60_000)).sort().at(-1)!;
  const to = shift(last, 1);
  const align = granularity === 'week' ? monday : (d: string) => d;
  const sizes: number[] = [];
  for (let p = align(shift(to, -days)); p < to; p = shift(p, granularity === 'week' ? 7 : 1)) sizes.push(firsts.filter((f) => align(f) === p).length);
  return sizes;
}

async function login(page: Page, server: Server) {
  await signIn(page, server.url, server.adminToken);
}

/** Waits until the funnel result is settled and shows `want` as its step counts. */
async function funnelCounts(page: Page, want: number[]): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const r = document.querySelector('[data-testid="funnel-result"]');
      return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-counts') === w;
    },
    want.join(','),
    { timeout: 20_000 },
  ).catch(async () => {
    const shown = await page.getByTestId('funnel-result').getAttribute('data-counts').catch(() => null);
    assert.fail(`the funnel shows ${shown}, expected ${want.join(',')}`);
  });
}

async function retentionSizes(page: Page, want: number[]): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const r = document.querySelector('[data-testid="retention-result"]');
      return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-sizes') === w;
    },
    want.join(','),
    { timeout: 20_000 },
  ).catch(async () => {
    const shown = await page.getByTestId('retention-result').getAttribute('data-sizes').catch(() => null);
    assert.fail(`the retention page shows cohorts ${shown}, expected ${want.join(',')}`);
  });
}

describe('funnels and retention (browser)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof api>;
  const dataDir = tmpDataDir(after, 'hx-funnels-e2e-');
  const four = [V, A, C, O];

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: shop() });
    assert.equal(r.status, 200, r.text);
    admin = api(server.url, server.adminToken);
    const total = shop().length;
    const stored = await eventually(async () => {
      const f = await admin.get('/api/v1/analytics/events');
      return (f.body?.events ?? []).reduce((a: number, e: { count: number }) => a + e.count, 0) === total;
    }, 20_000);
    assert.ok(stored, 'the events were stored');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(15_000);
    await login(page, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the shop separates the cases the page must tell apart', () => {
    assert.deepEqual(counts(four, looseLevel), [30, 20, 15, 10]);
    assert.deepEqual(counts(four, strictLevel), [30, 15, 10, 5]);
    assert.deepEqual(counts([V, X, C, O], looseLevel), [30, 5, 5, 5]);
  });

  it('the funnel page shows the counts, follows a changed step and order, and saves who dropped', { timeout: 120_000 }, async () => {
    await page.goto(`${server.url}/analytics/funnels`);
    await page.getByTestId('funnels-page').waitFor();
    await funnelCounts(page, counts(four, looseLevel));
    assert.equal(await page.locator('[data-testid="funnel-table"] tbody tr').count(), 4);
    assert.ok((await page.locator('[data-chart="funnel"] canvas').count()) >= 1, 'the chart is drawn');

    // step 2 becomes Cart Viewed: only the shoppers who looked at their cart get past it
    await page.locator('[data-testid="funnel-steps"] [data-step="2"] select[name="event"]').selectOption(X);
    await funnelCounts(page, counts([V, X, C, O], looseLevel));
    await page.locator('[data-testid="funnel-steps"] [data-step="2"] select[name="event"]').selectOption(A);
    await funnelCounts(page, counts(four, looseLevel));

    // strict order: a cart view between the view and the add ends the funnel
    await page.locator('select[name="order"]').selectOption('strict');
    await funnelCounts(page, counts(four, strictLevel));
    await page.waitForTimeout(800); // the charts' entry animation, for the picture
    await page.screenshot({ path: screenshotPath('analytics-funnels'), fullPage: true });
    noteScreenshot(screenshotPath('analytics-funnels'));

    // who dropped after step 2 (added, never started checkout), as a static segment
    const want = SHOPPERS.filter((s) => strictLevel(s.pattern, four) === 2).map((s) => s.userId).sort();
    await page.locator('[data-testid="funnel-table"] tr[data-step="2"] [data-action="save-dropped"]').click();
    await page.locator('[data-testid="save-dropped"] input[name="segment-name"]').fill('加购未结算');
    await page.locator('[data-testid="save-dropped"] button[type="submit"]').click();
    const saved = page.getByTestId('saved-segment');
    await saved.waitFor();
    assert.equal(Number(await saved.getAttribute('data-size')), want.length);
    const id = await saved.getAttribute('data-segment');
    const members = await admin.get(`/api/v1/segments/${id}/members`);
    assert.deepEqual([...members.body.userIds].sort(), want);
  });

  it('the retention page shows the cohorts by week and by day, and a changed return event changes the curve', { timeout: 120_000 }, async () => {
    await page.goto(`${server.url}/analytics/retention`);
    await page.getByTestId('retention-page').waitFor();
    await retentionSizes(page, cohortSizes('week', 90));
    assert.ok((await page.locator('[data-chart="retention-heatmap"] canvas').count()) >= 1, 'the heatmap is drawn');
    const before = await page.getByTestId('retention-result').getAttribute('data-average');
    await page.locator('select[name="returnEvent"]').selectOption(O);
    await page.waitForFunction((b) => {
      const r = document.querySelector('[data-testid="retention-result"]');
      return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-average') !== b;
    }, before);
    await page.locator('[data-granularity="day"]').click();
    await retentionSizes(page, cohortSizes('day', 30));
    await page.locator('[data-granularity="week"]').click();
    await retentionSizes(page, cohortSizes('week', 90));
    await page.waitForTimeout(800);
    await page.screenshot({ path: screenshotPath('analytics-retention'), fullPage: true });
    noteScreenshot(screenshotPath('analytics-retention'));
  });

  it('the API answers 400 naming the field', async () => {
    const steps = four.map((event) => ({ event, where: [] }));
    const cases: [string, Record<string, unknown>, string][] = [
      ['/api/v1/analytics/funnels', { steps: steps.slice(0, 1) }, 'body.steps'],
      ['/api/v1/analytics/funnels', { steps: [{ event: V, where: [{ field: 'colour', op: 'eq', value: 'red' }] }, steps[1]] }, 'body.steps.0.where.0.field'],
      ['/api/v1/analytics/funnels', { steps, windowDays: 1, windowMinutes: 30 }, 'body.windowDays'],
      ['/api/v1/analytics/funnels', { steps, order: 'sideways' }, 'body.order'],
      ['/api/v1/analytics/funnels', { steps, from: '2025-02-30' }, 'body.from'],
      ['/api/v1/analytics/funnels', { steps, breakdown: 'segment:nope' }, 'body.breakdown'],
      ['/api/v1/analytics/funnels/dropped-segment', { steps, step: 4, name: 'x' }, 'body.step'],
      ['/api/v1/analytics/funnels/dropped-segment', { steps, step: 1 }, 'body.name'],
    ];
    for (const [url, body, path] of cases) {
      const r = await admin.post(url, body);
      assert.equal(r.status, 400, `${url} ${JSON.stringify(body)}: ${r.text}`);
      assert.ok(r.body.error.details.some((d: { path: string }) => d.path === path), `${path} in ${r.text}`);
    }
    for (const [query, path] of [['periods=53', 'query.periods'], ['granularity=year', 'query.granularity'], ['segment=nope', 'query.segment'], ['mode=forever', 'query.mode']]) {
      const r = await admin.get(`/api/v1/analytics/retention?${query}`);
      assert.equal(r.status, 400, r.text);
      assert.ok(r.body.error.details.some((d: { path: string }) => d.path === path), `${path} in ${r.text}`);
    }
    // the routes describe themselves in the OpenAPI document
    const doc = await admin.get('/api/openapi.json');
    assert.equal(doc.status, 200, doc.text);
    for (const path of ['/api/v1/analytics/funnels', '/api/v1/analytics/funnels/dropped-segment', '/api/v1/analytics/events', '/api/v1/analytics/retention']) assert.ok(doc.body.paths[path], path);
    assert.ok(doc.body.paths['/api/v1/analytics/retention'].get.parameters.some((q: { name: string }) => q.name === 'cohortEvent'));
    // and a good request answers what the page showed
    const ok = await admin.post('/api/v1/analytics/funnels', { steps, order: 'loose', windowDays: 1 });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.steps.map((s: { count: number }) => s.count), counts(four, looseLevel));
  });
});
