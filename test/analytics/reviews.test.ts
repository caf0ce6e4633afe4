import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reviews, type ReviewsReport } from '../../src/analytics/index.ts';
import { ASPECTS, clauseTerms, clauses, defaultModel, detectLang, logit, shopModelPath, trainShopModels, weightOf, type Lang } from '../../src/analytics/sentiment/index.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { stopwords } from '../../src/text/tokenize.ts';
import { sampleWorld } from '../../src/world/testing.ts';
import { DAY, HOUR, msg, prng, send, type Msg } from '../support/scenario.ts';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';
import { api, repoRoot, tmpDataDir } from '../support/server.ts';

/**
 * The reviews report on a seeded fixture sent through the real ingestion pipeline into chdb, every count,
 * average and share checked against an independent calculation in plain TypeScript over the same
 * messages; the same report over HTTP with its 400s; then a retrain on a generated shop's star-rated
 * reviews (ratings as labels), its held-out accuracy printed, through the library, the API and the CLI;
 * last, the dashboard page in Chromium shows what the API answers. Leaves docs/screenshots/analytics-reviews.png
 * (when a CJK font is installed).
 */

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };

const dataDir = tmpDataDir();
let server: Server;
let admin: ReturnType<typeof api>;

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }));
  admin = api(server.url, server.adminToken);
});
after(async () => {
  await server?.close();
});

// ---- the fixture -----------------------------------------------------------------------------------

interface Item { item_id: string; title: string; category: string; brand: string }
const ITEMS: Item[] = [
  { item_id: 'p1', title: '真丝连衣裙', category: '服装/女装/连衣裙', brand: '拾光' },
  { item_id: 'p2', title: '纯棉T恤', category: '服装/男装/T恤', brand: '拾光' },
  { item_id: 'p3', title: '曲奇饼干', category: '食品/零食/饼干', brand: '实惠家' },
  { item_id: 'p4', title: '坚果礼盒', category: '食品/零食/坚果', brand: '山野' },
  { item_id: 'p5', title: '蓝牙耳机', category: '数码/影音/耳机', brand: '声悦' },
  { item_id: 'p6', title: '充电宝', category: '数码/配件/电源', brand: '声悦' },
  // not in the catalog: p7 (its reviews carry their own category and brand) and p8 (nothing known)
];

const TEXTS: Record<Lang, Record<'pos' | 'neg' | 'mid', string[]>> = {
  zh: {
    pos: ['质量很好，物流很快，非常满意。', '味道很好吃，很新鲜，会回购的。', '好评！音质很好，续航很给力。', '包装很精美，性价比高，推荐购买。', '尺码标准，面料很舒服。'],
    neg: ['质量太差了，用了两天就坏了！', '一点都不新鲜，味道很差，不会再买了！', '客服态度很差，已申请退货！', '物流太慢了，包装破损！', '色差很严重，和描述严重不符！'],
    mid: ['还行吧，一般般。', '中规中矩，价格有点贵。'],
  },
  en: {
    pos: ['Great quality, fast delivery, love it.', 'Excellent value for money, highly recommend.', 'Tastes delicious and very fresh.'],
    neg: ['Terrible quality, stopped working after two days.', 'Very disappointed, not worth the price.', 'Poor packaging, the box was broken, returning it.'],
    mid: ['It is okay, nothing special.'],
  },
};

const FROM = '2024-03-04'; // a Monday
const TO = '2024-05-13';
const start = Date.UTC(2024, 1, 20); // two weeks before FROM: some reviews fall before the range

function fixture(): Msg[] {
  const rand = prng(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: Msg[] = [];
  for (let i = 0; i < 160; i++) {
    const user = `u${1 + Math.floor(rand() * 30)}`;
    // near midnight Shanghai time now and then, so UTC and Shanghai disagree about the day and week
    const t = start + Math.floor(rand() * 90) * DAY + (rand() < 0.25 ? 16 * HOUR + Math.floor(rand() * 2 * HOUR) : Math.floor(rand() * 14 * HOUR));
    const lang: Lang = rand() < 0.2 ? 'en' : 'zh';
    const rating = 1 + Math.floor(rand() * 5);
    const tone = rating >= 4 ? 'pos' : rating <= 2 ? 'neg' : 'mid';
    const product_id = i % 23 === 0 ? 'p8' : i % 11 === 0 ? 'p7' : pick(ITEMS).item_id;
    const props: Msg = { product_id, review_id: `r${i}`, rating, review_body: pick(TEXTS[lang][tone]) };
    if (product_id === 'p7') Object.assign(props, { category: '美妆/护肤/面霜', brand: '花间' });
    // an event may name its own category even for a catalogued item: the event wins
    if (i % 17 === 0 && product_id !== 'p8') props.category = '家居/收纳/箱子';
    if (i % 13 === 0) delete props.rating; // text without stars
    if (i % 19 === 0) props.review_body = ''; // stars without text
    if (i % 29 === 0) delete props.review_id; // keyed by its message id
    out.push(msg.track(user, 'Product Reviewed', t, props));
    // a client resends a review later (new messageId, same review_id, other stars): the first one counts
    if (i % 9 === 0 && props.review_id) out.push(msg.track(user, 'Product Reviewed', t + 3 * DAY, { ...props, rating: 1 + ((rating + 2) % 5) }));
  }
  out.push(msg.track('u1', 'Product Viewed', start + 40 * DAY, { product_id: 'p1' })); // not a review
  return out;
}

// ---- the independent calculation -------------------------------------------------------------------

interface Rev { key: string; t: number; product_id: string; rating: number | null; text: string; category: string; brand: string }

const offset: Record<string, number> = { UTC: 0, 'Asia/Shanghai': 8 };
const dayOf = (ms: number, tz: string) => new Date(ms + offset[tz]! * HOUR).toISOString().slice(0, 10);
const mondayOf = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - ((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);

function firstReviews(messages: Msg[]): Rev[] {
  const byKey = new Map<string, Rev>();
  const items = new Map(ITEMS.map((x) => [x.item_id, x]));
  for (const m of messages) {
    if (m.event !== 'Product Reviewed') continue;
    const p = m.properties as Record<string, any>;
    const key = (p.review_id as string | undefined) || (m.messageId as string);
    const t = Date.parse(m.timestamp as string);
    const seen = byKey.get(key);
    if (seen && seen.t <= t) continue;
    const item = items.get(p.product_id);
    byKey.set(key, {
      key, t, product_id: p.product_id, rating: typeof p.rating === 'number' ? p.rating : null, text: p.review_body ?? '',
      category: p.category || item?.category || '', brand: p.brand || item?.brand || '',
    });
  }
  return [...byKey.values()];
}

interface Q { from: string; to: string; tz: 'UTC' | 'Asia/Shanghai'; by: 'category' | 'brand' | 'item'; categoryLevel: number; lang: 'all' | 'zh' | 'en' }

function expected(all: Rev[], q: Q) {
  const inRange = all.filter((r) => dayOf(r.t, q.tz) >= q.from && dayOf(r.t, q.tz) < q.to && (q.lang === 'all' || (r.text !== '' && (/\p{Script=Han}/u.test(r.text) ? 'zh' : 'en') === q.lang)));
  const groupOf = (r: Rev) => (q.by === 'item' ? r.product_id : q.by === 'brand' ? r.brand : r.category.split('/').slice(0, q.categoryLevel).join('/')) || '(none)';
  const positive = (r: Rev) => logit(defaultModel(detectLang(r.text)), r.text) >= 0;
  const summary = (rs: Rev[]) => {
    const rated = rs.filter((r) => r.rating !== null);
    const scored = rs.filter((r) => r.text !== '');
    return {
      reviews: rs.length, rated: rated.length,
      avgRating: rated.length ? rated.reduce((a, r) => a + r.rating!, 0) / rated.length : null,
      scored: scored.length, positiveShare: scored.length ? scored.filter(positive).length / scored.length : null,
    };
  };
  const groups = new Map<string, Rev[]>();
  for (const r of inRange) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
  const weeks = new Map<string, Rev[]>();
  for (const r of inRange) weeks.set(mondayOf(dayOf(r.t, q.tz)), [...(weeks.get(mondayOf(dayOf(r.t, q.tz))) ?? []), r]);
  const aspects = ASPECTS.map((a) => {
    const mentions = inRange.filter((r) => r.text && (a.zh.some((w) => r.text.includes(w)) || a.en.some((w) => new RegExp(`\\b${w}\\b`, 'i').test(r.text)))).length;
    return { aspect: a.code, mentions };
  });
  return { inRange, summary: summary(inRange), groups, weeks, summaryOf: summary, aspects, positive };
}

const close = (a: number | null, b: number | null, what: string) => {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) < 1e-3, `${what}: got ${a}, expected ${b}`);
};

function check(got: ReviewsReport, all: Rev[], q: Q) {
  const x = expected(all, q);
  const s = x.summary;
  assert.equal(got.totals.reviews, s.reviews, 'reviews');
  assert.equal(got.totals.rated, s.rated, 'rated');
  close(got.totals.avgRating, s.avgRating, 'average rating');
  assert.equal(got.totals.withText, s.scored, 'reviews with text');
  assert.equal(got.totals.scored, s.scored, 'scored');
  assert.equal(got.totals.capped, false);
  close(got.totals.positiveShare, s.positiveShare, 'positive share');
  assert.deepEqual(got.ratings, [1, 2, 3, 4, 5].map((rating) => ({ rating, count: x.inRange.filter((r) => r.rating === rating).length })), 'rating distribution');

  assert.equal(got.groups.length, x.groups.size, 'groups');
  assert.deepEqual(got.groups.map((g) => g.reviews), [...got.groups.map((g) => g.reviews)].sort((a, b) => b - a), 'groups by reviews, most first');
  for (const g of got.groups) {
    const e = x.summaryOf(x.groups.get(g.key) ?? []);
    assert.equal(g.reviews, e.reviews, `${g.key}: reviews`);
    assert.equal(g.rated, e.rated, `${g.key}: rated`);
    close(g.avgRating, e.avgRating, `${g.key}: average rating`);
    assert.equal(g.scored, e.scored, `${g.key}: scored`);
    close(g.positiveShare, e.positiveShare, `${g.key}: positive share`);
    if (q.by === 'item') assert.equal(g.label, ITEMS.find((i) => i.item_id === g.key)?.title ?? g.key, `${g.key}: label`);
  }

  assert.equal(got.trend[0]!.week, mondayOf(q.from));
  assert.equal(got.trend.at(-1)!.week, mondayOf(new Date(Date.parse(`${q.to}T00:00:00Z`) - DAY).toISOString().slice(0, 10)));
  for (const w of got.trend) {
    const e = x.summaryOf(x.weeks.get(w.week) ?? []);
    assert.equal(w.reviews, e.reviews, `${w.week}: reviews`);
    close(w.avgRating, e.avgRating, `${w.week}: average rating`);
    close(w.positiveShare, e.positiveShare, `${w.week}: positive share`);
  }
  assert.equal(got.trend.reduce((a, w) => a + w.reviews, 0), s.reviews, 'every review in one week');

  assert.deepEqual(got.groupTrend.map((g) => g.key), got.groups.slice(0, 8).map((g) => g.key), 'weekly lines for the first groups');
  for (const g of got.groupTrend) {
    assert.deepEqual(g.weeks.map((w) => w.week), got.trend.map((w) => w.week));
    for (const w of g.weeks) {
      const e = x.summaryOf((x.groups.get(g.key) ?? []).filter((r) => mondayOf(dayOf(r.t, q.tz)) === w.week));
      assert.equal(w.scored, e.scored, `${g.key} ${w.week}: scored`);
      close(w.positiveShare, e.positiveShare, `${g.key} ${w.week}: positive share`);
    }
  }

  for (const a of x.aspects) assert.equal(got.aspects.find((g) => g.aspect === a.aspect)!.mentions, a.mentions, `aspect ${a.aspect}: mentions`);
  for (const a of got.aspects) assert.ok(a.positive <= a.mentions);

  // terms: a word's count is the number of reviews of that polarity using it outside a negation
  const texts = x.inRange.filter((r) => r.text);
  for (const [side, sign] of [['positive', 1], ['negative', -1]] as const) {
    assert.ok(got.terms[side].length > 0, `some ${side} terms`);
    for (const t of got.terms[side]) {
      assert.ok(t.weight * sign > 0, `${t.term} weighs ${t.weight}`);
      assert.ok(!stopwords.has(t.term));
      const model = defaultModel(t.lang);
      assert.equal(t.weight, Math.round(weightOf(model, t.term) * 1000) / 1000);
      const uses = texts.filter((r) => detectLang(r.text) === t.lang && x.positive(r) === (sign > 0)
        && clauses(r.text).some((c) => clauseTerms(c, t.lang).terms.includes(t.term))).length;
      assert.equal(t.reviews, uses, `${side} term ${t.term}: reviews`);
    }
  }
}

// ---- the tests -------------------------------------------------------------------------------------

describe('reviews report', () => {
  const messages = fixture();
  const all = firstReviews(messages);

  before(async () => {
    await send(server.rt, messages);
    await server.rt.olap.insert('items', ITEMS.map((i) => ({ ...i, title_en: '', category_id: '', price: 10, currency: 'CNY', launched_at: null, attributes: '{}', source: 'test', updated_at: Date.UTC(2024, 0, 1) })));
  });

  const cases: Q[] = [
    { from: FROM, to: TO, tz: 'Asia/Shanghai', by: 'category', categoryLevel: 1, lang: 'all' },
    { from: FROM, to: TO, tz: 'UTC', by: 'category', categoryLevel: 2, lang: 'all' },
    { from: FROM, to: TO, tz: 'Asia/Shanghai', by: 'brand', categoryLevel: 1, lang: 'zh' },
    { from: '2024-02-01', to: '2024-06-01', tz: 'UTC', by: 'item', categoryLevel: 1, lang: 'en' },
  ];
  for (const q of cases) {
    it(`by ${q.by} (level ${q.categoryLevel}), ${q.lang}, ${q.tz}, ${q.from}…${q.to}`, async () => {
      const got = await reviews(server.rt.olap, { ...q, dataDir });
      assert.ok(got.totals.reviews > 10, `enough reviews in the case (${got.totals.reviews})`);
      assert.equal(got.models.zh.source, 'default');
      check(got, all, q);
    });
  }

  it('caps the texts scored and says so', async () => {
    const q = cases[0]!;
    const got = await reviews(server.rt.olap, { ...q, cap: 10 });
    assert.equal(got.totals.capped, true);
    assert.equal(got.totals.scored, 10);
    assert.equal(got.groups.reduce((a, g) => a + g.scored, 0), 10);
    assert.equal(got.totals.reviews, expected(all, q).summary.reviews, 'counts stay whole');
  });

  it('answers over HTTP, the same as the query', async () => {
    const q = cases[1]!;
    const res = await admin.get<ReviewsReport>(`/api/v1/analytics/reviews?from=${q.from}&to=${q.to}&tz=${q.tz}&by=${q.by}&categoryLevel=${q.categoryLevel}&lang=${q.lang}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(await reviews(server.rt.olap, { ...q, dataDir }))));
  });

  it('answers 400 naming the field, 401 without a token', async () => {
    for (const [qs, field] of [['by=colour', 'query.by'], ['lang=fr', 'query.lang'], ['from=2024-13-01', 'query.from'], ['from=2024-05-01&to=2024-04-01', 'query.to'], ['categoryLevel=4', 'query.categoryLevel'], ['limit=0', 'query.limit'], ['tz=Mars/Olympus', 'query.tz']] as const) {
      const res = await admin.get(`/api/v1/analytics/reviews?${qs}`);
      assert.equal(res.status, 400, `${qs}: ${res.text}`);
      assert.equal(res.body.error.details[0].path, field, `${qs}: ${res.text}`);
      assert.ok(res.body.error.message.startsWith(`${field}:`), res.text);
    }
    assert.equal((await api(server.url).get('/api/v1/analytics/reviews')).status, 401);
    const doc = await api(server.url).get('/api/openapi.json');
    assert.ok(doc.body.paths['/api/v1/analytics/reviews'].get, 'the report is documented in OpenAPI');
    assert.ok(doc.body.paths['/api/v1/analytics/reviews/sentiment'].get);
    assert.ok(doc.body.paths['/api/v1/analytics/reviews/sentiment/train'].post);
    const bad = await admin.post('/api/v1/analytics/reviews/sentiment/train', { minReviews: 0 });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.details[0].path, 'body.minReviews');
  });
});

describe('retraining on the shop’s own star-rated reviews', () => {
  // a generated shop's reviews, sent through the pipeline: its texts agree with its ratings (src/world/reviews.ts)
  const world = sampleWorld({ users: 2500, days: 60, future: 0, seed: 7 });
  // without sentAt, so the pipeline's clock-skew correction keeps each review on its own day
  const reviewMessages = world.messages.filter((m) => m.event === 'Product Reviewed').map(({ sentAt: _, ...m }) => m) as unknown as Msg[];

  before(async () => {
    await send(server.rt, reviewMessages);
    await server.rt.olap.insert('items', [...world.items.values()].map((i) => ({
      item_id: i.itemId, title: i.name_zh, title_en: i.name_en, category: i.category_zh, category_id: i.category_id, brand: i.brand,
      price: i.price, currency: 'CNY', launched_at: null, attributes: '{}', source: 'test', updated_at: Date.UTC(2024, 0, 1),
    })));
  });

  it('holds out 20% by review id, beats the default and the majority baseline there, and takes precedence', async () => {
    const results = await trainShopModels(server.rt.olap, dataDir, { minReviews: 40 });
    const zh = results.find((r) => r.lang === 'zh')!;
    assert.ok(zh.trained, `zh trained: ${zh.reason}`);
    const s = zh.shop!;
    const d = zh.default!;
    console.log(`retrained zh on ${zh.train} generated rated reviews: held-out accuracy ${(s.accuracy * 100).toFixed(1)}% (n=${s.n}), default model ${(d.accuracy * 100).toFixed(1)}%, majority baseline ${(s.majorityBaseline * 100).toFixed(1)}%`);
    const en = results.find((r) => r.lang === 'en')!;
    console.log(en.trained ? `retrained en: held-out accuracy ${(en.shop!.accuracy * 100).toFixed(1)}% (n=${en.shop!.n}), default ${(en.default!.accuracy * 100).toFixed(1)}%` : `en not retrained: ${en.reason}`);
    // the held-out part is about a fifth and disjoint from training
    assert.ok(Math.abs(s.n / (s.n + zh.train!) - 0.2) < 0.05, `held out ${s.n} of ${s.n + zh.train!}`);
    assert.equal(s.n + zh.train!, zh.counts.positive + zh.counts.negative, '3★ left out, every other review used once');
    assert.ok(s.accuracy >= 0.95, `retrained accuracy ${s.accuracy}`);
    assert.ok(s.accuracy > s.majorityBaseline + 0.05, `retrained ${s.accuracy} vs majority ${s.majorityBaseline}`);
    assert.ok(s.accuracy >= d.accuracy, 'the shop’s own model reads its reviews at least as well as the default');
    assert.ok(fs.existsSync(shopModelPath(dataDir, 'zh')));
    const report = await reviews(server.rt.olap, { from: '2000-01-01', to: '2100-01-01', tz: 'UTC', by: 'category', lang: 'zh', dataDir });
    assert.equal(report.models.zh.source, 'shop');
    assert.equal(report.models.zh.heldOutAccuracy, s.accuracy);
  });

  it('the API measures the model in effect on the same held-out reviews', async () => {
    const res = await admin.get('/api/v1/analytics/reviews/sentiment');
    assert.equal(res.status, 200, res.text);
    const zh = res.body.results.find((r: { lang: string }) => r.lang === 'zh');
    assert.equal(zh.source, 'shop');
    const file = JSON.parse(fs.readFileSync(shopModelPath(dataDir, 'zh'), 'utf8'));
    assert.equal(zh.active.n, file.heldOut[0].n);
    assert.equal(zh.active.accuracy, file.heldOut[0].accuracy);
  });

  const cli = (...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [path.join(repoRoot, 'bin', 'huaxiang.js'), 'sentiment', ...args], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += b));
    p.stderr.on('data', (b) => (stderr += b));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });

  it('huaxiang sentiment train and eval run through the server that holds the data dir', { timeout: 120_000 }, async () => {
    const out = await cli('train', '--data', dataDir, '--min-reviews', '40');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /held by the server/);
    assert.match(out.stdout, /zh: .* rated reviews/);
    assert.match(out.stdout, /held-out accuracy: retrained \d+\.\d%, default \d+\.\d%, majority baseline \d+\.\d%/);
    process.stdout.write(out.stdout);
    const ev = await cli('eval', '--data', dataDir);
    assert.equal(ev.code, 0, ev.stderr);
    assert.match(ev.stdout, /zh: model in effect: the shop's own/);
    assert.match(ev.stdout, /on held-out 20% of the shop's 1–2★\/4–5★ reviews \(by review id\) \(n=\d+\): shop \d+\.\d%, default \d+\.\d%, majority baseline/);
    const bad = await cli('retrain');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /usage: huaxiang sentiment train/);
  });
});

describe('the reviews page', () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(45_000); // the report scores every review text; a busy machine is slow
    await signIn(page, server.url, server.adminToken);
  });
  after(async () => {
    await browser?.close();
  });

  /** Waits until the page's result is settled and shows `want` (the API's answer for the same query). */
  async function shows(want: ReviewsReport): Promise<void> {
    await page.waitForFunction(
      (w) => {
        const r = document.querySelector('[data-testid="reviews-result"]');
        return r?.getAttribute('data-status') === 'ok' && r.getAttribute('data-reviews') === w.reviews && r.getAttribute('data-ratings') === w.ratings;
      },
      { reviews: String(want.totals.reviews), ratings: want.ratings.map((r) => r.count).join(',') },
    );
  }

  it('shows the ratings, groups, charts and the model in effect, and follows the grouping', { timeout: 120_000 }, async () => {
    const byCategory = await admin.get<ReviewsReport>('/api/v1/analytics/reviews?days=90');
    assert.equal(byCategory.status, 200, byCategory.text);
    assert.ok(byCategory.body.totals.reviews > 100, `${byCategory.body.totals.reviews} reviews in the default range`);
    await page.goto(`${server.url}/analytics/reviews`);
    await page.getByTestId('reviews-page').waitFor();
    await shows(byCategory.body);
    const rows = page.locator('[data-testid="reviews-groups"] tbody tr');
    assert.equal(await rows.count(), byCategory.body.groups.length);
    assert.equal(await rows.first().getAttribute('data-group'), byCategory.body.groups[0]!.key);
    for (const chart of ['reviews-ratings', 'reviews-trend', 'reviews-group-trend', 'reviews-terms-positive', 'reviews-terms-negative', 'reviews-aspects']) {
      const canvas = page.locator(`[data-chart="${chart}"] canvas`).first();
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      assert.ok(box && box.width > 150 && box.height > 120, `${chart} canvas is ${JSON.stringify(box)}`);
    }
    // the shop model trained above is the one in effect for Chinese
    assert.equal(await page.locator('[data-testid="reviews-models"] li[data-lang="zh"]').getAttribute('data-source'), 'shop');
    await page.waitForTimeout(800); // let the entry animation finish
    const shot = screenshotPath('analytics-reviews');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    noteScreenshot(shot);

    const byBrand = await admin.get<ReviewsReport>('/api/v1/analytics/reviews?days=90&by=brand');
    await page.locator('[data-by="brand"]').click();
    await page.waitForFunction((k) => document.querySelector('[data-testid="reviews-groups"] tbody tr')?.getAttribute('data-group') === k, byBrand.body.groups[0]!.key);
    assert.equal(await rows.count(), byBrand.body.groups.length);

    const english = await admin.get<ReviewsReport>('/api/v1/analytics/reviews?days=90&by=brand&lang=en');
    await page.locator('select[name="lang"]').selectOption('en');
    await shows(english.body);
  });
});
