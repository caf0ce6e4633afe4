import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { armSql, armsOf, CONTROL_ARM, type CampaignInput } from '../../src/campaigns/index.ts';
import { assignArm } from '../../src/experiments/index.ts';
import { HOUR, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * A campaign run end to end on a real runtime (chdb, PGlite): people sent through the ingestion pipeline,
 * a static segment, the run's audience and holdout in campaign_assignments, the treated queued once, and
 * delivered to the in-app inbox. Expected arms come from assignArm over the same people.
 */

let sc: Scenario;
let segId = '';
const T0 = Date.parse('2026-11-24T04:00:00Z'); // 12:00 in Shanghai: outside quiet hours
const users = Array.from({ length: 400 }, (_, i) => `run-u${i}`);

const campaign = (id: string, over: Partial<CampaignInput> = {}): CampaignInput => ({
  id, name: id, owner: 'ops', channel: 'inapp',
  audience: { kind: 'segment', segmentId: segId },
  variants: [
    { name: 'A', weight: 1, content: { subject: { 'zh-CN': '标题A' }, body: { 'zh-CN': '你好 A' } } },
    { name: 'B', weight: 3, content: { subject: { 'zh-CN': '标题B' }, body: { 'zh-CN': '你好 B' } } },
  ],
  experiment: { holdout: 0.25 },
  ...over,
});

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-run-' });
  sc.rt.campaigns.clock = () => new Date(T0);
  await send(sc.rt, users.map((u, i) => msg.identify(u, T0 - 10 * HOUR + i, { email: `${u}@example.com`, consent: { marketing: true } })));
  segId = (await sc.rt.segments.create({ name: 'run people', description: '', kind: 'static', ids: users }, 'test')).id;
});
after(async () => sc?.close());

describe('campaign runs', () => {
  it('assigns a segment audience in ClickHouse exactly as assignArm does, holds out about the share asked, and queues the treated', async () => {
    const c = await sc.rt.campaigns.store.create(campaign('run-1', { audience: { kind: 'segment', segmentId: segId } }), 'test');
    const r = await sc.rt.campaigns.startRun(c.id, { actor: 'tok_t' });
    const rows = await sc.rt.olap.query<{ person_id: string; arm: string }>(
      `SELECT person_id, arm FROM ${sc.rt.olap.db}.campaign_assignments WHERE campaign_id = 'run-1' ORDER BY person_id`);
    assert.equal(rows.length, users.length, 'one assignment per person, control included');
    // expected arms, computed here: control 0.25, then A and B sharing 0.75 as 1 : 3
    const arms = [{ name: 'control', weight: 0.25 }, { name: 'A', weight: 0.75 * 0.25 }, { name: 'B', weight: 0.75 * 0.75 }];
    for (const row of rows) assert.equal(row.arm, assignArm('run-1', row.person_id, arms), row.person_id);
    assert.deepEqual(armsOf(c).map((a) => a.name), ['control', 'A', 'B']);
    const control = rows.filter((x) => x.arm === CONTROL_ARM).length;
    assert.ok(Math.abs(control / users.length - 0.25) < 0.07, `control share ${control / users.length}`);
    assert.deepEqual([r.audience, r.control, r.treated, r.queued], [users.length, control, users.length - control, users.length - control]);
    assert.equal((await sc.rt.campaigns.store.get('run-1')).status, 'running');

    const sent = await sc.rt.campaigns.deliverNow();
    assert.equal(sent, users.length - control);
    const inbox = await sc.rt.oltp.query<{ user_id: string; title: string }>(`SELECT user_id, title FROM inbox_messages WHERE campaign_id = 'run-1'`);
    const treated = new Map(rows.filter((x) => x.arm !== CONTROL_ARM).map((x) => [x.person_id, x.arm]));
    assert.equal(inbox.length, treated.size);
    for (const m of inbox) assert.equal(m.title, `标题${treated.get(m.user_id)}`, 'each person gets their variant');

    // the run is over: the tick closes it
    const t = await sc.rt.campaigns.tick(new Date(T0));
    assert.deepEqual(t.finished, ['run-1']);
    assert.equal((await sc.rt.campaigns.store.get('run-1')).status, 'done');
    const changes = await sc.rt.campaigns.store.changes('run-1');
    assert.deepEqual(changes.map((x) => x.action), ['status.done', 'run', 'status.running', 'status.scheduled', 'create']);
  });

  it('computes the same arm in ClickHouse SQL as assignArm in TypeScript, for odd weights and with a winner', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `p-${i.toString(36)}-${(i * 7919) % 1013}`);
    const variants = [0.37, 1.3, 2, 0.05].map((weight, i) => ({ name: `v${i}`, weight, content: { body: { en: 'x' } } }));
    for (const [holdout, winner] of [[0.15, null], [0.1, 'v2'], [0, null]] as const) {
      const arms = armsOf({ experiment: { holdout }, variants, winner });
      const { expr, params } = armSql('odd-weights', arms);
      const rows = await sc.rt.olap.query<{ person_id: string; arm: string }>(
        `SELECT person_id, ${expr} AS arm FROM (SELECT arrayJoin({ids:Array(String)}) AS person_id)`, { ...params, ids });
      assert.equal(rows.length, ids.length);
      for (const r of rows) assert.equal(r.arm, assignArm('odd-weights', r.person_id, arms), `${r.person_id} (holdout ${holdout}, winner ${winner})`);
      if (winner) assert.deepEqual(new Set(rows.map((r) => r.arm)), new Set(['control', winner]));
    }
  });

  it('resolves an uploaded list through the identity map and reports the unknown ids', async () => {
    const list = [...users.slice(0, 50), 'nobody-1', 'nobody-2'];
    const c = await sc.rt.campaigns.store.create(campaign('run-list', { audience: { kind: 'list', userIds: list }, experiment: { holdout: 0 } }), 'test');
    assert.deepEqual(await sc.rt.campaigns.countAudience(c.audience), { count: 50, unknown: 2 });
    const r = await sc.rt.campaigns.startRun(c.id, { actor: 'tok_t' });
    assert.deepEqual([r.audience, r.control, r.treated, r.queued, r.unknownCount], [50, 0, 50, 50, 2]);
    assert.deepEqual(r.unknown.sort(), ['nobody-1', 'nobody-2']);
  });

  it('never queues the same message twice: a repeated enqueue and a repeated run are no-ops', async () => {
    const m = {
      id: 'j1:s1:run-u1', campaignId: null, journeyId: 'j1', stepId: 's1', personId: 'run-u1', userId: 'run-u1', channel: 'inapp' as const,
      arm: 'A', locale: 'zh-CN' as const, content: { body: { 'zh-CN': '一次' } }, notBefore: new Date(T0).toISOString(),
    };
    assert.deepEqual(await sc.rt.campaigns.enqueue([m]), { queued: 1, suppressed: 0, duplicates: 0 });
    assert.deepEqual(await sc.rt.campaigns.enqueue([m, m]), { queued: 0, suppressed: 0, duplicates: 2 });
    await sc.rt.campaigns.deliverNow();
    await sc.rt.campaigns.enqueue([m]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    const [n] = await sc.rt.oltp.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox_messages WHERE id = 'j1:s1:run-u1'`);
    assert.equal(n!.n, 1);
  });
});
