import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, eventually, ingest, tmpDataDir } from '../support/server.ts';
import { ensureWebBuilt, launchChromium, noteScreenshot, screenshotPath, signIn } from '../support/browser.ts';

/** the page's document, for callbacks that run in the browser (this file is type-checked without the DOM lib) */
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<unknown> };

/**
 * The campaigns area in a real browser against a real server: a small shop (30 people with first names,
 * the last eight without consent to marketing) goes in over /v1/batch and is saved as a segment. A campaign is made in the
 * wizard — that segment (its live count must be the 30 people sent), two in-app variants whose preview for a
 * chosen person shows that person's first name, a 20 % holdout — and started now. Its results page shows the
 * control and both variants with the audience the campaign's assignments hold, the sends as the delivery
 * pipeline makes them (the page refreshes by itself), and, after orders sent for some of the people, each
 * arm's conversions as this file counts them from its own orders and the assignments; the uplift chart
 * draws and the p-values are the API's. Then the list (filter, pause, resume), the change history, a journey
 * made from a template and activated, and English. Leaves docs/screenshots/campaigns.png (when a CJK font
 * is installed, as dashboard.test.ts does).
 */

const screenshot = screenshotPath('campaigns');
const PEOPLE = Array.from({ length: 30 }, (_, i) => ({ userId: `cp_${String(i + 1).padStart(2, '0')}`, firstName: `顾客${i + 1}` }));
/** the last eight said no to marketing: the guard rail suppresses their messages (reason no_consent). Eight, so that
 * with a 20% holdout at least one of them is treated but for a 0.2^8 (1 in 390,000) draw */
const NO_CONSENT = new Set(PEOPLE.slice(-8).map((p) => p.userId));
/** the people who order after the campaign started: every third one */
const BUYERS = PEOPLE.filter((_, i) => i % 3 === 0);

let server: Server;
let browser: Browser;
let page: Page;
let admin: ReturnType<typeof api>;
let segId = '';
let campaignId = '';
/** each person's arm, from the campaign's assignments */
let armOf = new Map<string, string>();
/** the campaign saved as a draft and scheduled */
let second = '';

let seq = 0;
const identify = (p: (typeof PEOPLE)[number]) => ({
  type: 'identify', userId: p.userId, messageId: `cp-${++seq}`, timestamp: new Date(Date.now() - 3_600_000).toISOString(),
  traits: { firstName: p.firstName, consent: { analytics: true, personalization: true, marketing: !NO_CONSENT.has(p.userId) } },
});
const order = (userId: string, revenue: number) => ({
  type: 'track', event: 'Order Completed', userId, messageId: `cp-${++seq}`, timestamp: new Date().toISOString(),
  properties: { order_id: `CP-${seq}`, revenue, currency: 'CNY', products: [{ product_id: 'cp-p', category: '美妆个护/护肤/面霜', price: revenue, quantity: 1 }] },
});

/** an attribute of the first element matching `sel`, read in the page */
const attr = (sel: string, name: string) => page.locator(sel).first().getAttribute(name);
/** waits until the element's attribute has the value (the results page refreshes by itself) */
async function waitAttr(sel: string, name: string, value: string, timeout = 30_000) {
  await page.waitForFunction(([s, n, v]) => document.querySelector(s!)?.getAttribute(n!) === v, [sel, name, value] as const, { timeout });
}

describe('campaigns dashboard', () => {
  before(async () => {
    ensureWebBuilt();
    server = await startServer(testConfig({
      dataDir: tmpDataDir(undefined, 'hx-campaigns-e2e-'), port: 0, logLevel: 'silent',
      tags: { buildEveryMinutes: 0, refreshDelayMs: 100 },
      // the test may run at any hour: no quiet hours, and no caps between its two campaigns
      campaigns: { quietHours: 'off', capPerChannel: 0, capAll: 0 },
    } as Parameters<typeof testConfig>[0]));
    admin = api(server.url, server.adminToken);
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: PEOPLE.map(identify) });
    assert.equal(r.status, 200, r.text);
    const seg = await admin.post('/api/v1/segments', { name: '营销测试人群', kind: 'static', ids: PEOPLE.map((p) => p.userId) });
    assert.equal(seg.status, 201, seg.text);
    segId = seg.body.id;
    assert.equal(seg.body.size, PEOPLE.length);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page.setDefaultTimeout(15_000);
    await signIn(page, server.url, server.adminToken);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts empty, then makes a campaign in the wizard with a live count and a preview, and starts it', async () => {
    await page.locator('[data-nav="campaigns"]').click();
    await page.getByTestId('campaign-list-empty').waitFor();
    await page.getByTestId('new-campaign').click();
    const wizard = page.getByTestId('campaign-wizard');
    await wizard.waitFor();

    // audience: the saved segment, counted live
    await page.selectOption('select[name="segmentId"]', segId);
    await waitAttr('[data-testid="audience-count"] [data-testid="live-count"]', 'data-value', String(PEOPLE.length));
    await page.fill('input[name="name"]', '面霜回购提醒');
    await page.fill('input[name="owner"]', '运营组');

    // a step not filled in says so: going back to the content with no body lists what is missing
    await page.locator('[data-step="content"]').click();
    await page.getByTestId('step-issues').filter({ hasText: '每个版本至少要有中文或英文正文' }).waitFor();

    // content: variant A and B in Chinese, with the first name; the preview renders it for a chosen person
    await page.locator('[data-variant="0"] input[name="subject"]').fill('好久不见');
    await page.locator('[data-variant="0"] textarea[name="body"]').fill('{{traits.firstName}}，您常用的面霜到补货时间了');
    await page.getByTestId('add-variant').click();
    await page.locator('[data-variant="1"] textarea[name="body"]').fill('{{traits.firstName}}，面霜今日限时补货');
    const chosen = PEOPLE[4]!;
    await page.fill('input[name="previewUser"]', chosen.userId);
    await page.getByTestId('rendered-text').filter({ hasText: `${chosen.firstName}，您常用的面霜到补货时间了` }).waitFor();
    await page.selectOption('select[name="previewVariant"]', '1');
    await page.getByTestId('rendered-text').filter({ hasText: `${chosen.firstName}，面霜今日限时补货` }).waitFor();
    assert.equal(await page.getByTestId('step-issues').count(), 0);

    // channel in-app, now; holdout 20 %
    await page.locator('[data-step="delivery"]').click();
    await page.locator('input[name="channel"][value="inapp"]').check();
    await page.locator('[data-schedule="now"]').click();
    await page.locator('[data-step="experiment"]').click();
    await page.fill('input[name="holdout"]', '20');
    // the split beside the wizard follows the holdout and the weights
    assert.equal(await page.locator('[data-testid="audience-count"] tr[data-arm="control"] td.num').first().textContent(), `≈ ${Math.round(PEOPLE.length * 0.2)}`);

    await page.locator('[data-step="review"]').click();
    const json = JSON.parse((await page.getByTestId('campaign-json').textContent())!);
    assert.deepEqual(json.audience, { kind: 'segment', segmentId: segId });
    assert.equal(json.channel, 'inapp');
    assert.equal(json.experiment.holdout, 0.2);
    assert.deepEqual(json.variants.map((v: { name: string }) => v.name), ['A', 'B']);
    await page.getByTestId('launch').click();

    const detail = page.getByTestId('campaign-detail');
    await detail.waitFor();
    campaignId = (await detail.getAttribute('data-campaign'))!;
    assert.ok(campaignId);
    const stored = await admin.get(`/api/v1/campaigns/${campaignId}`);
    assert.equal(stored.status, 200, stored.text);
    assert.equal(stored.body.name, '面霜回购提醒');
    assert.equal(stored.body.owner, '运营组');
    assert.ok(['running', 'done'].includes(stored.body.status), stored.body.status);
  });

  it('shows the arms with the assignments’ audience, the sends as they happen and the conversions of its own orders', async () => {
    // who is in which arm: the campaign's assignments, counted here
    const assigned = await eventually(async () => {
      const a = await admin.get(`/api/v1/campaigns/${campaignId}/assignments?limit=1000`);
      return a.status === 200 && a.body.assignments.length === PEOPLE.length ? (a.body.assignments as { userId: string; arm: string }[]) : null;
    }, 30_000);
    assert.ok(assigned, 'the campaign assigned everyone within 30 s');
    armOf = new Map(assigned.map((a) => [a.userId, a.arm]));
    const audience = (arm: string) => assigned.filter((a) => a.arm === arm).length;
    assert.equal(audience('control') + audience('A') + audience('B'), PEOPLE.length);

    await page.getByTestId('campaign-results').waitFor();
    for (const arm of ['control', 'A', 'B']) {
      await waitAttr(`[data-testid="arms-table"] tr[data-arm="${arm}"] td[data-col="audience"]`, 'data-value', String(audience(arm)));
    }
    // in-app needs no address: every treated person who consented gets the message, shown with no reload
    const refused = (arm: string) => assigned.filter((a) => a.arm === arm && NO_CONSENT.has(a.userId)).length;
    for (const arm of ['A', 'B']) await waitAttr(`[data-testid="arms-table"] tr[data-arm="${arm}"] td[data-col="sent"]`, 'data-value', String(audience(arm) - refused(arm)));
    // the delivery log: a row per treated person, sent or suppressed for want of consent
    const log = page.getByTestId('campaign-messages');
    const treatedIds = assigned.filter((a) => a.arm !== 'control').map((a) => a.userId);
    const delivered = treatedIds.filter((u) => !NO_CONSENT.has(u)).length;
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="campaign-messages"] tbody tr:is([data-status="sent"], [data-status="delivered"])').length === n, delivered);
    assert.equal(await log.locator('tbody tr').count(), treatedIds.length);
    assert.ok(treatedIds.some((u) => NO_CONSENT.has(u)), 'at least one of the eight without consent is treated');
    assert.equal(await log.locator('tbody tr[data-reason="no_consent"]').count(), treatedIds.filter((u) => NO_CONSENT.has(u)).length);
    // one treated person's inbox holds the message with their own name in it, from the variant they were given
    const treated = PEOPLE.find((p) => armOf.get(p.userId) !== 'control' && !NO_CONSENT.has(p.userId))!;
    const inbox = await fetch(`${server.url}/v1/inbox/${treated.userId}`, {
      headers: { authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}` },
    }).then((r) => r.json() as Promise<{ messages: { body: string; campaignId: string | null }[] }>);
    assert.equal(inbox.messages.length, 1);
    assert.equal(inbox.messages[0]!.campaignId, campaignId);
    assert.equal(inbox.messages[0]!.body, armOf.get(treated.userId) === 'A' ? `${treated.firstName}，您常用的面霜到补货时间了` : `${treated.firstName}，面霜今日限时补货`);

    // orders from every third person, treated or not; converted per arm = those buyers in the arm
    const r = await ingest(server.url, server.writeKey).send('batch', { batch: BUYERS.map((p, i) => order(p.userId, 100 + i)) });
    assert.equal(r.status, 200, r.text);
    const converted = (arm: string) => BUYERS.filter((p) => armOf.get(p.userId) === arm).length;
    for (const arm of ['control', 'A', 'B']) {
      await waitAttr(`[data-testid="arms-table"] tr[data-arm="${arm}"] td[data-col="converted"]`, 'data-value', String(converted(arm)), 45_000);
      const cvr = Number(await attr(`[data-testid="arms-table"] tr[data-arm="${arm}"] td[data-col="cvr"]`, 'data-value'));
      assert.ok(Math.abs(cvr - converted(arm) / audience(arm)) < 1e-9, `${arm} cvr ${cvr}`);
    }
    // uplift and p-values as the API computes them; the chart drew its series
    const res = (await admin.get(`/api/v1/campaigns/${campaignId}/results`)).body as { arms: { arm: string; uplift: { pValue: number } | null }[] };
    for (const a of res.arms.filter((x) => x.arm !== 'control')) {
      const shown = await page.locator(`[data-testid="arms-table"] tr[data-arm="${a.arm}"] td[data-col="p"]`).textContent();
      assert.equal(shown, a.uplift ? new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 4 }).format(a.uplift.pValue) : '—');
    }
    const chart = page.getByTestId('uplift-card').locator('.chart');
    assert.match((await chart.getAttribute('data-series'))!, /增量.*95% 置信区间/);
    assert.ok(await chart.locator('canvas').count() > 0);
    // the same chart on GMV per person
    await page.getByTestId('uplift-card').locator('button[data-metric="gmv"]').click();
    await page.getByTestId('uplift-card').getByText('人均 GMV 增量 vs 对照组').waitFor();
    await page.getByTestId('uplift-card').locator('button[data-metric="cvr"]').click();

    // by segment: the one segment holds everyone, so its group repeats the arms
    await page.getByTestId('open-by-segment').click();
    await page.locator(`[data-testid="results-by-segment"] input[data-segment="${segId}"]`).check();
    const group = page.locator(`[data-testid="results-by-segment"] [data-group="${segId}"]`);
    await group.waitFor();
    assert.equal(await group.locator('tr[data-arm="A"] td[data-col="audience"]').getAttribute('data-value'), String(audience('A')));
    // by a tag: the lifecycle stage the live tags gave these new people; the groups are the API's, labelled, and
    // each holds everyone it names across its arms
    await page.locator('[data-testid="results-by-segment"] [data-by="tag"]').click();
    await page.selectOption('select[name="byTag"]', 'lifecycle_stage');
    // the live tags may still move people between stages (the orders just sent): compare the page with the API
    // until both show the same groups, each labelled and holding its arms' audience
    type Groups = { key: string; arms: { arm: string; audience: number }[] }[];
    const shownGroups = () => page.locator('[data-testid="results-by-segment"] [data-group]').evaluateAll((els) => els.map((el) => {
      const e = el as unknown as { getAttribute(n: string): string; querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string }> };
      const rows = Array.from(e.querySelectorAll('tr[data-arm]'));
      return { key: e.getAttribute('data-group'), arms: rows.map((r) => ({ arm: r.getAttribute('data-arm'), audience: Number((r as unknown as { querySelector(s: string): { getAttribute(n: string): string } }).querySelector('td[data-col="audience"]').getAttribute('data-value')) })) };
    }));
    let byTag: Groups = [];
    const same = await eventually(async () => {
      byTag = ((await admin.get(`/api/v1/campaigns/${campaignId}/results?by=tag:lifecycle_stage`)).body as { groups: Groups }).groups;
      return JSON.stringify(await shownGroups()) === JSON.stringify(byTag.map((g) => ({ key: g.key, arms: g.arms.map((a) => ({ arm: a.arm, audience: a.audience })) })));
    }, 30_000, 500);
    assert.ok(same, 'the page shows the API\'s groups by lifecycle stage');
    assert.ok(byTag.length > 0);
    assert.equal(byTag.reduce((n, g) => n + g.arms.reduce((m, a) => m + a.audience, 0), 0), PEOPLE.length);
    // a stage is shown by its label (新客), not its code
    if (byTag.some((g) => g.key === 'new')) assert.equal(await page.locator('[data-testid="results-by-segment"] [data-group="new"] h3').textContent(), '新客');
    await page.locator('[data-testid="results-by-segment"] [data-by="segment"]').click();
    await page.locator(`[data-testid="results-by-segment"] input[data-segment="${segId}"]`).check();
    await group.waitFor();

    // the change history has the creation and the start
    const history = page.getByTestId('change-history');
    await history.locator('tr[data-action]').first().waitFor();
    const actions = await history.locator('tr[data-action]').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string }).getAttribute('data-action')));
    const changes = (await admin.get(`/api/v1/campaigns/${campaignId}/changes`)).body.changes as { action: string }[];
    assert.deepEqual([...actions].sort(), changes.map((c) => c.action).sort());
    assert.ok(changes.length >= 2);

    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
    noteScreenshot(screenshot);
  });

  it('copies a campaign into the wizard as a new one', async () => {
    await page.getByTestId('campaign-detail').locator('[data-action="copy"]').click();
    await page.getByTestId('copied-from').waitFor();
    await page.locator('[data-step="review"]').click();
    const copy = JSON.parse((await page.getByTestId('campaign-json').textContent())!);
    const original = (await admin.get(`/api/v1/campaigns/${campaignId}`)).body;
    assert.equal(copy.name, `${original.name}（副本）`);
    for (const k of ['owner', 'channel', 'audience', 'goal', 'variants', 'experiment', 'schedule', 'budget', 'sendTimeOptimisation']) assert.deepEqual(copy[k], original[k], k);
  });

  it('saves a draft for a pasted list at a later time, schedules it from its page', async () => {
    // a list of ids, one of which the shop never sent; tomorrow at 09:30 in the browser's time zone (Shanghai)
    await page.getByTestId('new-campaign').click();
    await page.getByTestId('campaign-wizard').waitFor();
    await page.fill('input[name="name"]', '明日提醒');
    await page.fill('input[name="owner"]', '运营组');
    await page.locator('[data-audience-kind="list"]').click();
    const listed = [...PEOPLE.slice(0, 6).map((p) => p.userId), 'cp_nobody'];
    await page.fill('textarea[name="userIds"]', `${listed.join(', ')}\n${listed[0]}`);
    assert.equal(await attr('[data-testid="list-ids"]', 'data-value'), String(listed.length));
    await waitAttr('[data-testid="audience-count"] [data-testid="live-count"]', 'data-value', '6');
    assert.equal(await attr('[data-testid="unknown-ids"]', 'data-value'), '1');
    await page.locator('[data-step="content"]').click();
    await page.locator('[data-variant="0"] textarea[name="body"]').fill('明天见');
    await page.locator('[data-step="delivery"]').click();
    await page.locator('[data-schedule="at"]').click();
    const day = new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    await page.fill('input[name="at"]', `${day}T09:30`);
    await page.getByTestId('save-draft').click();

    const detail = page.getByTestId('campaign-detail');
    await waitAttr('[data-testid="campaign-detail"]', 'data-status', 'draft');
    const id = (await detail.getAttribute('data-campaign'))!;
    assert.notEqual(id, campaignId);
    const stored = (await admin.get(`/api/v1/campaigns/${id}`)).body;
    assert.deepEqual(stored.audience, { kind: 'list', userIds: listed });
    assert.equal(Date.parse(stored.schedule.at), Date.parse(`${day}T09:30:00+08:00`));
    await page.getByTestId('results-draft').waitFor();
    // a draft offers schedule (not start, as it is for a time) and cancel
    assert.equal(await detail.locator('[data-action="start"]').count(), 0);
    await detail.locator('[data-action="schedule"]').click();
    await waitAttr('[data-testid="campaign-detail"]', 'data-status', 'scheduled');
    assert.equal((await admin.get(`/api/v1/campaigns/${id}`)).body.status, 'scheduled');
    await page.getByTestId('next-run').waitFor();
    second = id;
  });

  it('edits the scheduled campaign in the wizard: the changes are stored, it stays scheduled, the history shows the edit', async () => {
    const detail = page.getByTestId('campaign-detail');
    await detail.locator('[data-action="edit"]').click();
    await page.getByTestId('editing').waitFor();
    assert.equal(await page.locator('input[name="name"]').inputValue(), '明日提醒');
    await page.fill('input[name="name"]', '明日提醒·改');
    await page.locator('[data-step="content"]').click();
    assert.equal(await page.locator('[data-variant="0"] textarea[name="body"]').inputValue(), '明天见');
    await page.locator('[data-variant="0"] textarea[name="body"]').fill('明天见，记得来');
    await page.locator('[data-step="review"]').click();
    assert.equal(await page.getByTestId('launch').count(), 0, 'a scheduled campaign is saved, not launched again');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('campaign-name').filter({ hasText: '明日提醒·改' }).waitFor();
    const stored = (await admin.get(`/api/v1/campaigns/${second}`)).body;
    assert.equal(stored.name, '明日提醒·改');
    assert.equal(stored.status, 'scheduled');
    assert.match(JSON.stringify(stored.variants), /明天见，记得来/);
    const changes = (await admin.get(`/api/v1/campaigns/${second}/changes`)).body.changes as { action: string; before: { name?: string }; after: { name?: string } }[];
    const edit = changes.find((c) => c.after?.name === '明日提醒·改')!;
    assert.equal(edit.before.name, '明日提醒');
    await page.locator(`[data-testid="change-history"] tr[data-action="${edit.action}"]`).first().waitFor();
  });

  it('lists the campaigns with their sends and conversions, filters by status, pauses and resumes the scheduled one', async () => {
    const c = { body: { id: second } };
    await page.locator('[data-tab="list"]').click();
    const row = page.locator(`[data-testid="campaign-list"] tr[data-campaign="${campaignId}"]`);
    await row.waitFor();
    const first = (await admin.get('/api/v1/campaigns')).body.campaigns.find((x: { id: string }) => x.id === campaignId);
    assert.equal(await row.locator('td[data-col="sent"]').textContent(), String(first.counts.sent));
    // conversions of the treated arms: the buyers not held out
    await row.locator('td[data-col="conversions"] [data-value]').waitFor();
    assert.equal(await row.locator('td[data-col="conversions"] [data-value]').getAttribute('data-value'), String(BUYERS.filter((p) => armOf.get(p.userId) !== 'control').length));

    await page.locator('[data-filter="scheduled"]').click();
    assert.equal(await page.locator('[data-testid="campaign-list"] tbody tr').count(), 1);
    const sched = page.locator(`[data-testid="campaign-list"] tr[data-campaign="${c.body.id}"]`);
    await sched.locator('[data-action="pause"]').click();
    assert.ok(await eventually(async () => (await admin.get(`/api/v1/campaigns/${c.body.id}`)).body.status === 'paused', 10_000));
    await page.locator('[data-filter="paused"]').click();
    await page.locator(`[data-testid="campaign-list"] tr[data-campaign="${c.body.id}"] [data-action="resume"]`).click();
    assert.ok(await eventually(async () => (await admin.get(`/api/v1/campaigns/${c.body.id}`)).body.status === 'scheduled', 10_000));
    await page.locator('[data-filter="all"]').click();
    assert.equal(await page.locator('[data-testid="campaign-list"] tbody tr').count(), 2);
  });

  it('draws a journey template, creates a journey from it and activates it', async () => {
    await page.locator('[data-nav="campaigns"]').click();
    await page.locator('[data-tab="journeys"]').click();
    const templates = (await admin.get('/api/v1/journeys/templates')).body.templates as { id: string; journey: { steps: { id: string; type: string }[] } }[];
    const tpl = templates.find((x) => x.id === 'abandoned_cart')!;
    const card = page.locator(`[data-template="${tpl.id}"]`);
    await card.getByRole('button', { name: '查看流程' }).click();
    // the entry and every step, each a box of its kind
    const canvas = card.getByTestId('journey-canvas');
    assert.equal(await canvas.locator('[data-step]').count(), tpl.journey.steps.length + 1);
    for (const s of tpl.journey.steps) assert.equal(await canvas.locator(`[data-step="${s.id}"]`).getAttribute('data-kind'), s.type);
    await card.locator('[data-action="create"]').click();
    const detail = page.getByTestId('journey-detail');
    await detail.waitFor();
    assert.equal(await detail.getAttribute('data-status'), 'draft');
    await detail.locator('[data-action="activate"]').click();
    await waitAttr('[data-testid="journey-detail"]', 'data-status', 'active');
    const id = (await detail.getAttribute('data-journey'))!;
    assert.equal((await admin.get(`/api/v1/journeys/${id}`)).body.status, 'active');
    // five people add to cart: all of them enter and wait at the first step (an hour, or until they order)
    const adders = PEOPLE.slice(0, 5);
    const r = await ingest(server.url, server.writeKey).send('batch', {
      batch: adders.map((p) => ({ type: 'track', event: 'Product Added', userId: p.userId, messageId: `cp-${++seq}`, timestamp: new Date().toISOString(), properties: { product_id: 'cp-p', price: 199, quantity: 1 } })),
    });
    assert.equal(r.status, 200, r.text);
    const first = tpl.journey.steps[0]!.id;
    await waitAttr(`[data-testid="journey-detail"] [data-step="${first}"] .cmp-node-stats`, 'data-waiting', String(adders.length));
    assert.equal(await attr(`[data-testid="journey-detail"] [data-step="${first}"] .cmp-node-stats`, 'data-entered'), String(adders.length));
    const stats = (await admin.get(`/api/v1/journeys/${id}`)).body;
    assert.equal(stats.people.waiting, adders.length);
  });

  it('speaks English', async () => {
    await page.goto(`${server.url}/campaigns/${campaignId}`);
    await page.getByTestId('campaign-detail').waitFor();
    await page.getByTestId('lang-switch').click();
    await page.getByText('Experiment results').waitFor();
    await page.getByText('Change history').waitFor();
    assert.match((await page.getByTestId('uplift-card').locator('.chart').getAttribute('data-series'))!, /Uplift/);
  });
});
