import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshPersons } from '../../src/tags/build.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * A full build leaves the current tag values in one part per table (src/tags/build.ts, compactValues): the
 * values every earlier build and refresh wrote are superseded, and merging them away keeps reads with FINAL
 * (segment conditions over everyone) and a profile's read of its values from wading through them.
 */

const NOW = Date.now();
let o: Scenario;

before(async () => {
  o = await openScenario({ live: false, prefix: 'hx-build-compact-' });
  await send(o.rt, ['bc-a', 'bc-b', 'bc-c'].flatMap((u, i) => [
    msg.identify(u, NOW - 30 * DAY, { gender: i % 2 ? 'female' : 'male' }),
    msg.track(u, 'Product Viewed', NOW - 5 * DAY, { product_id: `p${i}` }),
    msg.track(u, 'Order Completed', NOW - 4 * DAY, { order_id: `o-${u}`, revenue: 10 * (i + 1) }),
  ]));
});
after(async () => o?.close());

/** (tag, person) pairs stored more than once: superseded rows still there */
async function repeated(table: string): Promise<number> {
  const [r] = await o.rt.olap.query<{ n: string }>(
    `SELECT count() AS n FROM (SELECT tag_code, person_id FROM ${o.rt.olap.db}.${table} GROUP BY tag_code, person_id HAVING count() > 1)`,
  );
  return Number(r!.n);
}

describe('a full build', () => {
  it('leaves one row per tag and person, the latest, after builds and a live refresh', async () => {
    const { rt } = o;
    await rt.tags.build({ trigger: 'test' });
    const first = await rt.tags.valuesOf('bc-b');
    // a refresh and a later order write newer values for one person; the next build supersedes everything
    await send(rt, [msg.track('bc-b', 'Order Completed', NOW - DAY, { order_id: 'o-bc-b-2', revenue: 5 })]);
    await refreshPersons(rt.tags.deps, ['bc-b']);
    const result = await rt.tags.build({ trigger: 'test' });
    assert.ok(typeof result.timings.compact === 'number', `the build times its compaction: ${JSON.stringify(result.timings)}`);
    assert.equal(await repeated('tag_values'), 0);
    assert.equal(await repeated('tag_values_by_person'), 0);
    const second = await rt.tags.valuesOf('bc-b');
    const orders = (v: typeof first) => v.values.find((x) => x.code === 'orders_total')?.value;
    assert.equal(orders(first), 1);
    assert.equal(orders(second), 2, 'the latest values are the ones kept');
  });
});
