/**
 * Campaign results over real HTTP on a real server (chdb + PGlite): a campaign with a control and two
 * variants, its assignments and message log written as the delivery pipeline writes them, and orders sent
 * through the ingestion API — inside and outside each person's goal window, in and out of the goal's
 * category, from a second device. The per-arm funnel, conversions, GMV, uplift with its 95% interval and
 * p-value, the winner rule and the by-segment / by-tag split are computed here independently from the
 * same rows and compared with GET /api/v1/campaigns/:id/results.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CampaignStore } from '../../src/campaigns/store.ts';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { decideWinners } from '../../src/jobs/schedule.ts';
import { testConfig } from '../../src/config.ts';

const DAY = 86_400_000;
const N = 150;
const users = Array.from({ length: N }, (_, i) => `ru${String(i).padStart(3, '0')}`);
const armOf = (i: number) => (['control', 'A', 'B'] as const)[i % 3]!;
/** true conversion chance per arm: B clearly ahead of A */
const RATE = { control: 0.2, A: 0.3, B: 0.75 };
const base = Date.now() - 30 * DAY;
const t0 = (i: number) => base + i * 60_000;

let dir: string;
let server: Server;
let store: CampaignStore;
const person = new Map<string, string>();

interface Msg { arm: string; user: string; status: string; opened: boolean; clicked: boolean }
const messages: Msg[] = [];
/** the orders that should count: user → revenues in window and category */
const counted = new Map<string, number[]>();

function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function call(method: string, url: string, body?: unknown, token = server.adminToken) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function track(batch: unknown[]) {
  for (let i = 0; i < batch.length; i += 200) {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch: batch.slice(i, i + 200) }),
    });
    assert.equal(res.status, 200, await res.text());
  }
}

const order = (id: { userId?: string; anonymousId?: string }, at: number, revenue: number, category: string) => ({
  type: 'track', event: 'Order Completed', messageId: randomUUID(), ...id, timestamp: new Date(at).toISOString(),
  properties: { order_id: `o-${randomUUID().slice(0, 8)}`, revenue, currency: 'CNY', products: [{ product_id: 'p1', category, price: revenue, quantity: 1 }] },
});

async function createCampaign(id: string, minSample: number) {
  return store.create({
    id, name: id, owner: 'test', channel: 'webhook', audience: { kind: 'list', userIds: users },
    goal: { event: 'Order Completed', windowDays: 7, category: '美妆' },
    variants: [{ name: 'A', weight: 1, content: { body: { en: 'a' } } }, { name: 'B', weight: 1, content: { body: { en: 'b' } } }],
    experiment: { holdout: 1 / 3, autoWinner: { metric: 'cvr', minSample } },
  }, 'test');
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-cmp-results-'));
  server = await startServer(testConfig({ dataDir: dir, port: 0, logLevel: 'silent' }));
  store = server.rt.campaigns.store;
  const rnd = prng(7);
  const batch: unknown[] = [];
  for (const [i, u] of users.entries()) {
    const anon = `anon-${u}`;
    batch.push({ type: 'identify', messageId: randomUUID(), userId: u, anonymousId: anon, traits: { gender: i % 4 === 0 ? 'male' : i % 4 === 1 ? 'female' : undefined }, timestamp: new Date(base - 5 * DAY).toISOString() });
    const arm = armOf(i);
    const got: number[] = [];
    if (rnd() < RATE[arm]) {
      const revenue = Math.round(50 + rnd() * 300);
      // every third converter orders from the linked device only
      batch.push(order(i % 3 === 0 ? { anonymousId: anon } : { userId: u }, t0(i) + rnd() * 6.9 * DAY, revenue, '美妆/彩妆/口红'));
      got.push(revenue);
      if (rnd() < 0.3) {
        const second = Math.round(20 + rnd() * 100);
        batch.push(order({ userId: u }, t0(i) + 6.95 * DAY, second, '美妆'));
        got.push(second);
      }
    }
    // orders that must not count: before the assignment, after the window, another category
    if (rnd() < 0.5) batch.push(order({ userId: u }, t0(i) - 60_000, 99, '美妆/护肤'));
    if (rnd() < 0.5) batch.push(order({ userId: u }, t0(i) + 7 * DAY + 60_000, 99, '美妆/护肤'));
    if (rnd() < 0.5) batch.push(order({ userId: u }, t0(i) + DAY, 99, '食品/零食'));
    if (rnd() < 0.3) batch.push({ type: 'track', event: 'Product Viewed', messageId: randomUUID(), userId: u, timestamp: new Date(t0(i) + DAY).toISOString(), properties: { product_id: 'p1', category: '美妆/彩妆/口红' } });
    counted.set(u, got);
    if (arm !== 'control') {
      const r = rnd();
      const status = r < 0.05 ? 'failed' : r < 0.1 ? 'suppressed' : r < 0.6 ? 'delivered' : 'sent';
      const sentOk = status === 'delivered' || status === 'sent';
      const opened = sentOk && rnd() < 0.5;
      messages.push({ arm, user: u, status, opened, clicked: sentOk && rnd() < (arm === 'B' ? 0.4 : 0.2) });
    }
  }
  await track(batch);
  for (const u of users) person.set(u, await server.rt.identity.personOf(u));
  // the campaign's assignments and message log, as a run writes them
  for (const id of ['cmp_res', 'cmp_res_late']) {
    await createCampaign(id, id === 'cmp_res' ? 20 : 1000);
    await server.rt.olap.insert('campaign_assignments', users.map((u, i) => ({
      campaign_id: id, run_id: 'run1', person_id: person.get(u)!, user_id: u, arm: armOf(i),
      assigned_at: new Date(t0(i)).toISOString().replace('T', ' ').replace('Z', ''),
    })));
    for (const m of messages) {
      await server.rt.oltp.query(
        `INSERT INTO campaign_messages (id, dedup_key, campaign_id, person_id, user_id, channel, arm, content, status, sent_at, opened_at, clicked_at)
         VALUES ($1, $2, $3, $4, $5, 'webhook', $6, '{}', $7, $8, $9, $10)`,
        [randomUUID(), `${id}:run1:${m.user}`, id, person.get(m.user), m.user, m.arm, m.status,
          m.status === 'sent' || m.status === 'delivered' ? new Date(base).toISOString() : null,
          m.opened ? new Date(base + DAY).toISOString() : null, m.clicked ? new Date(base + DAY).toISOString() : null],
      );
    }
  }
});
after(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** 2·(1 − Φ(|z|)) by Simpson's rule over the normal density (independent of the product's formula) */
function pTwoSided(z: number): number {
  const a = 0;
  const b = Math.abs(z);
  const n = 2000;
  const h = (b - a) / n;
  const f = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(b);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(a + k * h);
  return 1 - 2 * (s * h / 3);
}

interface Expected { audience: number; sent: number; delivered: number; opened: number; clicked: number; converted: number; gmv: number; conv: number[]; gmvs: number[] }
function expected(only?: (u: string, i: number) => boolean): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const [i, u] of users.entries()) {
    if (only && !only(u, i)) continue;
    const arm = armOf(i);
    const e = out.get(arm) ?? out.set(arm, { audience: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, gmv: 0, conv: [], gmvs: [] }).get(arm)!;
    const got = counted.get(u)!;
    const g = got.reduce((a, b) => a + b, 0);
    e.audience++;
    e.converted += got.length ? 1 : 0;
    e.gmv += g;
    e.conv.push(got.length ? 1 : 0);
    e.gmvs.push(g);
    for (const m of messages.filter((x) => x.user === u)) {
      if (m.status === 'sent' || m.status === 'delivered') e.sent++;
      if (m.status === 'delivered') e.delivered++;
      if (m.opened) e.opened++;
      if (m.clicked) e.clicked++;
    }
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const svar = (xs: number[]) => { const m = mean(xs); return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1); };

function checkArms(arms: any[], exp: Map<string, Expected>, label: string) {
  assert.deepEqual(arms.map((a) => a.arm), ['control', 'A', 'B'], label);
  const c = exp.get('control')!;
  for (const a of arms) {
    const e = exp.get(a.arm)!;
    const where = `${label} ${a.arm}`;
    assert.deepEqual(
      { audience: a.audience, sent: a.sent, delivered: a.delivered, opened: a.opened, clicked: a.clicked, converted: a.converted },
      { audience: e.audience, sent: e.sent, delivered: e.delivered, opened: e.opened, clicked: e.clicked, converted: e.converted }, where,
    );
    assert.ok(Math.abs(a.gmv - e.gmv) < 0.01, `${where} gmv ${a.gmv} vs ${e.gmv}`);
    assert.ok(Math.abs(a.cvr - e.converted / e.audience) < 1e-12, where);
    assert.ok(Math.abs(a.ctr - (e.sent ? e.clicked / e.sent : 0)) < 1e-12, where);
    if (a.arm === 'control') {
      assert.equal(a.uplift, null);
      continue;
    }
    const d = mean(e.conv) - mean(c.conv);
    const se = Math.sqrt(svar(e.conv) / e.conv.length + svar(c.conv) / c.conv.length);
    assert.ok(Math.abs(a.uplift.absolute - d) < 1e-12, where);
    assert.ok(Math.abs(a.uplift.ci[0] - (d - 1.959963984540054 * se)) < 1e-9 && Math.abs(a.uplift.ci[1] - (d + 1.959963984540054 * se)) < 1e-9, where);
    if (mean(c.conv) === 0) assert.equal(a.uplift.relative, null, where);
    else assert.ok(Math.abs(a.uplift.relative - d / mean(c.conv)) < 1e-9, where);
    assert.ok(Math.abs(a.uplift.pValue - pTwoSided(d / se)) < 1e-6, `${where} p ${a.uplift.pValue} vs ${pTwoSided(d / se)}`);
    const dg = mean(e.gmvs) - mean(c.gmvs);
    const seg = Math.sqrt(svar(e.gmvs) / e.gmvs.length + svar(c.gmvs) / c.gmvs.length);
    assert.ok(Math.abs(a.gmvUplift.absolute - dg) < 1e-6, where);
    assert.ok(Math.abs(a.gmvUplift.ci[1] - (dg + 1.959963984540054 * seg)) < 1e-6, where);
  }
}

describe('campaign results', () => {
  it('per arm: audience, funnel, conversions and GMV in the goal window and category, uplift with its interval and p-value', async () => {
    const r = await call('GET', '/api/v1/campaigns/cmp_res_late/results');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.campaign, 'cmp_res_late');
    assert.deepEqual(r.body.goal, { event: 'Order Completed', windowDays: 7, category: '美妆' });
    assert.equal(r.body.control, 'control');
    const exp = expected();
    checkArms(r.body.arms, exp, 'all');
    for (const a of r.body.arms) console.log(`  ${a.arm.padEnd(8)} audience ${a.audience} sent ${a.sent} clicked ${a.clicked} converted ${a.converted} cvr ${a.cvr.toFixed(3)} gmv ${a.gmv}${a.uplift ? ` uplift ${a.uplift.absolute.toFixed(3)} [${a.uplift.ci.map((x: number) => x.toFixed(3)).join(', ')}] p ${a.uplift.pValue.toPrecision(2)}` : ''}`);
    // a significant lead exists, but too few sends for this campaign's rule
    assert.equal(r.body.winner, null);
    assert.ok(!(await store.changes('cmp_res_late')).some((ch) => ch.action === 'winner'));
  });

  it('the automatic winner: the significant leader once every variant has minSample sends, recorded as a change', async () => {
    const exp = expected();
    const a = exp.get('A')!;
    const b = exp.get('B')!;
    assert.ok(a.sent >= 20 && b.sent >= 20, 'the fixture gives each variant enough sends');
    const d = mean(b.conv) - mean(a.conv);
    const se = Math.sqrt(svar(b.conv) / b.conv.length + svar(a.conv) / a.conv.length);
    assert.ok(d - 1.959963984540054 * se > 0, 'B leads A significantly in the rows themselves');
    // the leader's job decides it for a running campaign (the results route would too)
    assert.deepEqual(await decideWinners(server.rt), [], 'not while the campaign is not running');
    if ((await store.get('cmp_res')).status === 'draft') await store.transition('cmp_res', 'scheduled', 'test');
    if ((await store.get('cmp_res')).status === 'scheduled') await store.transition('cmp_res', 'running', 'test');
    assert.deepEqual(await decideWinners(server.rt), ['cmp_res']);
    assert.deepEqual(await decideWinners(server.rt), [], 'a campaign with a winner is not looked at again');
    const r = await call('GET', '/api/v1/campaigns/cmp_res/results');
    assert.equal(r.status, 200);
    assert.equal(r.body.winner, 'B');
    assert.equal((await store.get('cmp_res')).winner, 'B');
    const changes = (await store.changes('cmp_res')).filter((ch) => ch.action === 'winner');
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.after, { winner: 'B' });
    // asking again changes nothing
    await call('GET', '/api/v1/campaigns/cmp_res/results');
    assert.equal((await store.changes('cmp_res')).filter((ch) => ch.action === 'winner').length, 1);
  });

  it('by segment: each listed segment’s members, per arm', async () => {
    const members = users.filter((_, i) => i % 2 === 0);
    const seg = await call('POST', '/api/v1/segments', { name: 'even', kind: 'static', ids: members });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const r = await call('GET', `/api/v1/campaigns/cmp_res_late/results?by=segment:${seg.body.id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.groups.map((g: any) => g.key), [seg.body.id]);
    checkArms(r.body.groups[0].arms, expected((_, i) => i % 2 === 0), 'segment');
    checkArms(r.body.arms, expected(), 'all, beside the groups');
  });

  it('by tag: one group per value, people without one under (none)', async () => {
    await server.rt.olap.insert('tag_values', users.flatMap((u, i) => (i % 4 < 2 ? [{
      tag_code: 'gender', person_id: person.get(u)!, value_num: null, value_str: i % 4 === 0 ? 'male' : 'female', value_list: [], value_weights: [], build_id: 'test', version: 1, is_deleted: 0,
    }] : [])));
    const r = await call('GET', '/api/v1/campaigns/cmp_res_late/results?by=tag:gender');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.groups.map((g: any) => g.key), ['(none)', 'female', 'male']);
    const g = new Map(r.body.groups.map((x: any) => [x.key, x.arms]));
    checkArms(g.get('male') as any[], expected((_, i) => i % 4 === 0), 'male');
    checkArms(g.get('female') as any[], expected((_, i) => i % 4 === 1), 'female');
    checkArms(g.get('(none)') as any[], expected((_, i) => i % 4 >= 2), '(none)');
  });

  it('answers 400 naming the field, 404 for an unknown campaign, 401 without a token', async () => {
    for (const [q, msg] of [['by=colour:red', 'query.by'], ['by=segment:', 'query.by'], ['by=segment:seg_nope', "query.by: unknown segment 'seg_nope'"], ['by=tag:no_such_tag', "query.by: unknown tag 'no_such_tag'"]] as const) {
      const r = await call('GET', `/api/v1/campaigns/cmp_res/results?${q}`);
      assert.equal(r.status, 400, q);
      assert.ok(r.body.error.message.startsWith(msg), `${q}: ${r.body.error.message}`);
    }
    const lim = await call('GET', '/api/v1/campaigns/cmp_res/assignments?limit=0');
    assert.equal(lim.status, 400);
    assert.ok(lim.body.error.message.startsWith('query.limit'), lim.body.error.message);
    const missing = await call('GET', '/api/v1/campaigns/cmp_nope/results');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    assert.equal((await call('GET', '/api/v1/campaigns/cmp_nope/assignments')).status, 404);
    assert.equal((await call('GET', '/api/v1/campaigns/cmp_res/results', undefined, '')).status, 401);
  });

  it('lists the assignments page by page, control included', async () => {
    const seen: any[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const r = await call('GET', `/api/v1/campaigns/cmp_res/assignments?limit=60${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.assignments);
      if (!r.body.next) break;
      after = r.body.next;
    }
    assert.equal(seen.length, N);
    const byUser = new Map(seen.map((a) => [a.userId, a]));
    for (const [i, u] of users.entries()) {
      assert.equal(byUser.get(u).arm, armOf(i));
      assert.equal(byUser.get(u).personId, person.get(u));
      assert.equal(byUser.get(u).assignedAt, new Date(t0(i)).toISOString());
    }
  });
});
