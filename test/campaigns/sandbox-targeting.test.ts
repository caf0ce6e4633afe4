/**
 * The strategy sandbox end to end (docs/sandbox.md): a generated shop imported, its tags built as of the
 * horizon, the segment of the price-sensitive tag frozen; then a real `huaxiang serve` process
 * (test/support/server.ts) whose webhook channel points at the sandbox. Ten times, with a different
 * campaign id (so a different holdout split) and sandbox seed, the same coupon campaign — 20 CNY off food,
 * half held out — is created and started over the API for (a) the price-sensitive segment and (b) a random
 * audience of the same size; the server's delivery pipeline posts the signed messages to the sandbox,
 * which answers with the orders the hidden response model implies through /v1/batch; the results API
 * measures them. Campaigns run one after the other, each measured before the next starts, so no
 * campaign's orders fall in an earlier one's window when it is read.
 *
 * Claims: the targeted campaign's uplift on conversion (pooled over the ten runs) is at least twice the
 * random one's; and for each campaign kind, the true uplift of the run (the response model's, reported by
 * the sandbox) lies inside the measured 95% interval in at least 9 of the 10 runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWorld, startSandbox, type RunningSandbox, type SettleReport } from '../../src/campaigns/sandbox/index.ts';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { writeWorld } from '../../src/world/index.ts';
import { runImport } from '../../src/world/importers/run.ts';
import { api, eventually, spawnServer, type SpawnedServer } from '../support/server.ts';

const WORLD = { users: 3000, days: 90, future: 0, seed: 'sandbox-1', startDate: '2026-01-05' };
const RUNS = 10;
const SECRET = 'sandbox-test-webhook-secret';
const OFFER = { value: 20, category: 'food', validDays: 7 };

let dir: string;
let server: SpawnedServer;
let sb: RunningSandbox;
let http: ReturnType<typeof api>;
let horizon: number;
let registered: string[];
let segmentId: string;
const log = (s: string) => console.log(`[sandbox] ${s}`);

interface Row {
  run: number;
  kind: 'targeted' | 'random';
  audience: number;
  treated: number;
  control: number;
  sent: number;
  cvrT: number;
  cvrC: number;
  uplift: number;
  ci: [number, number];
  p: number;
  truth: number;
  truthDelivered: number | null;
}
const rows: Row[] = [];
/** ms per campaign: start, delivery, settle, results */
const timings: number[][] = [];

function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-sandbox-'));
  const worldDir = path.join(dir, 'world');
  const dataDir = path.join(dir, 'data');
  let t = Date.now();
  const summary = await writeWorld({ ...WORLD, out: worldDir });
  horizon = Date.parse(String(summary.horizon));
  registered = fs.readFileSync(path.join(worldDir, 'truth', 'users.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { userId: string; registered: boolean }).filter((u) => u.registered).map((u) => u.userId);
  // the shop's history and profile, as of its horizon
  const rt = await openRuntime(testConfig({ dataDir, logLevel: 'silent' }), { command: 'test' });
  try {
    await rt.tags.live.stop();
    await runImport(rt, path.join(worldDir, 'catalog', 'items.jsonl'), 'items-jsonl', {});
    await runImport(rt, path.join(worldDir, 'events.jsonl'), 'segment-jsonl', {});
    log(`world ${WORLD.seed}: ${WORLD.users} users × ${WORLD.days} days, ${summary.events} events, imported in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    await rt.tags.build({ asOf: new Date(horizon), trigger: 'test' });
    // frozen: the orders the sandbox sends must not move people in or out between runs
    const live = await rt.segments.create({ name: '价格敏感型', description: '', kind: 'dynamic', rule: { tag: 'price_sensitive', op: 'eq', value: true } }, 'test');
    const frozen = await rt.segments.freeze(live.id, 'test');
    segmentId = frozen.id;
    log(`tags built and segment frozen in ${((Date.now() - t) / 1000).toFixed(1)} s: ${frozen.size} price-sensitive people`);
  } finally {
    await rt.close();
  }
  const world = await loadWorld(worldDir);
  sb = await startSandbox({ world, target: '', writeKey: '', token: '', seed: 'seed-0', secret: SECRET, hour: 20 });
  server = await spawnServer({
    dataDir, timeoutMs: 120_000,
    env: { HX_WEBHOOK_URL: sb.deliveriesUrl, HX_WEBHOOK_SECRET: SECRET, HX_CAMPAIGN_QUIET_HOURS: 'off', HX_CAMPAIGN_CAP_CHANNEL: '0', HX_CAMPAIGN_CAP_ALL: '0' },
  });
  sb.sandbox.connect({ target: server.url, writeKey: server.writeKey, token: server.adminToken });
  http = api(server.url, server.adminToken);
});

after(async () => {
  await server?.stop();
  await sb?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** One campaign through the server's API, delivery pipeline and webhook channel, and the sandbox; its measured and true figures. */
async function runCampaign(run: number, kind: Row['kind'], audience: { kind: 'segment'; segmentId: string } | { kind: 'list'; userIds: string[] }): Promise<Row> {
  const id = `cmp_${kind}_${run}`;
  const t = [Date.now()];
  const created = await http.post('/api/v1/campaigns', {
    id, name: `${kind} ${run}`, owner: 'sandbox-test', channel: 'webhook', audience,
    goal: { event: 'Order Completed', windowDays: 7, category: OFFER.category },
    variants: [{ name: 'coupon', weight: 1, content: { subject: { 'zh-CN': '食品券' }, body: { 'zh-CN': '送你 {{coupon.value}} 元食品券：{{coupon.code}}' }, coupon: OFFER } }],
    experiment: { holdout: 0.5 },
  });
  assert.equal(created.status, 201, created.text);
  const started = await http.post(`/api/v1/campaigns/${id}/start`, {});
  assert.equal(started.status, 200, started.text);
  const { audience: size, treated, control } = started.body.run as { audience: number; treated: number; control: number };
  t.push(Date.now());
  // every treated message sent, suppressed or failed
  const done = await eventually(async () => {
    const list = await http.get(`/api/v1/campaigns`);
    const c = (list.body?.campaigns ?? []).find((x: any) => x.id === id);
    return c && c.counts.sent + c.counts.suppressed + c.counts.failed === treated ? c.counts : null;
  }, 120_000, 250);
  assert.ok(done, `campaign ${id} was not delivered in time`);
  t.push(Date.now());
  const settled = await fetch(`${sb.url}/campaigns/${id}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: `seed-${run}` }) });
  assert.equal(settled.status, 200);
  const truth = (await settled.json()) as SettleReport;
  t.push(Date.now());
  if (run === 0) log(`${kind} run 0, the sandbox's truth: ${JSON.stringify(truth)}`);
  const r = await http.get(`/api/v1/campaigns/${id}/results`);
  t.push(Date.now());
  timings.push(t.slice(1).map((x, i) => x - t[i]!));
  assert.equal(r.status, 200, r.text);
  const treatedArm = r.body.arms.find((a: any) => a.arm === 'coupon');
  const controlArm = r.body.arms.find((a: any) => a.arm === 'control');
  const truthArm = truth.arms.find((a) => a.arm === 'coupon')!;
  assert.equal(truth.seed, `seed-${run}`);
  assert.equal(treatedArm.audience, truthArm.people, 'the sandbox simulated every treated person');
  assert.equal(treatedArm.sent, sb.sandbox.delivered(id), 'every sent message reached the sandbox');
  return {
    run, kind, audience: size, treated, control, sent: treatedArm.sent,
    cvrT: treatedArm.cvr, cvrC: controlArm.cvr, uplift: treatedArm.uplift.absolute, ci: treatedArm.uplift.ci, p: treatedArm.uplift.pValue,
    truth: truthArm.trueUplift, truthDelivered: truthArm.trueUpliftDelivered,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

describe('strategy sandbox: targeting the price-sensitive with a coupon', () => {
  it('converts at least twice as well as a random audience, and each measured interval holds the true uplift in ≥ 9 of 10 runs', async () => {
    for (let run = 0; run < RUNS; run++) {
      const targeted = await runCampaign(run, 'targeted', { kind: 'segment', segmentId });
      const rnd = prng(1000 + run);
      const pool = [...registered];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      const random = await runCampaign(run, 'random', { kind: 'list', userIds: pool.slice(0, targeted.audience) });
      rows.push(targeted, random);
      const line = (r: Row) => `  ${r.kind.padEnd(8)} audience ${String(r.audience).padStart(4)} (treated ${r.treated}, sent ${r.sent}, control ${r.control})  CVR ${pct(r.cvrT)} vs ${pct(r.cvrC)}  uplift ${pct(r.uplift)} [${pct(r.ci[0])}, ${pct(r.ci[1])}] p ${r.p.toPrecision(2)}  true ${pct(r.truth)} ${r.truth >= r.ci[0] && r.truth <= r.ci[1] ? 'inside' : 'OUTSIDE'}`;
      log(`run ${run} (seed-${run})\n${line(targeted)}\n${line(random)}`);
    }
    const of = (k: Row['kind']) => rows.filter((r) => r.kind === k);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const upT = mean(of('targeted').map((r) => r.uplift));
    const upR = mean(of('random').map((r) => r.uplift));
    const cvrT = mean(of('targeted').map((r) => r.cvrT));
    const cvrR = mean(of('random').map((r) => r.cvrT));
    const covered = (k: Row['kind']) => of(k).filter((r) => r.truth >= r.ci[0] && r.truth <= r.ci[1]).length;
    log(`over ${RUNS} runs: uplift targeted ${pct(upT)} vs random ${pct(upR)} (×${(upT / upR).toFixed(2)}; true ${pct(mean(of('targeted').map((r) => r.truth)))} vs ${pct(mean(of('random').map((r) => r.truth)))}); `
      + `treated CVR ${pct(cvrT)} vs ${pct(cvrR)} (×${(cvrT / cvrR).toFixed(2)}); true uplift inside the 95% interval: targeted ${covered('targeted')}/${RUNS}, random ${covered('random')}/${RUNS}`);
    const phase = (i: number) => (mean(timings.map((x) => x[i]!)) / 1000).toFixed(2);
    log(`per campaign: create and start ${phase(0)} s, delivery ${phase(1)} s, settle ${phase(2)} s, results ${phase(3)} s`);
    assert.ok(upR > 0 && upT >= 2 * upR, `targeted uplift ${upT} is at least twice the random ${upR}`);
    assert.ok(covered('targeted') >= 9, `targeted: true uplift inside the interval in ${covered('targeted')} of ${RUNS} runs`);
    assert.ok(covered('random') >= 9, `random: true uplift inside the interval in ${covered('random')} of ${RUNS} runs`);
  });
});
