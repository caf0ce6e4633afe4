import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstRunAt, nextOccurrence, runIdOf, type CampaignInput } from '../../src/campaigns/index.ts';
import { DAY, HOUR, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * The scheduler with a controllable clock: a campaign at a time starts when its time comes and is done when
 * its messages are out; a daily one runs once per day at its local time (each day its own run, the same
 * person reached each day), goes back to scheduled between runs, and is done after its end.
 */

const tz = 'Asia/Shanghai';
let sc: Scenario;
let clock = Date.parse('2026-11-24T00:30:00Z'); // 08:30 in Shanghai
const people = ['s-1', 's-2', 's-3'];
const campaign = (id: string, schedule: CampaignInput['schedule']): CampaignInput => ({
  id, name: id, owner: 'ops', channel: 'inapp', audience: { kind: 'list', userIds: people }, schedule,
  variants: [{ name: 'A', weight: 1, content: { body: { 'zh-CN': '早上好' } } }], experiment: { holdout: 0 },
});

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-sched-' });
  sc.rt.campaigns.clock = () => new Date(clock);
  await send(sc.rt, people.map((u) => msg.identify(u, clock - DAY, { consent: { marketing: true } })));
});
after(async () => sc?.close());

describe('schedules', () => {
  it('computes run times in the shop time zone', () => {
    const daily = { kind: 'recurring', every: 'day', at: '10:00' } as const;
    assert.equal(firstRunAt(daily, new Date('2026-11-24T00:30:00Z'), tz)!.toISOString(), '2026-11-24T02:00:00.000Z');
    assert.equal(nextOccurrence(daily, new Date('2026-11-24T02:00:00Z'), tz)!.toISOString(), '2026-11-25T02:00:00.000Z');
    // 2026-11-24 is a Tuesday: the next Sunday 09:30 is the 29th
    const weekly = { kind: 'recurring', every: 'week', at: '09:30', weekday: 0 } as const;
    assert.equal(firstRunAt(weekly, new Date('2026-11-24T00:30:00Z'), tz)!.toISOString(), '2026-11-29T01:30:00.000Z');
    assert.equal(nextOccurrence({ ...daily, until: '2026-11-24T12:00:00Z' }, new Date('2026-11-24T02:00:00Z'), tz), null);
    assert.equal(runIdOf(daily, new Date('2026-11-24T17:00:00Z'), tz), '2026-11-25', 'the local date names a daily run');
    assert.equal(runIdOf({ kind: 'now' }, new Date(), tz), 'r1');
  });

  it('starts a campaign at its time, and marks it done once its messages are out', async () => {
    const at = new Date(clock + HOUR).toISOString();
    await sc.rt.campaigns.store.create(campaign('s-at', { kind: 'at', at }), 'test');
    const scheduled = await sc.rt.campaigns.scheduleCampaign('s-at', 'test');
    assert.deepEqual([scheduled.status, scheduled.nextRunAt], ['scheduled', at]);
    assert.deepEqual(await sc.rt.campaigns.tick(new Date(clock)), { started: [], finished: [] });
    clock += HOUR;
    assert.deepEqual(await sc.rt.campaigns.tick(new Date(clock)), { started: ['s-at'], finished: [] });
    assert.equal((await sc.rt.campaigns.store.get('s-at')).status, 'running');
    assert.equal(await sc.rt.campaigns.deliverNow(), people.length);
    assert.deepEqual(await sc.rt.campaigns.tick(new Date(clock)), { started: [], finished: ['s-at'] });
    assert.equal((await sc.rt.campaigns.store.get('s-at')).status, 'done');
  });

  it('runs a daily campaign once a day at its local time until its end', async () => {
    clock = Date.parse('2026-11-24T01:00:00Z'); // 09:00 in Shanghai
    await sc.rt.campaigns.store.create(campaign('s-daily', { kind: 'recurring', every: 'day', at: '10:00', until: '2026-11-25T12:00:00Z' }), 'test');
    assert.equal((await sc.rt.campaigns.scheduleCampaign('s-daily', 'test')).nextRunAt, '2026-11-24T02:00:00.000Z');
    const sentTo: string[] = [];
    for (const day of ['2026-11-24', '2026-11-25']) {
      clock = Date.parse(`${day}T02:00:00Z`);
      assert.deepEqual((await sc.rt.campaigns.tick(new Date(clock))).started, ['s-daily'], day);
      sc.rt.campaigns.clock = () => new Date(clock);
      // the cap (2 in-app messages a day) is not reached: one message a day each
      assert.equal(await sc.rt.campaigns.deliverNow(), people.length, day);
      const t = await sc.rt.campaigns.tick(new Date(clock));
      assert.deepEqual(t.finished, ['s-daily']);
      const c = await sc.rt.campaigns.store.get('s-daily');
      if (day === '2026-11-24') assert.deepEqual([c.status, c.nextRunAt], ['scheduled', '2026-11-25T02:00:00.000Z']);
      else assert.deepEqual([c.status, c.nextRunAt], ['done', null], 'the next day is past the end');
      sentTo.push(...(await sc.rt.oltp.query<{ id: string }>(`SELECT id FROM campaign_messages WHERE campaign_id = 's-daily' AND status = 'sent' ORDER BY id`)).map((r) => r.id));
    }
    const ids = [...new Set(sentTo)].sort();
    assert.deepEqual(ids, people.flatMap((p) => [`s-daily:2026-11-24:${p}`, `s-daily:2026-11-25:${p}`]).sort());
    const runs = (await sc.rt.campaigns.store.changes('s-daily')).filter((c) => c.action === 'run').map((c) => (c.after as { runId: string }).runId);
    assert.deepEqual(runs, ['2026-11-25', '2026-11-24']);
  });
});
