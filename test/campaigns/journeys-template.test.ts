/**
 * The abandoned-cart template end to end on real stores: Segment messages through the real ingestion
 * pipeline (validate → identity → write), the writer's hook into the journey engine, the engine's clock
 * moved by the test, and the campaign queue (CampaignEngine.enqueue) writing campaign_messages. Who
 * should get the reminder is worked out here from the same events: everyone who added to cart and did
 * not order within the hour, less the 10 % held out by SHA-256("journey:<id>:<person>").
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { JOURNEY_TEMPLATES } from '../../src/campaigns/journeys/index.ts';
import { HOUR, MINUTE, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

let sc: Scenario;
const t0 = Date.now() - 4 * HOUR;
const clock = { t: t0 };

before(async () => {
  sc = await openScenario({ prefix: 'hx-journey-cart-' });
  sc.rt.journeys.now = () => clock.t;
});
after(() => sc?.close());

interface Row { person_id: string; user_id: string; journey_id: string; step_id: string; channel: string; status: string; dedup_key: string; content: unknown }

describe('abandoned cart template', () => {
  it('queues one reminder per cart left for an hour, none for buyers or the held-out', async () => {
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'abandoned_cart')!;
    const rt = sc.rt;
    const j = await rt.journeys.create({ ...template.journey, id: 'cart' }, 'test');
    await rt.journeys.activate(j.id);

    // 12 shoppers add to cart; some order within the hour (by a second device before signing in, for one)
    const users = Array.from({ length: 12 }, (_, i) => `cart-${i}`);
    const ordersAt = new Map<string, number>([['cart-0', 20 * MINUTE], ['cart-3', 59 * MINUTE], ['cart-5', 90 * MINUTE], ['cart-7', 30 * MINUTE]]);
    await send(rt, users.map((u) => msg.track(u, 'Product Added', t0, { product_id: `p-${u}`, category: 'apparel', price: 99, quantity: 1 })));
    await rt.journeys.idle();
    // cart-7 orders from an anonymous device that is then tied to them
    await send(rt, [msg.alias('dev-cart-7', 'cart-7', t0 + MINUTE)]);
    for (const [u, at] of [...ordersAt].sort((a, b) => a[1] - b[1])) {
      clock.t = t0 + at;
      if (at > HOUR) await rt.journeys.tick(); // the hour is up before this order arrives
      const order = { order_id: `o-${u}`, revenue: 99, products: [{ product_id: `p-${u}`, category: 'apparel', price: 99, quantity: 1 }] };
      await send(rt, [u === 'cart-7' ? msg.anon('dev-cart-7', 'Order Completed', clock.t, order) : msg.track(u, 'Order Completed', clock.t, order)]);
      await rt.journeys.idle();
    }
    clock.t = t0 + 2 * HOUR;
    await rt.journeys.tick();

    // expected, independently: no order within the hour, and not held out (53 bits of the hash < 0.1)
    const held = (u: string) => {
      const h = createHash('sha256').update(`journey:${j.id}:${u}`).digest();
      return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53 < template.journey.holdout!;
    };
    const abandoned = users.filter((u) => !(ordersAt.has(u) && ordersAt.get(u)! <= HOUR));
    const expected = abandoned.filter((u) => !held(u)).sort();
    assert.ok(expected.length >= 4, 'the fixture leaves several reminders to send');

    const rows = await rt.oltp.query<Row>(`SELECT person_id, user_id, journey_id, step_id, channel, status, dedup_key, content FROM campaign_messages WHERE journey_id = $1 ORDER BY person_id`, [j.id]);
    assert.deepEqual(rows.map((r) => r.person_id), expected);
    for (const r of rows) {
      assert.equal(r.step_id, 'remind');
      assert.equal(r.channel, 'email');
      assert.equal(r.status, 'queued');
      assert.equal(r.user_id, r.person_id);
      assert.deepEqual(typeof r.content === 'string' ? JSON.parse(r.content) : r.content, (template.journey.steps.find((s) => s.id === 'remind') as { content: unknown }).content);
    }
    const view = await rt.journeys.get(j.id);
    assert.equal(view.stats.wait_order!.entered, users.length);
    assert.equal(view.stats.ordered!.entered, users.length - abandoned.length);
    assert.equal(view.stats.remind!.entered, abandoned.length);
    assert.equal(view.stats.remind!.heldOut, abandoned.filter(held).length);

    // the same cart again within the day's cooldown starts nothing; the queue holds each message once
    clock.t = t0 + 3 * HOUR;
    await send(rt, abandoned.map((u) => msg.track(u, 'Product Added', clock.t, { product_id: `p2-${u}` })));
    await rt.journeys.idle();
    clock.t = t0 + 5 * HOUR;
    await rt.journeys.tick();
    const again = await rt.oltp.query<{ n: string }>('SELECT count(*) AS n FROM campaign_messages WHERE journey_id = $1', [j.id]);
    assert.equal(Number(again[0]!.n), expected.length);
  });
});
