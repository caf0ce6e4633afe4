import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Erasure reaches the campaign tables: the person's messages, the coupon codes issued with them (keyed by
 * message ids, which name the person), their channel subscriptions and campaign assignments — and only theirs.
 */
let sc: Scenario;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-erase-' });
  await send(sc.rt, [msg.track('ce-1', 'Product Viewed', Date.now() - DAY, { product_id: 'p1' }), msg.track('ce-2', 'Product Viewed', Date.now() - DAY, { product_id: 'p1' })]);
  const content = JSON.stringify({ body: { en: 'hi' } });
  for (const u of ['ce-1', 'ce-2']) {
    const person = await sc.rt.identity.personOf(u);
    await sc.rt.oltp.query(
      `INSERT INTO campaign_messages (id, dedup_key, campaign_id, person_id, user_id, channel, arm, content, status) VALUES ($1, $1, 'c1', $2, $3, 'coupon', 'A', $4, 'sent')`,
      [`c1:r1:${person}`, person, u, content],
    );
    await sc.rt.oltp.query(`INSERT INTO message_coupons (message_id, code, coupon) VALUES ($1, $2, '{}')`, [`c1:r1:${person}`, `CODE-${u}`]);
    await sc.rt.oltp.query(`INSERT INTO channel_subscriptions (person_id, channel, subscribed, source) VALUES ($1, 'sms', false, 'test')`, [person]);
    await sc.rt.olap.insert('campaign_assignments', [{ campaign_id: 'c1', run_id: 'r1', person_id: person, user_id: u, arm: 'A', assigned_at: new Date() }]);
  }
});
after(async () => sc?.close());

it('erases the person’s messages with their coupon codes, subscriptions and assignments, and no one else’s', async () => {
  const receipt = await sc.rt.privacy.erase('ce-1', { actor: 'test', role: 'admin' });
  assert.equal(receipt.stores['oltp.campaign_messages'], 2, 'the message and its coupon code');
  assert.equal(receipt.stores['oltp.channel_subscriptions'], 1);
  const left = await sc.rt.oltp.query<{ code: string }>('SELECT code FROM message_coupons ORDER BY code');
  assert.deepEqual(left.map((r) => r.code), ['CODE-ce-2']);
  const msgs = await sc.rt.oltp.query<{ user_id: string }>('SELECT user_id FROM campaign_messages');
  assert.deepEqual(msgs.map((r) => r.user_id), ['ce-2']);
  const subs = await sc.rt.oltp.query<{ n: number }>('SELECT count(*)::int AS n FROM channel_subscriptions');
  assert.equal(subs[0]!.n, 1);
  const assigned = await sc.rt.olap.query<{ user_id: string }>(`SELECT user_id FROM ${sc.rt.olap.db}.campaign_assignments FINAL`);
  assert.deepEqual(assigned.map((r) => r.user_id), ['ce-2']);
});
