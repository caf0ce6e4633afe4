import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DAY, HOUR, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * A lookalike audience: the people most like a seed segment (src/segments/lookalike) become the campaign's
 * audience. Twenty frequent big spenders and forty occasional browsers; five spenders are the seed; a
 * lookalike of ten is counted and run, and it is made of the other spenders.
 */
let sc: Scenario;
let seedId = '';
const T0 = Date.parse('2026-11-24T04:00:00Z');
const spenders = Array.from({ length: 20 }, (_, i) => `lk-s${i}`);
const browsers = Array.from({ length: 40 }, (_, i) => `lk-b${i}`);

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-lookalike-' });
  sc.rt.campaigns.clock = () => new Date(T0);
  const m = [];
  for (const [i, u] of spenders.entries()) {
    m.push(msg.identify(u, T0 - 60 * DAY, { consent: { analytics: true, personalization: true, marketing: true } }));
    for (let k = 0; k < 8; k++) {
      const t = T0 - (50 - k * 6) * DAY + i * HOUR;
      m.push(msg.track(u, 'Product Viewed', t, { product_id: `p${k}`, price: 800 }));
      m.push(msg.track(u, 'Order Completed', t + HOUR, { order_id: `o-${u}-${k}`, revenue: 800 + 10 * k, products: [{ product_id: `p${k}`, price: 800, quantity: 1 }] }));
    }
  }
  for (const [i, u] of browsers.entries()) {
    m.push(msg.identify(u, T0 - 60 * DAY, { consent: { analytics: true, personalization: true, marketing: true } }));
    m.push(msg.track(u, 'Product Viewed', T0 - (40 - (i % 30)) * DAY, { product_id: 'p1', price: 30 }));
  }
  await send(sc.rt, m);
  await sc.rt.tags.build({ trigger: 'test', asOf: new Date(T0) });
  seedId = (await sc.rt.segments.create({ name: 'seed spenders', description: '', kind: 'static', ids: spenders.slice(0, 5) }, 'test')).id;
});
after(async () => sc?.close());

it('counts and runs a lookalike audience of the people most like the seed', async () => {
  const audience = { kind: 'lookalike' as const, segmentId: seedId, size: 10 };
  assert.deepEqual(await sc.rt.campaigns.countAudience(audience), { count: 10 });
  const c = await sc.rt.campaigns.store.create({
    id: 'lk-1', name: 'lookalike', owner: 'ops', channel: 'inapp', audience, experiment: { holdout: 0 },
    variants: [{ name: 'A', weight: 1, content: { body: { 'zh-CN': '你好' } } }],
  }, 'test');
  const r = await sc.rt.campaigns.startRun(c.id, { actor: 'test' });
  assert.equal(r.audience, 10);
  const rows = await sc.rt.olap.query<{ user_id: string }>(`SELECT user_id FROM ${sc.rt.olap.db}.campaign_assignments FINAL WHERE campaign_id = 'lk-1'`);
  const chosen = rows.map((x) => x.user_id);
  assert.equal(chosen.length, 10);
  assert.ok(chosen.every((u) => !spenders.slice(0, 5).includes(u)), `the seed itself is not the audience: ${chosen}`);
  const like = chosen.filter((u) => spenders.includes(u)).length;
  assert.ok(like >= 9, `${like} of 10 are big spenders like the seed: ${chosen}`);
});
