/**
 * Journeys on real stores (chdb + PGlite) with events sent through the real ingestion pipeline and the
 * engine's clock set by the test: wait → send; wait until an event (the event path skips the send, the
 * timeout path sends); a condition split on traits; a global exit condition; re-entry never / always /
 * after a cooldown; the holdout (recomputed here from SHA-256); entry on entering a segment; the daily
 * birthday entry. Messages are caught at the send function (the delivery pipeline's own guard rails
 * are its tests' business); the abandoned-cart template end to end into campaign_messages is in
 * journeys-template.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { JourneyInput } from '../../src/campaigns/journeys/index.ts';
import type { OutgoingMessage } from '../../src/campaigns/types.ts';
import { HOUR, MINUTE, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

let sc: Scenario;
const sent: OutgoingMessage[] = [];
/** the engine's clock; starts 6 h in the past so that later moves stay within the ingestion's future limit */
const clock = { t: Date.now() - 6 * HOUR };

before(async () => {
  sc = await openScenario({ prefix: 'hx-journeys-' });
  sc.rt.journeys.now = () => clock.t;
  // stand-in for the delivery pipeline: records what the engine hands over
  sc.rt.journeys.send = async (msgs) => {
    sent.push(...msgs);
    return { queued: msgs.length, suppressed: 0 };
  };
});
after(() => sc?.close());

const J = () => sc.rt.journeys;
async function journey(input: JourneyInput): Promise<string> {
  const j = await J().create({ holdout: 0, ...input }, 'test');
  await J().activate(j.id);
  return j.id;
}
/** events at the clock's time, through the pipeline; then the engine's handling of them */
async function events(...m: Record<string, unknown>[]): Promise<void> {
  await send(sc.rt, m);
  await J().idle();
}
const sentTo = (journeyId: string, stepId?: string) => sent.filter((m) => m.journeyId === journeyId && (!stepId || m.stepId === stepId)).map((m) => m.userId).sort();
const stateOf = async (journeyId: string, personId: string) => (await J().store.statesOf([journeyId], [personId]))[0];

describe('journeys', () => {
  it('waits, then sends once the wait is over', async () => {
    const id = await journey({
      id: 'wait-send', name: 'wait then send',
      entry: { kind: 'event', event: 'Product Added', where: [{ field: 'category', op: 'eq', value: 'apparel' }] },
      steps: [
        { id: 'w', type: 'wait', duration: { hours: 1 }, next: 's' },
        { id: 's', type: 'send', channel: 'email', content: { body: { 'zh-CN': '您好', en: 'Hello' } } },
      ],
    });
    const t = clock.t;
    await events(msg.track('ws-1', 'Product Added', t, { product_id: 'p1', category: 'apparel', price: 10 }), msg.track('ws-2', 'Product Added', t, { product_id: 'p2', category: 'books', price: 10 }));
    assert.equal((await stateOf(id, 'ws-1'))?.status, 'waiting');
    assert.equal(await stateOf(id, 'ws-2'), undefined, 'a Product Added of another category does not enter');
    clock.t = t + 59 * MINUTE;
    await J().tick();
    assert.deepEqual(sentTo(id), []);
    clock.t = t + 61 * MINUTE;
    const r = await J().tick();
    assert.equal(r.woken, 1);
    assert.deepEqual(sentTo(id), ['ws-1']);
    const m = sent.find((x) => x.journeyId === id)!;
    assert.equal(m.channel, 'email');
    assert.equal(m.stepId, 's');
    assert.equal(m.personId, 'ws-1');
    assert.equal(m.notBefore, new Date(clock.t).toISOString());
    const s = await stateOf(id, 'ws-1');
    assert.equal(s?.status, 'done');
    const view = await J().get(id);
    assert.deepEqual(view.stats.w, { entered: 1, completed: 1, heldOut: 0, waiting: 0 });
    assert.deepEqual(view.stats.s, { entered: 1, completed: 1, heldOut: 0, waiting: 0 });
    // a second tick finds nothing due: the message is not sent twice
    await J().tick();
    assert.deepEqual(sentTo(id), ['ws-1']);
  });

  it('waits until an event: the event takes its branch (no send), the timeout takes the other', async () => {
    const id = await journey({
      id: 'until', name: 'wait until ordered',
      entry: { kind: 'event', event: 'Product Added' },
      steps: [
        { id: 'w', type: 'wait', duration: { hours: 1 }, until: { event: 'Order Completed' }, onEvent: 'bought', next: 'remind' },
        { id: 'remind', type: 'send', channel: 'sms', content: { body: { 'zh-CN': '购物车提醒' } } },
        { id: 'bought', type: 'exit' },
      ],
    });
    const t = clock.t;
    await events(msg.track('wu-buyer', 'Product Added', t, { product_id: 'p1' }), msg.track('wu-idle', 'Product Added', t, { product_id: 'p1' }));
    clock.t = t + 10 * MINUTE;
    await events(msg.track('wu-buyer', 'Order Completed', clock.t, { order_id: 'o-wu', revenue: 10 }));
    const buyer = await stateOf(id, 'wu-buyer');
    assert.equal(buyer?.status, 'done');
    assert.equal(buyer?.stepId, 'bought');
    assert.equal((await stateOf(id, 'wu-idle'))?.status, 'waiting');
    clock.t = t + 2 * HOUR;
    await J().tick();
    assert.deepEqual(sentTo(id), ['wu-idle'], 'only the timeout path sends');
    const stats = (await J().get(id)).stats;
    assert.equal(stats.w!.entered, 2);
    assert.equal(stats.bought!.entered, 1);
    assert.equal(stats.remind!.entered, 1);
  });

  it('splits on a condition over traits: each person takes the branch their traits say', async () => {
    const id = await journey({
      id: 'split', name: 'gold or not',
      entry: { kind: 'event', event: 'Checkout Started' },
      steps: [
        { id: 'tier', type: 'split', condition: { trait: 'plan', op: 'eq', value: 'gold' }, yes: 'vip', no: 'std' },
        { id: 'vip', type: 'send', channel: 'sms', content: { body: { 'zh-CN': 'VIP' } } },
        { id: 'std', type: 'send', channel: 'email', content: { body: { 'zh-CN': '普通' } } },
      ],
    });
    const plans: Record<string, string | null> = { 'sp-a': 'gold', 'sp-b': 'silver', 'sp-c': null, 'sp-d': 'gold' };
    const t = clock.t;
    await send(sc.rt, Object.entries(plans).filter(([, p]) => p).map(([u, p]) => msg.identify(u, t - HOUR, { plan: p })));
    await events(...Object.keys(plans).map((u) => msg.track(u, 'Checkout Started', t, {})));
    const expectGold = Object.entries(plans).filter(([, p]) => p === 'gold').map(([u]) => u).sort();
    const expectOther = Object.keys(plans).filter((u) => !expectGold.includes(u)).sort();
    assert.deepEqual(sentTo(id, 'vip'), expectGold);
    assert.deepEqual(sentTo(id, 'std'), expectOther);
    for (const m of sent.filter((x) => x.journeyId === id)) assert.equal(m.channel, m.stepId === 'vip' ? 'sms' : 'email');
  });

  it('a global exit event ends the journey wherever the person is; a non-matching one does not', async () => {
    const id = await journey({
      id: 'exit', name: 'exit on a big order',
      entry: { kind: 'event', event: 'Product Added' },
      steps: [
        { id: 'w', type: 'wait', duration: { hours: 2 }, next: 's' },
        { id: 's', type: 'send', channel: 'push', content: { body: { en: 'come back' } } },
      ],
      exitOn: [{ event: 'Order Completed', where: [{ field: 'revenue', op: 'gte', value: 100 }] }],
    });
    const t = clock.t;
    await events(msg.track('ex-big', 'Product Added', t, { product_id: 'p' }), msg.track('ex-small', 'Product Added', t, { product_id: 'p' }));
    clock.t = t + 30 * MINUTE;
    await events(msg.track('ex-big', 'Order Completed', clock.t, { order_id: 'o-big', revenue: 150 }), msg.track('ex-small', 'Order Completed', clock.t, { order_id: 'o-small', revenue: 50 }));
    const big = await stateOf(id, 'ex-big');
    assert.equal(big?.status, 'exited');
    assert.equal(big?.exitReason, 'event: Order Completed');
    assert.equal((await stateOf(id, 'ex-small'))?.status, 'waiting');
    clock.t = t + 3 * HOUR;
    await J().tick();
    assert.deepEqual(sentTo(id), ['ex-small']);
    const view = await J().get(id);
    assert.equal(view.people.exited, 1);
    assert.equal(view.people.done, 1);
  });

  it('re-entry: never enters once, always after each pass, cooldown only once the cooldown has passed', async () => {
    const body = (id: string, reentry: JourneyInput['reentry']): JourneyInput => ({
      id, name: id, entry: { kind: 'event', event: 'Coupon Applied' }, reentry,
      steps: [{ id: 's', type: 'send', channel: 'inapp', content: { body: { 'zh-CN': '券' } } }],
    });
    const never = await journey(body('re-never', { policy: 'never' }));
    const always = await journey(body('re-always', { policy: 'always' }));
    const cool = await journey(body('re-cool', { policy: 'cooldown', cooldown: { days: 1 } }));
    clock.t = Date.now() - 6 * HOUR;
    const t = clock.t;
    // entries at t, t+1h, t+25h
    const times = [t, t + HOUR, t + 25 * HOUR];
    for (const at of times) {
      clock.t = at;
      await events(msg.track('re-u', 'Coupon Applied', at, { coupon: 'C1' }));
    }
    // expected from the policies, independently: never → 1; always → every time; cooldown 1 day → t and t+25h
    let cooldownEntries = 0;
    let lastEntry = -Infinity;
    for (const at of times) if (at - lastEntry >= 24 * HOUR) (cooldownEntries += 1), (lastEntry = at);
    assert.equal(sentTo(never).length, 1);
    assert.equal(sentTo(always).length, times.length);
    assert.equal(sentTo(cool).length, cooldownEntries);
    assert.equal(cooldownEntries, 2);
    // each entry is its own message (the dedup key holds the entry number)
    assert.equal(new Set(sent.filter((m) => m.journeyId === always).map((m) => m.id)).size, times.length);
    assert.equal((await stateOf(always, 're-u'))?.entry, times.length);
  });

  it('holds out the share the stable hash says: recorded and walked, never sent', async () => {
    const id = await journey({
      id: 'holdout', name: 'half held out', holdout: 0.5,
      entry: { kind: 'event', event: 'Cart Viewed' },
      steps: [{ id: 's', type: 'send', channel: 'email', content: { body: { en: 'hi' } } }],
    });
    const users = Array.from({ length: 40 }, (_, i) => `ho-${i}`);
    // an order before the entry, which no result may count
    await send(sc.rt, [msg.track('ho-0', 'Order Completed', clock.t - HOUR, { order_id: 'ho-before', revenue: 500 })]);
    await events(...users.map((u) => msg.track(u, 'Cart Viewed', clock.t, {})));
    // the same rule as src/experiments/assign.ts, written out: 53 bits of SHA-256("journey:<id>:<person>") < 0.5 → control
    const frac = (u: string) => {
      const h = createHash('sha256').update(`journey:${id}:${u}`).digest();
      return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
    };
    const control = users.filter((u) => frac(u) < 0.5);
    assert.ok(control.length > 5 && control.length < 35);
    assert.deepEqual(sentTo(id), users.filter((u) => !control.includes(u)).sort());
    const view = await J().get(id);
    assert.equal(view.stats.s!.heldOut, control.length);
    assert.equal(view.stats.s!.entered, users.length);
    assert.equal(view.people.control, control.length);
    const assigned = await sc.rt.olap.query<{ arm: string; n: string }>(
      `SELECT arm, count() AS n FROM ${sc.rt.olap.db}.campaign_assignments FINAL WHERE campaign_id = {c:String} GROUP BY arm ORDER BY arm`,
      { c: `journey:${id}` },
    );
    assert.deepEqual(assigned.map((r) => [r.arm, Number(r.n)]), [['control', control.length], ['journey', users.length - control.length]]);

    // results: every third person orders within the week after entering, for 100 + 10·i
    const orders = users.flatMap((u, i) => (i % 3 === 0 ? [{ u, revenue: 100 + 10 * i }] : []));
    await send(sc.rt, orders.map((o) => msg.track(o.u, 'Order Completed', clock.t + HOUR, { order_id: `ho-o-${o.u}`, revenue: o.revenue })));
    const r = await J().results(id, 'Order Completed', 7);
    const arm = (inControl: boolean) => {
      const people = users.filter((u) => control.includes(u) === inControl);
      const conv = people.map((u): number => (orders.some((o) => o.u === u) ? 1 : 0));
      const gmv = people.map((u) => orders.find((o) => o.u === u)?.revenue ?? 0);
      const mv = (xs: number[]) => {
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        return { n: xs.length, m, v: xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) };
      };
      return { n: people.length, conv: mv(conv), gmv: mv(gmv), converted: conv.reduce((a, b) => a + b, 0), total: gmv.reduce((a, b) => a + b, 0) };
    };
    const tr = arm(false), ct = arm(true);
    assert.deepEqual(r.arms.map((a) => [a.arm, a.entries, a.converted, a.gmv]), [['journey', tr.n, tr.converted, tr.total], ['control', ct.n, ct.converted, ct.total]]);
    const d = tr.conv.m - ct.conv.m;
    const se = Math.sqrt(tr.conv.v / tr.n + ct.conv.v / ct.n);
    assert.ok(Math.abs(r.uplift!.cvr.absolute - d) < 1e-9);
    assert.ok(Math.abs(r.uplift!.cvr.absoluteCi[0] - (d - 1.959964 * se)) < 1e-5);
    assert.ok(Math.abs(r.uplift!.gmv.absolute - (tr.gmv.m - ct.gmv.m)) < 1e-6);
  });

  it('enters the people who enter a segment', async () => {
    const seg = await sc.rt.segments.create({ name: 'vip list', description: '', kind: 'static', ids: ['sg-0'] }, 'test');
    const id = await journey({
      id: 'segment-entry', name: 'welcome to the list', entry: { kind: 'segment', segmentId: seg.id },
      steps: [{ id: 's', type: 'send', channel: 'inapp', content: { body: { en: 'welcome' } } }],
    });
    await sc.rt.segments.update(seg.id, { name: 'vip list', description: '', kind: 'static', ids: ['sg-0', 'sg-1', 'sg-2'] });
    await J().idle();
    assert.deepEqual(sentTo(id), ['sg-1', 'sg-2'], 'only those who entered after the journey started');
  });

  it('enters people on their birthday at the set local time, once a day', async () => {
    // the next 09:05 in Shanghai (UTC+8) after the real now
    const now = Date.now();
    const day = Math.floor((now + 8 * HOUR) / (24 * HOUR));
    let at = day * 24 * HOUR - 8 * HOUR + 9 * HOUR + 5 * MINUTE;
    if (at < now) at += 24 * HOUR;
    const localDate = new Date(at + 8 * HOUR).toISOString().slice(0, 10);
    const md = localDate.slice(5);
    const other = md === '01-15' ? '01-16' : '01-15';
    await send(sc.rt, [msg.identify('bd-yes', now - HOUR, { birthday: `1995-${md}` }), msg.identify('bd-no', now - HOUR, { birthday: `1990-${other}` })]);
    const id = await journey({
      id: 'birthday', name: 'birthday', entry: { kind: 'date', trait: 'birthday', at: '09:00' },
      steps: [{ id: 's', type: 'send', channel: 'email', content: { body: { en: 'happy birthday' } } }],
      reentry: { policy: 'cooldown', cooldown: { days: 300 } },
    });
    clock.t = at - 10 * MINUTE; // 08:55: not yet
    await J().tick();
    assert.deepEqual(sentTo(id), []);
    clock.t = at;
    assert.equal((await J().tick()).entered, 1);
    assert.deepEqual(sentTo(id), ['bd-yes']);
    clock.t = at + HOUR;
    assert.equal((await J().tick()).entered, 0, 'once a day');
    assert.deepEqual(sentTo(id), ['bd-yes']);
  });

  it('pausing stops entries and moves; resuming picks the waits up', async () => {
    const id = await journey({
      id: 'pause', name: 'pause', entry: { kind: 'event', event: 'Product Removed' },
      steps: [{ id: 'w', type: 'wait', duration: { minutes: 10 }, next: 's' }, { id: 's', type: 'send', channel: 'email', content: { body: { en: 'x' } } }],
    });
    clock.t = Date.now();
    const t = clock.t;
    await events(msg.track('pa-1', 'Product Removed', t, { product_id: 'p' }));
    await J().pause(id);
    await events(msg.track('pa-2', 'Product Removed', t, { product_id: 'p' }));
    clock.t = t + HOUR;
    await J().tick();
    assert.deepEqual(sentTo(id), []);
    assert.equal(await stateOf(id, 'pa-2'), undefined);
    await J().activate(id);
    await J().tick();
    assert.deepEqual(sentTo(id), ['pa-1']);
  });

  it('refuses definitions that do not hold together, naming the field', async () => {
    const bad = async (input: unknown, path: string) => {
      await assert.rejects(() => J().create(input as JourneyInput, 'test'), (err: Error & { issues?: { path: PropertyKey[] }[]; path?: string }) => {
        const p = err.issues ? err.issues.map((i) => i.path.join('.')) : [err.path];
        assert.ok(p.includes(path), `${path} not in ${p.join(', ')}`);
        return true;
      });
    };
    const step = { id: 's', type: 'send', channel: 'email', content: { body: { en: 'x' } } };
    await bad({ name: 'x', entry: { kind: 'event', event: 'A' }, steps: [{ ...step, next: 'nowhere' }] }, 'steps.0.next');
    await bad({ name: 'x', entry: { kind: 'event', event: 'A' }, steps: [step, { ...step }] }, 'steps.1.id');
    await bad({ name: 'x', entry: { kind: 'event', event: 'A' }, steps: [{ id: 'w', type: 'wait', duration: { hours: 1 }, until: { event: 'B' }, next: 's' }, step] }, 'steps.0.onEvent');
    await bad({ name: 'x', entry: { kind: 'event', event: 'A' }, steps: [{ id: 'a', type: 'split', condition: { trait: 'x', op: 'exists' }, yes: 'b', no: 's' }, { id: 'b', type: 'split', condition: { trait: 'x', op: 'exists' }, yes: 'a', no: 's' }, step] }, 'steps.0.id');
    await bad({ name: 'x', entry: { kind: 'segment', segmentId: 'no-such-segment' }, steps: [step] }, 'entry.segmentId');
    await bad({ name: 'x', entry: { kind: 'event', event: 'A' }, steps: [{ id: 'a', type: 'split', condition: { tag: 'no_such_tag', op: 'exists' }, yes: 's', no: 's' }, step] }, 'steps.0.condition');
  });
});
