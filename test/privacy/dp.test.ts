import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { noisyMetricBreakdown } from '../../src/privacy/noisyBreakdown.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Differential-privacy noise over real HTTP: 40 people in one segment and a lone one in another, each with a
 * view, an order and a later view; one of the 40 spends far above the GMV clip. With a minimum group size
 * of 3 and `noise=true`, the breakdown, retention and funnel answers carry the `privacy` marker with the
 * cells counted here, the lone group is still left out (checked on exact counts, before noise), and the
 * noisy numbers differ from the exact answer. With a budget so large the noise vanishes, the breakdown's
 * GMV equals the clipped sum computed here from the orders sent.
 */
let sc: Scenario;
let app: FastifyInstance;
let base = '';
const token = `tok-dp-${Math.random().toString(36).slice(2)}`;
const NOW = Date.now();
const many = Array.from({ length: 40 }, (_, i) => `dp-${i}`);
const lone = 'dp-lone';
const revenue = (u: string, i: number) => (u === 'dp-0' ? 90_000 : 20 + i);
let manySeg = '';
let loneSeg = '';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-dp-' });
  const messages = [...many, lone].flatMap((u, i) => [
    msg.track(u, 'Product Viewed', NOW - 3 * DAY + i * 1000, { product_id: 'p1', price: 10 }),
    msg.track(u, 'Order Completed', NOW - 3 * DAY + i * 1000 + 60_000, { order_id: `o-${u}`, revenue: revenue(u, i), products: [{ product_id: 'p1', price: revenue(u, i), quantity: 1 }] }),
    msg.track(u, 'Product Viewed', NOW - DAY + i * 1000, { product_id: 'p1', price: 10 }),
  ]);
  await send(sc.rt, messages);
  manySeg = (await sc.rt.segments.create({ name: 'forty', description: '', kind: 'static', ids: many } as never, 'test')).id;
  loneSeg = (await sc.rt.segments.create({ name: 'one', description: '', kind: 'static', ids: [lone] } as never, 'test')).id;
  sc.rt.config.privacy.minGroupSize = 3;
  const built = await buildApp(sc.rt);
  app = built.app;
  await built.ctx.access.addToken('viewer', token, 'viewer');
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app?.close();
  await sc?.close();
});

const headers = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
async function get<T>(url: string): Promise<T> {
  const res = await fetch(`${base}${url}`, { headers: headers() });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}
async function funnel<T>(body: object): Promise<T> {
  const res = await fetch(`${base}/api/v1/analytics/funnels`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

type Marker = { mechanism: string; epsilon: number; cells: number; cellsPerPerson: number; minGroupSize: number; sums: { what: string; clip: number }[] };
type Breakdown = { total: { current: number; previous: number }; groups: { group: string; current: number; people: number }[]; suppressedGroups: number; privacy?: Marker };
type Funnel = { steps: { count: number; medianSeconds: number | null }[]; groups: { group: string; steps: { count: number }[] }[] | null; suppressedGroups: number; privacy?: Marker };
type Retention = { cohorts: { size: number; retained: (number | null)[] }[]; groups: { group: string; size: number }[] | null; suppressedGroups: number; privacy?: Marker };

describe('differential-privacy noise on aggregate reports', () => {
  const by = () => encodeURIComponent(`segment:${manySeg},${loneSeg}`);

  it('the metric breakdown: marked, noisy, the lone group still left out', async () => {
    const url = `/api/v1/analytics/breakdown?metric=gmv&days=7&by=${by()}`;
    const exact = await get<Breakdown>(url);
    assert.equal(exact.privacy, undefined);
    assert.deepEqual(exact.groups.map((g) => g.group), [manySeg]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => get<Breakdown>(`${url}&noise=true`)));
    for (const a of answers) {
      assert.deepEqual(a.groups.map((g) => g.group), [manySeg]);
      assert.equal(a.suppressedGroups, 1);
      // one group and the total, each: active people and GMV, in both periods
      assert.equal(a.privacy?.cells, 2 * 2 * 2);
      // segments may overlap: a person can change every cell
      assert.equal(a.privacy?.cellsPerPerson, 2 * 2 * 2);
      assert.equal(a.privacy?.epsilon, sc.rt.config.privacy.dp.epsilon);
      assert.equal(a.privacy?.minGroupSize, 3);
      assert.deepEqual(a.privacy?.sums.map((s) => [s.what, s.clip]), [['gmv', sc.rt.config.privacy.dp.gmvClip]]);
      assert.ok(a.groups.every((g) => g.current >= 0 && g.people >= 0));
    }
    const same = (a: Breakdown) => a.total.current === exact.total.current && a.groups[0]!.people === exact.groups[0]!.people && a.groups[0]!.current === exact.groups[0]!.current;
    assert.ok(!answers.every(same), 'five noisy answers all equal to the exact one');
  });

  it('with a budget so large the noise vanishes, GMV is the sum clipped per person', async () => {
    const dp = { ...sc.rt.config.privacy.dp, epsilon: 1e9, gmvClip: 1000 };
    const days = 7;
    const to = new Date(NOW + DAY).toISOString().slice(0, 10);
    const from = new Date(NOW + DAY - days * DAY).toISOString().slice(0, 10);
    const r = await noisyMetricBreakdown(sc.rt.olap, { from, to, tz: 'Asia/Shanghai', metric: 'gmv', breakdown: { by: 'segment', segments: [manySeg, loneSeg] }, dp, minGroupSize: 3 });
    const clipped = many.reduce((a, u, i) => a + Math.min(revenue(u, i), 1000), 0);
    const g = r.groups.find((x) => x.group === manySeg)!;
    assert.ok(Math.abs(g.current - clipped) < 0.05, `${g.current} vs ${clipped}`);
    assert.ok(Math.abs(r.total.current - (clipped + Math.min(revenue(lone, 40), 1000))) < 0.05);
    assert.equal(g.people, 40);
  });

  it('retention: marked cohorts and groups, the lone group left out', async () => {
    const url = `/api/v1/analytics/retention?granularity=day&periods=3&days=7&breakdown=${by()}`;
    const exact = await get<Retention>(url);
    const answers = await Promise.all(Array.from({ length: 5 }, () => get<Retention>(`${url}&noise=true`)));
    for (const a of answers) {
      assert.deepEqual(a.groups?.map((g) => g.group), [manySeg]);
      assert.equal(a.suppressedGroups, 1);
      const cohortCells = a.cohorts.reduce((n, c) => n + 1 + c.retained.slice(1).filter((x) => x !== null).length, 0);
      assert.equal(a.privacy?.cells, cohortCells + 1 * (1 + 2 * 3));
      // cohorts by first event: a person is in one cohort, whose cells are at most its size and 3 periods
      const widest = Math.max(...a.cohorts.map((c) => 1 + c.retained.slice(1).filter((x) => x !== null).length));
      assert.equal(a.privacy?.cellsPerPerson, widest + 1 * (1 + 2 * 3));
      for (const c of a.cohorts) for (const x of c.retained) assert.ok(x === null || (x >= 0 && x <= c.size));
    }
    const same = (a: Retention) => JSON.stringify(a.cohorts.map((c) => c.retained)) === JSON.stringify(exact.cohorts.map((c) => c.retained));
    assert.ok(!answers.every(same), 'five noisy answers all equal to the exact one');
  });

  it('funnel: marked, monotone noisy counts, times withheld, the lone group left out', async () => {
    const body = { steps: [{ event: 'Product Viewed' }, { event: 'Order Completed' }], days: 7, windowDays: 1, breakdown: `segment:${manySeg},${loneSeg}` };
    const exact = await funnel<Funnel>(body);
    assert.equal(exact.steps[0]!.count, 41);
    const answers = await Promise.all(Array.from({ length: 5 }, () => funnel<Funnel>({ ...body, noise: true })));
    for (const a of answers) {
      assert.deepEqual(a.groups?.map((g) => g.group), [manySeg]);
      assert.equal(a.suppressedGroups, 1);
      assert.equal(a.privacy?.cells, 2 * 2);
      assert.equal(a.privacy?.cellsPerPerson, 2 * 2);
      assert.ok(a.steps[1]!.count <= a.steps[0]!.count);
      assert.ok(a.steps.every((s) => s.medianSeconds === null));
    }
    assert.ok(!answers.every((a) => a.steps[0]!.count === 41 && a.steps[1]!.count === exact.steps[1]!.count && a.groups![0]!.steps[0]!.count === 40));
  });

  it('a tag breakdown puts each person in one group: the budget is split over one group and the total', async () => {
    // city tier values written straight into the tag store: 20 people A, 20 B, the lone person C
    const tier = (u: string, i: number) => (u === lone ? 'C' : i < 20 ? 'A' : 'B');
    await sc.rt.olap.insert('tag_values', [...many, lone].map((u, i) => ({
      tag_code: 'city_tier', person_id: u, value_num: null, value_str: tier(u, i), value_list: [], value_weights: [], build_id: 'b-dp', version: 1, is_deleted: 0,
    })));
    const exact = await get<Breakdown>('/api/v1/analytics/breakdown?metric=buyers&days=7&by=city_tier');
    assert.deepEqual(exact.groups.map((g) => [g.group, g.current]).sort(), [['A', 20], ['B', 20]]);
    const a = await get<Breakdown>('/api/v1/analytics/breakdown?metric=buyers&days=7&by=city_tier&noise=true');
    assert.deepEqual(a.groups.map((g) => g.group).sort(), ['A', 'B']);
    assert.equal(a.suppressedGroups, 1);
    // people and buyers in both periods: for two groups and the total, of which a person is in one group and the total
    assert.equal(a.privacy?.cells, 4 * 3);
    assert.equal(a.privacy?.cellsPerPerson, 4 * 2);
    // the total of a tag breakdown is its groups' sum (the lone group included): with the noise vanishing,
    // the clipped GMV of everybody and of each group
    const to = new Date(NOW + DAY).toISOString().slice(0, 10);
    const from = new Date(NOW + DAY - 7 * DAY).toISOString().slice(0, 10);
    const dp = { ...sc.rt.config.privacy.dp, epsilon: 1e9, gmvClip: 1000 };
    const r = await noisyMetricBreakdown(sc.rt.olap, { from, to, tz: 'Asia/Shanghai', metric: 'gmv', breakdown: { by: 'tag', tag: 'city_tier' }, dp, minGroupSize: 3 });
    const clipped = (who: (u: string, i: number) => boolean) => [...many, lone].reduce((s, u, i) => s + (who(u, i) ? Math.min(revenue(u, i), 1000) : 0), 0);
    assert.ok(Math.abs(r.total.current - clipped(() => true)) < 0.05, `${r.total.current}`);
    for (const g of ['A', 'B']) assert.ok(Math.abs(r.groups.find((x) => x.group === g)!.current - clipped((u, i) => tier(u, i) === g)) < 0.05, g);
  });

  it('privacy.dp.always makes every answer noisy; a bad noise value is a 400 naming the field', async () => {
    sc.rt.config.privacy.dp.always = true;
    try {
      const a = await get<Breakdown>(`/api/v1/analytics/breakdown?metric=aov&days=7&by=${by()}`);
      // AOV: active people, GMV and orders, in both periods, for the group and the total
      assert.equal(a.privacy?.cells, 3 * 2 * 2);
      assert.deepEqual(a.privacy?.sums.map((s) => s.what), ['gmv', 'orders']);
    } finally {
      sc.rt.config.privacy.dp.always = false;
    }
    const res = await fetch(`${base}/api/v1/analytics/retention?noise=maybe`, { headers: headers() });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /^query\.noise/);
    const bad = await fetch(`${base}/api/v1/analytics/funnels`, { method: 'POST', headers: headers(), body: JSON.stringify({ steps: [{ event: 'a' }, { event: 'b' }], noise: 'yes' }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^body\.noise/);
  });
});
