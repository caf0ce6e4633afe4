/**
 * The sandbox's simulation on its own (src/campaigns/sandbox/model.ts) over a small generated world:
 * the same seed answers the same way and another seed differently; the truth it reports is the response
 * model's, recomputed here; orders land inside each person's goal window and never in the future; the
 * coupon is applied when held; and deliveries are refused without the webhook signature.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWorld, Sandbox, simulate, type Delivery, type SandboxWorld, type SimAssignment } from '../../src/campaigns/sandbox/index.ts';
import { signature } from '../../src/segments/webhooks.ts';
import { responseProbability, writeWorld } from '../../src/world/index.ts';

const DAY = 86_400_000;
let dir: string;
let world: SandboxWorld;
let assignments: SimAssignment[];
let deliveries: Map<string, Delivery>;
const at = Date.UTC(2026, 5, 1, 12);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-sandbox-model-'));
  await writeWorld({ users: 600, days: 20, future: 0, seed: 'sandbox-model', out: dir });
  world = await loadWorld(dir);
  assignments = world.shoppers.map((s, i) => ({
    userId: i % 7 === 0 && s.anonymousIds.length ? s.anonymousIds[0]! : s.userId, personId: `p${i}`,
    arm: i % 2 ? 'control' : 'coupon', assignedAt: new Date(at + i * 60_000).toISOString(),
  }));
  // every treated person but one in ten got the message
  deliveries = new Map(assignments.filter((a, i) => a.arm === 'coupon' && i % 10 !== 0)
    .map((a) => [a.userId, { messageId: `m-${a.userId}`, userId: a.userId, arm: a.arm, channel: 'webhook', coupon: { code: `C-${a.userId}`, value: 20, category: 'food' } }]));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = (seed: string, now = at + 30 * DAY) => ({
  seed, campaignId: 'cmp_x', goal: { event: 'Order Completed', windowDays: 7, category: 'food' }, assignments, deliveries, world, hour: 20, now,
});

describe('sandbox simulation', () => {
  it('is deterministic per seed, and another seed draws differently', () => {
    const a = simulate(input('1'));
    assert.deepEqual(simulate(input('1')), a);
    const b = simulate(input('2'));
    assert.notDeepEqual(b.events.map((e) => e.messageId), a.events.map((e) => e.messageId));
    assert.equal(a.unknown, 0);
  });

  it('reports the response model’s truth: withOffer for the reached, withoutOffer for everyone else', () => {
    const sim = simulate(input('1'));
    for (const arm of ['coupon', 'control']) {
      let faced = 0;
      let uplift = 0;
      let n = 0;
      for (const a of assignments.filter((x) => x.arm === arm)) {
        const s = world.byId.get(a.userId)!;
        const d = arm === 'coupon' ? deliveries.get(a.userId) : undefined;
        const r = responseProbability(s.traits, { couponValue: d ? 20 : 0, category: 'food', channel: d ? 'inapp' : 'none', hour: 20, windowDays: 7 });
        faced += d ? r.withOffer : r.withoutOffer;
        uplift += (d ? r.withOffer : r.withoutOffer) - r.withoutOffer;
        n++;
      }
      const t = sim.arms.find((x) => x.arm === arm)!;
      assert.equal(t.people, n);
      assert.ok(Math.abs(t.trueCvr - faced / n) < 1e-12, arm);
      assert.ok(Math.abs(t.trueUplift - uplift / n) < 1e-12, arm);
      if (arm === 'control') assert.equal(t.trueUplift, 0);
    }
    const converted = sim.arms.reduce((s, a) => s + a.converted, 0);
    assert.equal(sim.events.length, converted, 'one order per converter');
  });

  it('places each order in the person’s window, with their id and the coupon they hold', () => {
    const when = new Map(assignments.map((a) => [a.userId, Date.parse(a.assignedAt)]));
    const sim = simulate(input('3'));
    assert.ok(sim.events.length >= 5, `${sim.events.length} orders`);
    for (const e of sim.events as any[]) {
      const id = e.userId ?? e.anonymousId;
      const t = Date.parse(e.timestamp);
      assert.ok(t >= when.get(id)! && t < when.get(id)! + 7 * DAY, 'inside the goal window');
      assert.equal(e.event, 'Order Completed');
      assert.equal(e.properties.category, 'food');
      assert.ok(e.properties.products[0].category.startsWith('食品/'), e.properties.products[0].category);
      const d = deliveries.get(id);
      assert.equal(e.properties.coupon, d ? d.coupon!.code : null);
      assert.ok(Math.abs(e.properties.revenue - (e.properties.subtotal - e.properties.discount)) < 0.011);
      if (world.byId.get(id)!.userId !== id) assert.equal(e.userId, undefined, 'a device id is sent as anonymousId');
    }
    // a window not over yet: squeezed into the time that has passed
    const early = simulate(input('3', at + DAY));
    for (const e of early.events as any[]) assert.ok(Date.parse(e.timestamp) <= at + DAY);
  });

  it('refuses an unsigned or wrongly signed delivery when it has a secret, and records a signed one', () => {
    const sb = new Sandbox({ world, target: 'http://127.0.0.1:9', writeKey: 'k', token: 't', seed: '1', secret: 'a-secret-of-16-chars' });
    const body = JSON.stringify({ id: 'm1', channel: 'webhook', userId: world.shoppers[0]!.userId, meta: { campaignId: 'cmp_y', journeyId: null, stepId: null, arm: 'A' } });
    assert.equal(sb.receive(body, {}).status, 401);
    assert.equal(sb.receive(body, { 'x-huaxiang-timestamp': '1', 'x-huaxiang-signature': signature('wrong-secret-0000000', '1', body) }).status, 401);
    assert.equal(sb.receive(body, { 'x-huaxiang-timestamp': '1', 'x-huaxiang-signature': signature('a-secret-of-16-chars', '1', body) }).status, 200);
    assert.equal(sb.delivered('cmp_y'), 1);
    const bad = '{"id":"m2"}';
    assert.equal(sb.receive(bad, { 'x-huaxiang-timestamp': '1', 'x-huaxiang-signature': signature('a-secret-of-16-chars', '1', bad) }).status, 400);
    sb.close();
  });
});
