import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getProfile, type Profile } from '../../src/profiles/index.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Profiles asked for at the same time are read together (src/profiles/reads.ts): each comes out exactly as
 * when asked alone — traits, event counts, first/last seen, tags and segments, a merged person and a person
 * with no events among them — and the engine is asked fewer times than there are profiles.
 */

const NOW = Date.now();
const people = ['pr-a', 'pr-b', 'pr-c', 'pr-d', 'pr-e'];
let o: Scenario;

before(async () => {
  o = await openScenario({ live: false, prefix: 'hx-profile-reads-' });
  const { rt } = o;
  const messages = people.flatMap((u, i) => [
    msg.identify(u, NOW - 20 * DAY, { city: `城市${i}`, gender: i % 2 ? 'female' : 'male' }),
    msg.identify(u, NOW - 2 * DAY, { city: `新城${i}` }),
    ...Array.from({ length: i + 1 }, (_, k) => msg.track(u, 'Product Viewed', NOW - (k + 1) * DAY, { product_id: `p${k}` })),
    msg.track(u, 'Order Completed', NOW - 3 * DAY, { order_id: `o-${u}`, revenue: 10 * (i + 1) }),
  ]);
  // a device that later signs in as pr-a: its events count in pr-a's profile
  messages.push({ type: 'track', event: 'Product Viewed', anonymousId: 'pr-device', messageId: 'pr-dev-1', timestamp: new Date(NOW - 40 * DAY).toISOString(), properties: { product_id: 'p9' } });
  messages.push({ type: 'identify', anonymousId: 'pr-device', userId: 'pr-a', messageId: 'pr-dev-2', timestamp: new Date(NOW - DAY).toISOString(), traits: {} });
  await send(rt, messages);
  await rt.tags.build({ trigger: 'test' });
  await rt.segments.create({ name: 'Picked', description: '', kind: 'static', ids: ['pr-b', 'pr-d'] }, 'test');
});
after(async () => o?.close());

const comparable = (p: Profile | null) => (p ? { ...p, updatedAt: '' } : null);

describe('profiles read together', () => {
  it('come out as each does alone, with fewer reads of the engine', async () => {
    const { rt } = o;
    const asked = [...people, 'pr-nobody', 'pr-device'];
    const alone = [];
    for (const id of asked) alone.push(comparable(await getProfile(rt, id)));
    assert.equal(alone[5], null, 'no events, no profile');
    assert.deepEqual(alone[6], alone[0], 'a device id answers with its person');
    const a = alone[0]!;
    assert.equal(a.traits.city, '新城0', 'the later identify wins');
    assert.equal(a.traits.gender, 'male');
    assert.deepEqual(a.eventCounts, { identify: 3, 'Product Viewed': 2, 'Order Completed': 1 });
    assert.equal(a.firstSeen, new Date(NOW - 40 * DAY).toISOString());
    assert.deepEqual(alone[1]!.segments.length, 1);
    assert.deepEqual(alone[0]!.segments, []);
    assert.ok(Number(alone[4]!.tags.orders_total) === 1, 'tags come with the profile');

    const query = rt.olap.query.bind(rt.olap);
    let summaryReads = 0;
    rt.olap.query = (async (sql: string, params?: Record<string, unknown>) => {
      if (sql.includes('profile_event_summary')) summaryReads++;
      return query(sql, params);
    }) as typeof rt.olap.query;
    try {
      const together = (await Promise.all(asked.map((id) => getProfile(rt, id)))).map(comparable);
      assert.deepEqual(together, alone);
    } finally {
      rt.olap.query = query;
    }
    assert.ok(summaryReads < asked.length, `${asked.length} profiles at once took ${summaryReads} reads of the summary`);
  });
});
