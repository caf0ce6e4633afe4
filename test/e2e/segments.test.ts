import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, repoRoot, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<unknown> };

/**
 * The segments area in a real browser against a real server: a small shop goes in over /v1/batch, tags are
 * built, and a three-condition segment is put together in the visual builder — its live count must be the
 * number this file computes from the shop it sent — saved, found in the list and opened (size, entries,
 * composition, evaluate, CSV export). Then the overlap of three segments, a lookalike saved as a static
 * segment, a clustering run, the RFM view (counts, then movement after more orders and a second build)
 * against the API, a deletion, and English. Leaves docs/screenshots/segments.png (when a CJK font is
 * installed, as dashboard.test.ts does).
 */

const screenshot = screenshotPath('segments');

// ---- 24 shoppers, relative to now; no event near a window's edge -------------------------------------------

const DAY = 86_400_000;
const NOW = Date.now();
const PRODUCTS = [
  { product_id: 'sg-lip', category: '美妆个护/彩妆/口红', brand: '兰蔻', price: 320 },
  { product_id: 'sg-cream', category: '美妆个护/护肤/面霜', brand: 'SK-II', price: 1090 },
  { product_id: 'sg-phone', category: '手机数码/手机', brand: '华为', price: 4999 },
  { product_id: 'sg-shoe', category: '运动户外/跑鞋', brand: '李宁', price: 459 },
  { product_id: 'sg-tea', category: '食品生鲜/茶叶', brand: '西湖', price: 128 },
];
/** orders and product views as days ago, by pattern */
const ORDER_DAYS = [[5, 40], [100], [12], [3, 20, 65], []];
const VIEW_DAYS = [[], [2], [1, 9], [4, 11, 18], [2, 6, 14, 22]];
const TIERS = ['一线', '新一线', '二线', '三线'];

interface Shopper {
  userId: string;
  gender: 'female' | 'male';
  /** consent to personalisation (and marketing); analytics always */
  consent: boolean;
  orders: number[];
  views: number[];
}
const SHOPPERS: Shopper[] = Array.from({ length: 24 }, (_, i) => ({
  userId: `sg_${String(i + 1).padStart(2, '0')}`,
  gender: i % 3 === 2 ? 'male' : 'female',
  consent: i !== 13 && i !== 22,
  orders: ORDER_DAYS[i % 5]!,
  views: [...VIEW_DAYS[(i * 3 + 1 + Math.floor(i / 5)) % 5]!, i % 2 ? 45 : 70],
}));

const ts = (daysAgo: number, minutes = 0) => new Date(NOW - daysAgo * DAY + minutes * 60_000).toISOString();
let seq = 0;
function order(s: Shopper, i: number, k: number, daysAgo: number): Record<string, unknown> {
  const p = PRODUCTS[(i * 3 + k) % PRODUCTS.length]!;
  const coupon = (i + k) % 3 === 0;
  return {
    type: 'track', event: 'Order Completed', messageId: `sg-${++seq}`, timestamp: ts(daysAgo, 3), userId: s.userId, anonymousId: `sg-dev-${i}`,
    properties: { order_id: `SG-${seq}`, revenue: coupon ? p.price - 30 : p.price, discount: coupon ? 30 : 0, ...(coupon ? { coupon: 'SAVE30' } : {}), currency: 'CNY', products: [{ ...p, quantity: 1 }] },
  };
}
function shop(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  SHOPPERS.forEach((s, i) => {
    const ids = { userId: s.userId, anonymousId: `sg-dev-${i}` };
    const oldest = Math.max(...s.views, ...s.orders);
    const consent = { analytics: true, personalization: s.consent, marketing: s.consent };
    out.push({ type: 'identify', messageId: `sg-${++seq}`, timestamp: ts(oldest, -5), ...ids, traits: { name: `顾客${i + 1}`, gender: s.gender, age: 20 + ((i * 7) % 30), city_tier: TIERS[i % 4], consent } });
    s.views.forEach((d, k) => {
      const p = PRODUCTS[(i + k) % PRODUCTS.length]!;
      out.push({ type: 'track', event: 'Product Viewed', messageId: `sg-${++seq}`, timestamp: ts(d), ...ids, properties: { ...p, currency: 'CNY', dwell_seconds: 10 + ((i * 13 + k * 7) % 90) } });
    });
    s.orders.forEach((d, k) => out.push(order(s, i, k, d)));
  });
  return out;
}

// what the test expects, from its own data
const orders90 = (s: Shopper) => s.orders.filter((d) => d < 90).length;
const views30 = (s: Shopper) => s.views.filter((d) => d < 30).length;
const ids = (xs: Shopper[]) => xs.map((s) => s.userId).sort();
const FEMALE = ids(SHOPPERS.filter((s) => s.gender === 'female'));
const WANTED = ids(SHOPPERS.filter((s) => s.gender === 'female' && orders90(s) >= 1 && views30(s) >= 2));
const REPEAT = ids(SHOPPERS.filter((s) => orders90(s) >= 2));
const RECENT = ids(SHOPPERS.filter((s) => s.orders.some((d) => d < 30)));
/** the rule the builder must produce, key order as the builder writes it */
const RULE = {
  all: [
    { tag: 'gender', op: 'eq', value: 'female' },
    { tag: 'orders_90d', op: 'gte', value: 1 },
    { event: 'Product Viewed', count: { op: 'gte', value: 2 }, within: { days: 30 } },
  ],
};

async function login(page: Page, server: Server) {
  await signIn(page, server.url, server.adminToken);
}

/** Adds a condition of `kind` to the root group and answers its row. */
async function addCondition(page: Page, kind: string, index: number) {
  await page.getByTestId('rule-root').getByTestId('add-condition').click();
  await page.locator(`.menu [data-add="${kind}"]`).click();
  const row = page.locator(`[data-testid="rule-root"] [data-path="${index}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-cond'), kind);
  return row;
}

/** Waits until the live count answers for exactly `rule`, and returns the count shown. */
async function liveCount(page: Page, rule: unknown): Promise<number> {
  const want = JSON.stringify(rule);
  await page.waitForFunction(
    (w) => {
      const panel = document.querySelector('[data-testid="segment-preview"]');
      const count = document.querySelector('[data-testid="live-count"]');
      return panel?.getAttribute('data-status') === 'ok' && count?.getAttribute('data-rule') === w;
    },
    want,
    { timeout: 20_000 },
  );
  return Number(await page.getByTestId('live-count').getAttribute('data-value'));
}

describe('segments (browser)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof api>;
  let segId = '';
  const dataDir = tmpDataDir(after, 'hx-segments-');

  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', tags: { buildEveryMinutes: 0, refreshDelayMs: 100 } }));
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: shop() });
    assert.equal(r.status, 200, r.text);
    admin = api(server.url, server.adminToken);
    const last = SHOPPERS.at(-1)!;
    const stored = await eventually(async () => (await admin.get(`/api/v1/profiles/${last.userId}`)).body?.eventCounts?.['Product Viewed'] === last.views.length, 20_000);
    assert.ok(stored, 'the events were stored');
    // the live refresher recomputes the people those events touched; a full build that overlaps it can
    // lose values (the refresh tombstones every value older than its own version), so let it finish first
    await server.rt.tags.live.settled();
    const b = await admin.post('/api/v1/builds', {});
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.persons, SHOPPERS.length);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    page.setDefaultTimeout(15_000);
    await login(page, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the shop gives the segment something to separate', () => {
    assert.ok(WANTED.length >= 6 && SHOPPERS.some((s) => WANTED.includes(s.userId) && !s.consent), `${WANTED.length} people match`);
    assert.ok(SHOPPERS.some((s) => s.gender === 'male' && orders90(s) >= 1 && views30(s) >= 2), 'gender matters');
    assert.ok(SHOPPERS.some((s) => s.gender === 'female' && orders90(s) === 0 && views30(s) >= 2), 'orders matter');
    assert.ok(SHOPPERS.some((s) => s.gender === 'female' && orders90(s) >= 1 && views30(s) === 1), 'the view count matters');
  });

  it('builds a three-condition segment whose live count is what the shop implies, and saves it', { timeout: 90_000 }, async () => {
    await page.locator('[data-nav="segments"]').click();
    await page.getByRole('heading', { name: '人群圈选' }).waitFor();
    await page.getByTestId('segment-list-empty').waitFor();
    await page.getByTestId('new-segment').click();
    await page.waitForURL(/\/segments\/new$/);
    assert.equal(await page.getByTestId('segment-preview').getAttribute('data-status'), 'idle');

    // gender = female: an enum tag offers its labelled values
    const gender = await addCondition(page, 'tag', 0);
    await gender.locator('select[name="tag"]').selectOption('gender');
    assert.equal(await gender.getAttribute('data-complete'), 'false', 'no value yet');
    assert.equal((await gender.locator('select[name="value"] option[value="female"]').innerText()).trim(), '女');
    await gender.locator('select[name="value"]').selectOption('female');
    assert.equal(await liveCount(page, RULE.all[0]), FEMALE.length);

    // orders in 90 days ≥ 1: a number tag takes a number
    const orders = await addCondition(page, 'tag', 1);
    await orders.locator('select[name="tag"]').selectOption('orders_90d');
    await orders.locator('select[name="op"]').selectOption('gte');
    assert.equal(await orders.locator('input[name="value"]').getAttribute('type'), 'number');
    await orders.locator('input[name="value"]').fill('1');

    // viewed a product at least twice in 30 days
    const views = await addCondition(page, 'event', 2);
    await views.locator('input[name="event"]').fill('Product Viewed');
    await views.locator('select[name="performed"]').selectOption('did');
    await views.locator('select[name="countOp"]').selectOption('gte');
    await views.locator('input[name="count"]').fill('2');
    await views.locator('select[name="within"]').selectOption('days');
    await views.locator('input[name="withinN"]').fill('30');

    assert.equal(await liveCount(page, RULE), WANTED.length);
    const sample = await page.locator('[data-testid="preview-sample"] a').evaluateAll((as) => as.map((a) => a.getAttribute('data-user')));
    assert.deepEqual(sample.sort(), WANTED, 'the sample (up to 10) is the members');
    assert.equal((await admin.post('/api/v1/segments/preview', { rule: RULE })).body.count, WANTED.length, 'the API agrees');

    // the JSON view shows the same rule, and the rows come back from it
    await page.locator('[data-mode="json"]').click();
    assert.deepEqual(JSON.parse(await page.getByTestId('rule-json').inputValue()), RULE);
    await page.locator('[data-mode="visual"]').click();
    assert.equal(await page.locator('[data-testid="rule-root"] [data-path]').count(), 3);
    assert.equal(await page.locator('[data-testid="rule-root"] [data-path="1"] input[name="value"]').inputValue(), '1');

    // NOT on a row is counted at once, and undone
    await page.locator('[data-testid="rule-root"] [data-path="1"]').getByTestId('negate').check();
    const negated = { all: [RULE.all[0], { not: RULE.all[1] }, RULE.all[2]] };
    const noOrders = SHOPPERS.filter((s) => s.gender === 'female' && orders90(s) === 0 && views30(s) >= 2).length;
    assert.equal(await liveCount(page, negated), noOrders);
    await page.locator('[data-testid="rule-root"] [data-path="1"]').getByTestId('negate').uncheck();
    assert.equal(await liveCount(page, RULE), WANTED.length);

    await page.fill('input[name="name"]', '活跃女性买家');
    await page.fill('input[name="description"]', '女性，近 90 天下过单，近 30 天浏览商品至少 2 次');
    await page.locator('input[name="description"]').blur();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.waitForTimeout(300);
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);

    await page.getByTestId('save-segment').click();
    await page.waitForURL(/\/segments\/seg_[0-9a-f]+$/);
    segId = page.url().split('/').pop()!;
    const detail = page.locator(`[data-testid="segment-detail"][data-id="${segId}"]`);
    await detail.waitFor();
    assert.equal(Number(await detail.getByTestId('segment-size').getAttribute('data-value')), WANTED.length);
    assert.equal((await detail.getByTestId('segment-name').innerText()).trim(), '活跃女性买家');
    assert.match(await detail.getByTestId('segment-rule-text').innerText(), /性别 等于 女 且 近90天订单数 大于等于 1 且 近 30 天 Product Viewed 次数大于等于 2/);
    const entered = await detail.locator('[data-testid="segment-changes"] tr[data-change="entered"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    assert.deepEqual(entered.sort(), WANTED, 'everyone entered on create');
    await detail.locator('[data-chart="segment-sizes"] canvas').first().waitFor();

    const saved = (await admin.get(`/api/v1/segments/${segId}`)).body;
    assert.deepEqual(saved.rule, RULE);
    assert.equal(saved.kind, 'dynamic');
    assert.equal(saved.size, WANTED.length);
  });

  it('the list has it; the detail shows composition, evaluates and exports the members', { timeout: 60_000 }, async () => {
    await page.locator('[data-tab="list"]').click();
    const row = page.locator(`[data-testid="segment-list"] tr[data-segment="${segId}"]`);
    await row.waitFor();
    assert.equal(Number(await row.getAttribute('data-size')), WANTED.length);
    assert.match(await row.innerText(), /活跃女性买家/);
    await row.click();
    await page.waitForURL(new RegExp(`/segments/${segId}$`));
    const detail = page.getByTestId('segment-detail');

    // composition by city tier: the bars and the table match the API (and the shop)
    const comp = detail.getByTestId('composition');
    await comp.locator('select[name="compositionTag"]').selectOption('city_tier');
    await page.locator('[data-testid="composition"][data-tag="city_tier"] [data-chart="segment-composition"] canvas').first().waitFor();
    const apiComp = (await admin.get(`/api/v1/segments/${segId}/composition?tag=city_tier`)).body.values as { value: string; count: number }[];
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="composition-values"] tbody tr').length === n, apiComp.length);
    const shown = await comp.locator('[data-testid="composition-values"] tbody tr').evaluateAll((rows) => rows.map((r) => ({ value: r.getAttribute('data-value'), count: Number(r.getAttribute('data-count')) })));
    assert.deepEqual(shown, apiComp);
    const tierOf = (id: string) => TIERS[SHOPPERS.findIndex((s) => s.userId === id) % 4]!;
    for (const v of apiComp) assert.equal(v.count, WANTED.filter((id) => tierOf(id) === v.value).length, v.value);

    // evaluate now: nothing changed
    await detail.getByTestId('evaluate-segment').click();
    await detail.getByTestId('action-message').filter({ hasText: `已重新计算：${WANTED.length} 人，新进入 0，离开 0` }).waitFor();
    assert.equal((await admin.get(`/api/v1/segments/${segId}`)).body.sizes.length, 2);

    // the CSV export downloads the members
    const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId('export-csv').click()]);
    assert.equal(download.suggestedFilename(), `${segId}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'userId');
    assert.deepEqual(csv.slice(1).sort(), WANTED);

    // editing starts from the saved rule: the same rows, the same count
    await detail.getByTestId('edit-segment').click();
    await page.waitForURL(new RegExp(`/segments/${segId}/edit$`));
    assert.deepEqual(await page.locator('[data-testid="rule-root"] [data-path]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cond'))), ['tag', 'tag', 'event']);
    assert.equal(await page.locator('input[name="name"]').inputValue(), '活跃女性买家');
    assert.equal(await liveCount(page, RULE), WANTED.length);
    await page.goBack();
    await page.locator(`[data-testid="segment-detail"][data-id="${segId}"]`).waitFor();
  });

  it('the overlap of three segments, as regions and a Venn picture', { timeout: 60_000 }, async () => {
    const repeat = await admin.post('/api/v1/segments', { name: '复购用户', rule: { tag: 'orders_90d', op: 'gte', value: 2 } });
    const recent = await admin.post('/api/v1/segments', { name: '近30天下单', rule: { event: 'Order Completed', within: { days: 30 } } });
    assert.equal(repeat.status, 201, repeat.text);
    assert.equal(recent.status, 201, recent.text);
    assert.equal(repeat.body.size, REPEAT.length);
    assert.equal(recent.body.size, RECENT.length);
    const three = [segId, repeat.body.id as string, recent.body.id as string];
    const sets = [WANTED, REPEAT, RECENT].map((x) => new Set(x));

    await page.locator('[data-tab="overlap"]').click();
    await page.waitForURL(/\/segments\/overlap$/);
    for (let i = 0; i < 3; i++) await page.locator(`select[name="overlap${i}"]`).selectOption(three[i]!);
    const table = page.getByTestId('overlap-regions');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="overlap-regions"] tbody tr').length === 7);
    const overlap = (await admin.post('/api/v1/segments/overlap', { ids: three })).body as { regions: { in: string[]; count: number }[] };
    for (const r of overlap.regions) {
      const row = table.locator(`tbody tr[data-in="${[...r.in].sort().join(',')}"]`);
      assert.equal(Number(await row.getAttribute('data-count')), r.count, r.in.join('+'));
      // and from the shop: people in exactly those segments
      const inside = three.map((id) => r.in.includes(id));
      const want = SHOPPERS.filter((s) => inside.every((yes, k) => sets[k]!.has(s.userId) === yes)).length;
      assert.equal(r.count, want, `region ${inside}`);
    }
    const union = new Set([...WANTED, ...REPEAT, ...RECENT]).size;
    assert.equal(Number((await page.getByTestId('overlap-union').innerText()).replace(/\D/g, '')), union);
    assert.equal(await page.locator('[data-testid="venn"] circle').count(), 3);
    const all = overlap.regions.find((r) => r.in.length === 3)!.count;
    assert.equal((await page.locator('[data-testid="venn"] [data-region="0,1,2"]').textContent())?.trim(), String(all));
  });

  it('a lookalike of the segment, saved as a static segment', { timeout: 60_000 }, async () => {
    await page.locator('[data-tab="lookalike"]').click();
    await page.locator('select[name="seed"]').selectOption(segId);
    await page.fill('input[name="top"]', '5');
    await page.getByTestId('run-lookalike').click();
    const summary = page.getByTestId('lookalike-summary');
    await summary.waitFor({ timeout: 30_000 });
    const seeds = SHOPPERS.filter((s) => WANTED.includes(s.userId) && s.consent).length;
    assert.equal(Number(await summary.getAttribute('data-seeds')), seeds);
    assert.equal(Number(await summary.getAttribute('data-ignored')), WANTED.length - seeds, 'seeds without consent are left out');
    assert.equal(Number(await summary.getAttribute('data-scored')), SHOPPERS.filter((s) => s.consent).length - seeds);
    const picked = await page.locator('[data-testid="lookalike-selected"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')!));
    assert.equal(picked.length, 5);
    const direct = (await admin.post('/api/v1/segments/lookalike', { seedIds: WANTED, top: 5 })).body;
    assert.deepEqual(picked, direct.selected.map((x: { userId: string }) => x.userId));
    for (const id of picked) {
      assert.ok(!WANTED.includes(id), `${id} is not a seed`);
      assert.ok(SHOPPERS.find((s) => s.userId === id)!.consent, `${id} consented`);
    }
    await page.fill('input[name="lookalikeName"]', '活跃女性买家 · 相似 5 人');
    await page.getByTestId('save-lookalike').click();
    await page.waitForURL(/\/segments\/seg_[0-9a-f]+$/);
    const id = page.url().split('/').pop()!;
    const detail = page.locator(`[data-testid="segment-detail"][data-id="${id}"]`);
    await detail.waitFor();
    assert.equal(Number(await detail.getByTestId('segment-size').getAttribute('data-value')), 5);
    assert.equal(await detail.locator('[data-kind="static"]').count(), 1);
    const members = (await admin.get(`/api/v1/segments/${id}/members`)).body.userIds as string[];
    assert.deepEqual([...members].sort(), [...picked].sort());
  });

  it('runs clustering: sizes, a radar of the clusters, names and what sets each apart', { timeout: 60_000 }, async () => {
    await page.locator('[data-tab="clusters"]').click();
    await page.getByText('还没有聚类结果').waitFor();
    await page.fill('input[name="kMin"]', '2');
    await page.fill('input[name="kMax"]', '2');
    await page.getByTestId('run-clustering').click();
    const run = page.getByTestId('cluster-run');
    await run.waitFor({ timeout: 30_000 });
    const consenting = SHOPPERS.filter((s) => s.consent).length;
    assert.equal(Number(await run.getAttribute('data-k')), 2);
    assert.equal(Number(await run.getAttribute('data-persons')), consenting, 'only people who consented are clustered');
    const latest = (await admin.get('/api/v1/segments/clusters')).body;
    const cards = await page.locator('.cluster-card').evaluateAll((cs) => cs.map((c) => ({ id: Number(c.getAttribute('data-cluster')), size: Number(c.getAttribute('data-size')) })));
    assert.deepEqual(cards, latest.clusters.map((c: { id: number; size: number }) => ({ id: c.id, size: c.size })));
    assert.equal(cards.reduce((s, c) => s + c.size, 0), consenting);
    await page.locator('[data-chart="cluster-radar"] canvas').first().waitFor();
    await page.locator('[data-chart="cluster-sizes"] canvas').first().waitFor();
    const first = page.locator('.cluster-card[data-cluster="0"]');
    assert.match(await first.locator('.cluster-name').innerText(), new RegExp(latest.clusters[0].name_zh.replace(/[·()]/g, '.')));
    assert.equal(await first.locator('tr[data-feature]').count(), latest.clusters[0].distinguishing.length);
  });

  it('the RFM view: class counts as the API has them, then movement after more orders and a second build', { timeout: 120_000 }, async () => {
    await page.locator('[data-tab="rfm"]').click();
    const view = page.getByTestId('rfm-view');
    await view.waitFor();
    let rfm = (await admin.get('/api/v1/segments/rfm')).body;
    assert.equal(rfm.buyers, SHOPPERS.filter((s) => s.orders.length > 0).length, 'buyers of the last 365 days');
    assert.equal(Number(await view.getAttribute('data-buyers')), rfm.buyers);
    assert.equal(await view.locator('[data-testid="rfm-classes"] tbody tr').count(), 8);
    for (const c of rfm.classes) assert.equal(Number(await view.locator(`tr[data-class="${c.class}"]`).getAttribute('data-count')), c.count, c.class);
    const labels = (await admin.get('/api/v1/tags')).body.tags.find((x: { code: string }) => x.code === 'rfm_class').labels;
    assert.equal(await view.locator(`tr[data-class="important_value"] .seg-badge`).innerText(), labels?.important_value?.zh ?? '重要价值客户', 'classes by their labels');
    await view.locator('[data-chart="rfm-shares"] canvas').first().waitFor();
    await view.getByText('只有一次标签构建').waitFor();

    // the one-time buyers of 100 days ago order three times more, recently; then a second full build
    const more = SHOPPERS.flatMap((s, i) => (s.orders.length === 1 && s.orders[0] === 100 ? [order(s, i, 7, 2), order(s, i, 8, 6), order(s, i, 9, 9)] : []));
    assert.ok(more.length > 0);
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: more });
    assert.equal(r.status, 200, r.text);
    const who = more[0]!.userId as string;
    await eventually(async () => (await admin.get(`/api/v1/profiles/${who}`)).body?.eventCounts?.['Order Completed'] === 4, 20_000);
    await server.rt.tags.live.settled();
    const b = await admin.post('/api/v1/builds', {});
    assert.equal(b.status, 200, b.text);
    rfm = (await admin.get('/api/v1/segments/rfm')).body;
    assert.ok(rfm.previousBuild, 'a previous build to compare with');
    assert.ok(rfm.movement.length > 0, `someone moved: ${JSON.stringify(rfm)}`);

    await page.reload();
    await view.waitFor();
    for (const c of rfm.classes) assert.equal(Number(await view.locator(`tr[data-class="${c.class}"]`).getAttribute('data-count')), c.count, c.class);
    const moves = await view.locator('[data-testid="rfm-movement-table"] tbody tr').evaluateAll((rows) => rows.map((x) => ({ from: x.getAttribute('data-from'), to: x.getAttribute('data-to'), count: Number(x.getAttribute('data-count')) })));
    assert.deepEqual(moves, rfm.movement);
    assert.equal(Number(await view.getByTestId('rfm-movement').getAttribute('data-moved')), rfm.movement.reduce((s: number, m: { count: number }) => s + m.count, 0));
    await view.locator('[data-chart="rfm-sankey"] canvas').first().waitFor();

    // a class becomes a segment rule in the builder
    const cls = rfm.classes.find((c: { count: number }) => c.count > 0).class as string;
    await view.locator(`tr[data-class="${cls}"]`).getByTestId('rfm-make-segment').click();
    await page.waitForURL(/\/segments\/new\?rule=/);
    const row = page.locator('[data-testid="rule-root"] [data-path="0"]');
    assert.equal(await row.getAttribute('data-cond'), 'rfm');
    assert.equal(await liveCount(page, { rfm: [cls] }), rfm.classes.find((c: { class: string }) => c.class === cls).count);
  });

  it('deletes a segment after confirming', { timeout: 60_000 }, async () => {
    const list = (await admin.get('/api/v1/segments')).body.segments as { id: string; name: string }[];
    const victim = list.find((s) => s.name === '近30天下单')!;
    await page.goto(`${server.url}/segments/${victim.id}`);
    const detail = page.locator(`[data-testid="segment-detail"][data-id="${victim.id}"]`);
    await detail.getByTestId('delete-segment').click();
    await detail.getByTestId('delete-confirm').click();
    await page.waitForURL(/\/segments$/);
    await page.locator(`[data-testid="segment-list"] tr[data-segment="${victim.id}"]`).waitFor({ state: 'detached' });
    await page.locator(`[data-testid="segment-list"] tr[data-segment="${segId}"]`).waitFor();
    assert.equal((await admin.get(`/api/v1/segments/${victim.id}`)).status, 404);
  });

  it('speaks English too', { timeout: 30_000 }, async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Segments', exact: true }).waitFor();
    await page.locator('[data-tab="rfm"]').getByText('RFM').waitFor();
    await page.getByTestId('new-segment').click();
    await page.getByText('Live count').waitFor();
    await page.getByTestId('rule-root').getByText('All of (AND)').waitFor();
    await page.getByTestId('lang-switch').click();
  });
});
