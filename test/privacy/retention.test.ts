import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getProfile } from '../../src/profiles/index.ts';
import { EVENT_COPIES } from '../../src/privacy/retentionCopies.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Retention on the real stores: events, dead letters, segment changes and webhook deliveries on both sides
 * of each class's cutoff; a dry run counts without removing; a run removes exactly the expired rows (whole
 * monthly partitions dropped, the rest of a month deleted row by row) and is audited; the profile's summary
 * of events (counts, first seen) follows the events.
 */

// the events period is chosen so its cutoff falls mid-month (about two years back), so that month holds
// rows on both sides of it; the other classes use periods of their own, relative to the same moment
const NOW = new Date();
const target = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() - 25, 15, 12);
const EVENTS_DAYS = Math.round((NOW.getTime() - target) / DAY);
const CUTOFF = NOW.getTime() - EVENTS_DAYS * DAY;
const at = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

let o: Scenario;
let segmentId = '';

before(async () => {
  o = await openScenario({ live: false, prefix: 'hx-retention-' });
  const { rt } = o;
  await send(rt, [
    msg.track('ret-a', 'Product Viewed', CUTOFF - 90 * DAY, { product_id: 'p1' }), // a month wholly expired
    msg.track('ret-a', 'Product Viewed', CUTOFF - DAY, { product_id: 'p2' }), // expired, in the cutoff's month
    msg.track('ret-a', 'Product Viewed', CUTOFF + DAY, { product_id: 'p3' }), // kept, same month
    msg.track('ret-b', 'Order Completed', NOW.getTime() - 10 * DAY, { order_id: 'o1', revenue: 5 }),
    msg.identify('ret-a', CUTOFF - 2 * DAY, { city: '杭州' }), // expired: its trait goes from the copies too
    msg.identify('ret-a', CUTOFF + 2 * DAY, { city: '上海' }),
    msg.track('ret-c', 'Product Reviewed', CUTOFF - 3 * DAY, { product_id: 'p1', rating: 4 }),
  ]);
  const dead = (t: number, i: number) => ({ received_at: at(t), request_id: `r${i}`, source: 'http', batch_index: 0, message_id: `d${i}`, reason: 'x', details: '{}', payload: '{}' });
  // within the table's own 90-day TTL, on both sides of a 30-day period
  await rt.olap.insert('dead_letters', [dead(NOW.getTime() - 45 * DAY, 1), dead(NOW.getTime() - 20 * DAY, 2)]);
  const seg = await rt.segments.create({ name: 'Hooked', description: '', kind: 'static', ids: [] }, 'test');
  segmentId = seg.id;
  await rt.olap.insert('segment_changes', [
    { segment_id: seg.id, person_id: 'ret-a', change: 'entered', at: at(NOW.getTime() - 500 * DAY), source: 'test' },
    { segment_id: seg.id, person_id: 'ret-a', change: 'exited', at: at(NOW.getTime() - 5 * DAY), source: 'test' },
  ]);
  for (const [status, days] of [['delivered', 40], ['failed', 35], ['pending', 60], ['delivered', 3]] as const) {
    await rt.oltp.query(`INSERT INTO webhook_deliveries (segment_id, url, body, status, created_at) VALUES ($1, 'http://127.0.0.1:9/', '{}', $2, $3)`, [
      seg.id, status, new Date(NOW.getTime() - days * DAY).toISOString(),
    ]);
  }
});
after(async () => o?.close());

describe('retention', () => {
  const days = { events: EVENTS_DAYS, dead_letters: 30, segment_changes: 400, webhook_deliveries: 30 };
  const counts = async () => {
    const { rt } = o;
    const db = rt.olap.db;
    const one = async (sql: string) => Number((await rt.olap.query<{ n: string }>(sql))[0]!.n);
    return {
      events: await one(`SELECT count() AS n FROM ${db}.events`),
      dead_letters: await one(`SELECT count() AS n FROM ${db}.dead_letters`),
      segment_changes: await one(`SELECT count() AS n FROM ${db}.segment_changes WHERE segment_id = '${segmentId}'`),
      webhook_deliveries: Number((await rt.oltp.query<{ n: string }>('SELECT count(*) AS n FROM webhook_deliveries'))[0]!.n),
    };
  };

  it('has no period for events unless one is given', () => {
    assert.equal(o.rt.privacy.retention.days.events, undefined);
    assert.equal(o.rt.privacy.retention.days.dead_letters, 90);
  });

  it('counts what a run would remove without removing it', async () => {
    const before = await counts();
    const r = await o.rt.privacy.retention.enforce({ now: NOW, days, dryRun: true });
    assert.deepEqual(r.removed, { events: 4, dead_letters: 1, segment_changes: 1, webhook_deliveries: 2, tag_snapshots: 0 });
    assert.deepEqual(await counts(), before);
    assert.deepEqual((await getProfile(o.rt, 'ret-a'))?.eventCounts, { 'Product Viewed': 3, identify: 2 });
    assert.equal((await o.rt.audit.search({ action: 'retention.enforce' })).length, 0, 'a dry run is not audited');
  });

  it('removes exactly the expired rows of each class, and is audited', async () => {
    const before = await counts();
    const r = await o.rt.privacy.retention.enforce({ now: NOW, days, actor: 'tok_test' });
    assert.deepEqual(r.removed, { events: 4, dead_letters: 1, segment_changes: 1, webhook_deliveries: 2, tag_snapshots: 0 });
    assert.equal(r.partitionsDropped.events, 1, 'the month three months before the cutoff went whole; the cutoff\'s month row by row');
    assert.deepEqual(await counts(), { events: before.events - 4, dead_letters: before.dead_letters - 1, segment_changes: before.segment_changes - 1, webhook_deliveries: before.webhook_deliveries - 2 });
    const kept = await o.rt.olap.query<{ product_id: string }>(`SELECT product_id FROM ${o.rt.olap.db}.events WHERE distinct_id = 'ret-a' AND type = 'track'`);
    assert.deepEqual(kept.map((k) => k.product_id), ['p3']);
    const profile = await getProfile(o.rt, 'ret-a');
    assert.deepEqual(profile?.eventCounts, { 'Product Viewed': 1, identify: 1 }, 'the profile counts only the events kept');
    assert.equal(profile?.firstSeen, new Date(CUTOFF + DAY).toISOString());
    assert.equal(profile?.traits.city, '上海');
    assert.equal(await getProfile(o.rt, 'ret-c'), null, 'a person whose every event expired has no profile');
    const statuses = await o.rt.oltp.query<{ status: string }>('SELECT status FROM webhook_deliveries ORDER BY created_at');
    assert.deepEqual(statuses.map((s) => s.status), ['pending', 'delivered'], 'a pending delivery is never dropped');
    const [entry] = await o.rt.audit.search({ action: 'retention.enforce' });
    assert.equal(entry?.actor, 'tok_test');
    assert.deepEqual(entry?.details.removed, r.removed);
    const again = await o.rt.privacy.retention.enforce({ now: NOW, days });
    assert.ok(Object.values(again.removed).every((n) => n === 0));
  });

  it('leaves every table filled from events as its view would fill it from the events kept', async () => {
    const { rt } = o;
    const db = rt.olap.db;
    const views = await rt.olap.query<{ name: string; target: string; select: string }>(
      `SELECT name, as_select AS select, extract(create_table_query, {to:String}) AS target
       FROM system.tables WHERE database = {db:String} AND engine = 'MaterializedView' AND match(as_select, {from:String})`,
      { db, from: `FROM ${db}\\.events\\b`, to: 'TO [^.\\s]+\\.(\\w+)' },
    );
    assert.deepEqual(views.map((v) => v.target).sort(), EVENT_COPIES.map((c) => c.table).sort(), 'every copy of events is one retention reaches');
    const canonical = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
    for (const v of views) {
      await rt.olap.command(`OPTIMIZE TABLE ${db}.${v.target} FINAL`);
      const columns = (await rt.olap.query<{ name: string }>(`DESCRIBE (${v.select})`)).map((c) => `\`${c.name}\``).join(', ');
      const stored = await rt.olap.query<object>(`SELECT ${columns} FROM ${db}.${v.target}`);
      const fresh = await rt.olap.query<object>(`SELECT ${columns} FROM (${v.select})`);
      assert.deepEqual(canonical(stored), canonical(fresh), `${v.target} holds what its view yields from the events kept`);
      assert.ok(fresh.length > 0 || ['review_events'].includes(v.target), `${v.target} has rows to compare`);
    }
    const [{ n }] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.review_events`);
    assert.equal(Number(n), 0, 'the expired review left the reviews copy');
  });
});
