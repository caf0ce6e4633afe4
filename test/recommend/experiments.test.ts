import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { assignArm, armStats, uplift } from '../../src/experiments/index.ts';
import { DAY, MINUTE, consent, ev, loadCatalog } from './fixture.ts';

/**
 * An online experiment over real HTTP: popularity (control) against the blend, people split by a stable
 * hash; answers carry the arm, impressions and clicks are recorded with it, and the results per arm —
 * clicks, cart adds, orders, GMV and uplift with its 95% interval — match what is computed here from the
 * outcomes this test generated.
 */

let dir: string;
let server: Server;
const now = Date.now();
const PEOPLE = Array.from({ length: 40 }, (_, n) => `v${n}`);

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function track(batch: unknown[]) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}` },
    body: JSON.stringify({ batch }),
  });
  assert.equal(res.status, 200, await res.text());
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-rec-exp-'));
  server = await startServer(testConfig({ dataDir: dir, port: 0, logLevel: 'silent' }));
  await loadCatalog(server.rt, now);
  const batch = [];
  for (const [n, u] of PEOPLE.entries()) {
    const t = now - 5 * DAY + n * MINUTE;
    batch.push(consent(u, t - DAY), ev.view(u, n % 2 ? 'a1' : 'b1', t), ev.view(u, n % 2 ? 'a2' : 'b3', t + MINUTE));
  }
  await track(batch);
  assert.equal((await call('POST', '/api/v1/builds', {})).status, 200);
  assert.equal((await call('POST', '/api/v1/recommendations/train', {})).status, 200);
});
after(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('online experiment: popularity vs blend', () => {
  it('splits people by a stable hash, records exposure, and reports per-arm outcomes with uplift and its 95% interval', async () => {
    const arms = [{ name: 'control', weight: 1, strategy: 'popularity' }, { name: 'blend', weight: 1, strategy: 'blend' }];
    const created = await call('POST', '/api/v1/recommendations/experiments', { id: 'home-blend-1', name: 'Home: blend vs popular', arms, windowDays: 7 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call('POST', '/api/v1/recommendations/experiments', { id: 'home-blend-1', name: 'again', arms })).status, 409);

    // each person sees a list; the outcome this test makes up depends on the arm, so the uplift is known
    const want: Record<string, { clicks: number[]; carts: number[]; orders: number[]; gmv: number[] }> = { control: { clicks: [], carts: [], orders: [], gmv: [] }, blend: { clicks: [], carts: [], orders: [], gmv: [] } };
    const events = [];
    for (const [n, u] of PEOPLE.entries()) {
      const r = await call('GET', `/api/v1/recommendations/users/${u}?limit=4&experiment=home-blend-1`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const arm = r.body.experiment.arm as string;
      assert.equal(arm, assignArm('home-blend-1', u, arms), 'the arm is the stable hash of experiment and person');
      assert.equal(r.body.experiment.strategy, arm === 'control' ? 'popularity' : 'blend');
      if (arm === 'control') assert.ok(r.body.items.every((i: any) => i.source === 'popular'));
      const shown = r.body.items.map((i: any) => i.itemId) as string[];
      events.push({ type: 'impression', recommendationId: r.body.recommendationId, userId: u, itemIds: shown, experimentId: 'home-blend-1', arm, timestamp: new Date(now - 30 * MINUTE).toISOString() });
      const clicks = arm === 'blend' ? 1 + (n % 2) : n % 3 === 0 ? 1 : 0;
      const buys = arm === 'blend' ? (n % 2) : n % 6 === 0 ? 1 : 0;
      for (let c = 0; c < clicks; c++) events.push({ type: 'click', recommendationId: r.body.recommendationId, userId: u, itemIds: [shown[c]!], position: c + 1, experimentId: 'home-blend-1', arm, timestamp: new Date(now - 20 * MINUTE).toISOString() });
      const w = want[arm]!;
      w.clicks.push(clicks);
      w.carts.push(buys);
      w.orders.push(buys);
      w.gmv.push(buys ? 279 : 0);
      if (buys) await track([ev.cart(u, 'a1', now - 15 * MINUTE), ev.buy(u, ['a1'], now - 10 * MINUTE)]);
    }
    const rec = await call('POST', '/api/v1/recommendations/events', { events });
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    // an order before exposure does not count
    await track([ev.buy(PEOPLE[0]!, ['b2'], now - 2 * DAY)]);

    const res = await call('GET', '/api/v1/recommendations/experiments/home-blend-1/results');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.control, 'control');
    for (const a of res.body.arms) {
      const w = want[a.arm]!;
      assert.equal(a.exposed, w.clicks.length, `${a.arm} exposed`);
      for (const m of ['clicks', 'carts', 'orders', 'gmv'] as const) {
        const s = armStats(w[m]);
        assert.equal(a.metrics[m].total, w[m].reduce((x, y) => x + y, 0), `${a.arm} ${m}`);
        assert.ok(Math.abs(a.metrics[m].mean - s.mean) < 1e-9 && Math.abs(a.metrics[m].variance - s.variance) < 1e-9, `${a.arm} ${m}`);
      }
    }
    const blend = res.body.arms.find((a: any) => a.arm === 'blend');
    const u = uplift(armStats(want.blend!.clicks), armStats(want.control!.clicks));
    assert.ok(Math.abs(blend.metrics.clicks.uplift.absolute - u.absolute) < 1e-9);
    assert.ok(Math.abs(blend.metrics.clicks.uplift.absoluteCi[0] - u.absoluteCi[0]) < 1e-9);
    assert.equal(blend.metrics.clicks.uplift.significant, u.significant);
    assert.ok(u.significant, 'the made-up effect is large enough to be seen');
  });

  it('a stopped experiment serves the control and answers 404 for unknown ones', async () => {
    assert.equal((await call('POST', '/api/v1/recommendations/experiments/home-blend-1/stop')).status, 200);
    const r = await call('GET', `/api/v1/recommendations/users/${PEOPLE[1]}?limit=4&experiment=home-blend-1`);
    assert.equal(r.status, 200);
    assert.equal(r.body.experiment, undefined);
    assert.ok(r.body.items.every((i: any) => i.source === 'popular'));
    const missing = await call('GET', `/api/v1/recommendations/users/${PEOPLE[1]}?experiment=nope`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /query\.experiment/);
    const bad = await call('POST', '/api/v1/recommendations/experiments', { id: 'x', name: 'x', arms: [{ name: 'a', weight: 1, strategy: 'magic' }, { name: 'b', weight: 1, strategy: 'blend' }] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /body\.arms\.0\.strategy/);
  });
});
