import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANY_EVENT, IDENTIFY, tagInputs } from '../../src/tags/compile/inputs.ts';
import { CONSENT_ALL, DAY, build, msg, openScenario, refresh, send, type Scenario } from './support.ts';
import { refreshPersons } from '../../src/tags/build.ts';
import { sentBy } from '../../src/tags/live.ts';

/**
 * A live refresh recomputes only the tags that read something the person sent (src/tags/compile/inputs.ts,
 * src/tags/build.ts refreshGroups): a product view leaves order statistics and traits as the last build
 * left them, an order moves them; a person whose identity changed gets every tag. The writer says what each
 * id sent (src/ingest/writer.ts reports a flush's rows and relinked ids; src/tags/live.ts sentBy).
 */

const NOW = Date.now();
let s: Scenario;
let buildId = '';

before(async () => {
  s = await openScenario({ live: false, prefix: 'hx-live-inputs-' });
  await send(s.rt, ['in-a', 'in-b'].flatMap((u) => [
    msg.identify(u, NOW - 40 * DAY, { gender: 'female', consent: CONSENT_ALL }),
    msg.track(u, 'Product Viewed', NOW - 12 * DAY, { product_id: 'p1', category: '美妆/口红' }),
    msg.track(u, 'Order Completed', NOW - 10 * DAY, { order_id: `o1-${u}`, revenue: 30, products: [{ product_id: 'p1', category: '美妆/口红', price: 30, quantity: 1 }] }),
  ]));
  buildId = (await build(s.rt, NOW - DAY)).id;
});
after(async () => s?.close());

/** code → [value, build_id] of a person's current values */
async function stored(person: string, codes: string[]): Promise<Record<string, [string, string]>> {
  const rows = await s.rt.olap.query<{ t: string; v: string; b: string }>(
    `SELECT tag_code AS t, concat(value_str, ifNull(toString(value_num), '')) AS v, build_id AS b FROM ${s.rt.olap.db}.tag_values FINAL
     WHERE person_id = {p:String} AND tag_code IN {codes:Array(String)}`,
    { p: person, codes },
  );
  return Object.fromEntries(rows.map((r) => [r.t, [r.v, r.b]]));
}

describe('what a tag reads', () => {
  it('is the events its statistics count, any event, or identify for traits and consent', async () => {
    const defs = await s.rt.tags.taxonomy.definitions();
    const orders = tagInputs(defs, 'orders_30d');
    assert.ok(orders.has('Order Completed') && !orders.has(ANY_EVENT) && !orders.has('Product Viewed'), [...orders].join());
    assert.ok(tagInputs(defs, 'last_active_date').has(ANY_EVENT));
    assert.deepEqual([...tagInputs(defs, 'gender')], [IDENTIFY]);
    const prefs = tagInputs(defs, 'top_categories');
    assert.ok(prefs.has(IDENTIFY), 'a personalisation tag reads the consent it is gated on');
    // a rule reads what the tags it refers to read
    assert.ok(tagInputs(defs, 'rfm_class').has('Order Completed'));
  });
});

describe('a live refresh', () => {
  it('recomputes what a product view changes and leaves the rest as the build left it', async () => {
    const { rt } = s;
    await send(rt, [msg.track('in-a', 'Product Viewed', NOW - DAY / 2, { product_id: 'p2', category: '服装/女装' })]);
    await refreshPersons(rt.tags.deps, ['in-a'], { sent: new Map([['in-a', new Set(['Product Viewed'])]]) });
    const v = await stored('in-a', ['product_views_90d', 'orders_30d', 'gender', 'last_active_date']);
    assert.deepEqual(v.product_views_90d, ['2', 'live']);
    assert.equal(v.last_active_date![1], 'live');
    assert.deepEqual(v.orders_30d, ['1', buildId], 'order statistics are not recomputed for a view');
    assert.deepEqual(v.gender, ['female', buildId], 'traits are not recomputed for a view');
  });

  it('recomputes order statistics for an order, and every tag with no record of what was sent', async () => {
    const { rt } = s;
    await send(rt, [msg.track('in-a', 'Order Completed', NOW - DAY / 4, { order_id: 'o2-in-a', revenue: 5 })]);
    await refreshPersons(rt.tags.deps, ['in-a'], { sent: new Map([['in-a', new Set(['Order Completed'])]]) });
    assert.deepEqual((await stored('in-a', ['orders_30d'])).orders_30d, ['2', 'live']);
    assert.deepEqual((await stored('in-a', ['gender'])).gender, ['female', buildId]);
    await refresh(rt, ['in-b'], NOW);
    const b = await stored('in-b', ['gender', 'orders_30d']);
    assert.deepEqual(b, { gender: ['female', 'live'], orders_30d: ['1', 'live'] });
  });
});

describe('the writer', () => {
  it('says what each id sent, and leaves out ids whose identity changed', async () => {
    const { rt } = s;
    const heard: Map<string, Set<string>>[] = [];
    const earlier = rt.writer.onStored;
    rt.writer.onStored = (ids, flush) => { heard.push(sentBy(flush.rows, flush.relinked)); earlier?.(ids, flush); };
    try {
      await send(rt, [msg.track('in-a', 'Product Viewed', NOW, { product_id: 'p3' }), msg.track('in-a', 'Product Added', NOW, { product_id: 'p3' })]);
      assert.deepEqual([...(heard.at(-1)!.get('in-a') ?? [])].sort(), ['Product Added', 'Product Viewed']);
      await send(rt, [msg.identify('in-a', NOW, { gender: 'female' })]);
      assert.deepEqual([...(heard.at(-1)!.get('in-a') ?? [])], [IDENTIFY]);
      // a new user, and a new device tied to a known user: their whole history is new to them
      await send(rt, [msg.track('in-new', 'Product Viewed', NOW, { product_id: 'p1' })]);
      assert.equal(heard.at(-1)!.has('in-new'), false);
      await send(rt, [msg.track('in-b', 'Product Viewed', NOW, { product_id: 'p1' }, { anonymousId: 'in-b-phone' })]);
      assert.equal(heard.at(-1)!.size, 0, [...heard.at(-1)!.keys()].join());
    } finally {
      rt.writer.onStored = earlier;
    }
  });
});
