import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdSets } from '../../src/store/olap/idSets.ts';
import { CONSENT_ALL, DAY, build, msg, openScenario, refresh, send, type Msg, type Scenario } from './support.ts';

/**
 * A live refresh of more people than {@link IdSets.MIN_IDS} hands their ids to its statements through the
 * `id_sets` table (src/store/olap/idSets.ts) and writes its removals in one pass (src/tags/build.ts): its
 * values must be those a full build computes, consent withdrawn must clear the build-only preference tags at
 * once, and the table must be left empty.
 */

const NOW = Date.now();
const USERS = Array.from({ length: IdSets.MIN_IDS + 44 }, (_, i) => `lb-${String(i).padStart(3, '0')}`);
const LIVE = ['orders_total', 'orders_30d', 'gmv_total', 'last_order_date', 'product_views_90d', 'consent_personalization'];
let s: Scenario;

before(async () => {
  s = await openScenario({ live: false, prefix: 'hx-live-large-' });
  const m: Msg[] = [];
  USERS.forEach((u, i) => {
    m.push(msg.identify(u, NOW - 60 * DAY, { consent: CONSENT_ALL }));
    m.push(msg.track(u, 'Product Viewed', NOW - 20 * DAY, { product_id: `p${i % 7}`, category: i % 2 ? '服装/女装' : '美妆/口红' }));
    m.push(msg.track(u, 'Order Completed', NOW - 10 * DAY, { order_id: `o1-${u}`, revenue: 10 + i, products: [{ product_id: `p${i % 7}`, category: i % 2 ? '服装/女装' : '美妆/口红', price: 10 + i, quantity: 1 }] }));
  });
  await send(s.rt, m);
  await build(s.rt, NOW - DAY);
});
after(async () => s?.close());

async function values(codes: string[]): Promise<Map<string, string>> {
  const rows = await s.rt.olap.query<{ t: string; p: string; v: string }>(
    `SELECT tag_code AS t, person_id AS p, concat(value_str, toString(value_num), arrayStringConcat(value_list, ',')) AS v
     FROM ${s.rt.olap.db}.tag_values FINAL WHERE tag_code IN {codes:Array(String)} AND person_id IN {users:Array(String)}`,
    { codes, users: USERS },
  );
  return new Map(rows.map((r) => [`${r.t}/${r.p}`, r.v]));
}

describe('a live refresh of a large batch', () => {
  it('writes what a full build computes, clears preferences without consent, and leaves id_sets empty', async () => {
    const { rt } = s;
    const before = await values(['top_categories']);
    assert.equal([...before.keys()].length, USERS.length, 'every user has a preference after the build');
    // a second order for everyone; every third user withdraws personalisation
    const later: Msg[] = USERS.flatMap((u, i) => [
      msg.track(u, 'Order Completed', NOW - 2 * DAY, { order_id: `o2-${u}`, revenue: 5 }),
      ...(i % 3 === 0 ? [msg.identify(u, NOW - 2 * DAY, { consent: { personalization: false } })] : []),
    ]);
    await send(rt, later);
    const r = await refresh(rt, USERS, NOW);
    assert.equal(r.persons.length, USERS.length);
    const live = await values(LIVE);
    const prefs = await values(['top_categories']);
    for (const [i, u] of USERS.entries()) {
      assert.equal(live.get(`orders_total/${u}`), '2', u);
      assert.equal(live.get(`consent_personalization/${u}`), i % 3 === 0 ? '0' : '1', u);
      assert.equal(prefs.has(`top_categories/${u}`), i % 3 !== 0, `${u}: preferences only with consent`);
    }
    const [left] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${rt.olap.db}.id_sets`);
    assert.equal(Number(left!.n), 0, 'the ids are deleted after the refresh');
    // the full build, which reads no id set, agrees on every real-time value
    await build(rt, NOW);
    assert.deepEqual(await values(LIVE), live);
  });
});
