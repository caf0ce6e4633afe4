import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';
import { httpClient } from '../support/inProcessApi.ts';

/**
 * The minimum group size (k-anonymity) over the broken-down reports: a segment breakdown with a group of
 * six active people and one of a single person; with HX_MIN_GROUP_SIZE = 3 the single person's group is
 * left out of the funnel, retention and metric breakdown answers and counted in `suppressedGroups`; with 0
 * it is there.
 */
type Report = { groups: { group: string }[] | null; suppressedGroups: number };
let sc: Scenario;
const NOW = Date.now();
const big = ['kg-1', 'kg-2', 'kg-3', 'kg-4', 'kg-5', 'kg-6'];
const lone = 'kg-lone';
let bigSeg = '';
let loneSeg = '';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-groups-' });
  const messages = [...big, lone].flatMap((u, i) => [
    msg.track(u, 'Product Viewed', NOW - 3 * DAY + i * 1000, { product_id: 'p1', price: 10 }),
    msg.track(u, 'Order Completed', NOW - 3 * DAY + i * 1000 + 60_000, { order_id: `o-${u}`, revenue: 10, products: [{ product_id: 'p1', price: 10, quantity: 1 }] }),
    msg.track(u, 'Product Viewed', NOW - DAY + i * 1000, { product_id: 'p1', price: 10 }),
  ]);
  await send(sc.rt, messages);
  bigSeg = (await sc.rt.segments.create({ name: 'six', description: '', kind: 'static', ids: big } as never, 'test')).id;
  loneSeg = (await sc.rt.segments.create({ name: 'one', description: '', kind: 'static', ids: [lone] } as never, 'test')).id;
});
after(async () => sc?.close());

describe('minimum group size in broken-down reports', () => {
  const get = httpClient(() => sc);
  const groupsOf = (body: { groups: { group: string }[] | null }) => (body.groups ?? []).map((g) => g.group).sort();

  for (const k of [0, 3]) {
    it(`with a minimum of ${k}, ${k ? 'leaves out' : 'keeps'} the one-person group`, async () => {
      sc.rt.config.privacy.minGroupSize = k;
      const expected = k ? [bigSeg] : [bigSeg, loneSeg].sort();
      const suppressed = k ? 1 : 0;
      const by = `segment:${bigSeg},${loneSeg}`;

      const overview = await get(`/api/v1/analytics/breakdown?metric=gmv&days=7&by=${encodeURIComponent(by)}`);
      assert.equal(overview.status, 200, await overview.clone().text());
      const o = (await overview.json()) as Report;
      assert.deepEqual(groupsOf(o), expected);
      assert.equal(o.suppressedGroups, suppressed);

      const retention = await get(`/api/v1/analytics/retention?granularity=day&periods=3&days=7&breakdown=${encodeURIComponent(by)}`);
      assert.equal(retention.status, 200, await retention.clone().text());
      const r = (await retention.json()) as Report;
      assert.deepEqual(groupsOf(r), expected);
      assert.equal(r.suppressedGroups, suppressed);

      const funnel = await fetchFunnel(by);
      assert.deepEqual(groupsOf(funnel), expected);
      assert.equal(funnel.suppressedGroups, suppressed);
      // the totals still count everybody
      assert.equal(funnel.steps[0].count, 7);
    });
  }

  async function fetchFunnel(breakdown: string) {
    const { buildApp } = await import('../../src/server/app.ts');
    const { app, ctx } = await buildApp(sc.rt);
    try {
      const token = `tok-k-${Math.random().toString(36).slice(2)}`;
      await ctx.access.addToken('viewer', token, 'viewer');
      const res = await app.inject({
        method: 'POST', url: '/api/v1/analytics/funnels', headers: { authorization: `Bearer ${token}` },
        payload: { steps: [{ event: 'Product Viewed' }, { event: 'Order Completed' }], days: 7, windowDays: 1, breakdown },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Report & { steps: { count: number }[] };
    } finally {
      await app.close();
    }
  }
});
