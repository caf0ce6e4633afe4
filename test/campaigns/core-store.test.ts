import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CampaignLockedError, CampaignStore, InvalidTransitionError, TRANSITIONS, type CampaignInput } from '../../src/campaigns/index.ts';
import { CAMPAIGN_STATUSES } from '../../src/campaigns/types.ts';
import { AuditLog } from '../../src/privacy/audit.ts';
import { openOltp, type OltpStore } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';

/**
 * The campaign store and its status machine on PGlite and on a real Postgres server: definitions are
 * validated, every allowed move works and every other one is refused naming from → to, and every change is
 * in campaign_changes (and status changes in the audit log) with its actor, before and after.
 */

const input = (id: string): CampaignInput => ({
  id, name: `Spring sale ${id}`, owner: 'marketing@shop', channel: 'email',
  audience: { kind: 'segment', segmentId: 'seg_1' },
  variants: [{ name: 'A', weight: 1, content: { subject: { 'zh-CN': '春季特卖' }, body: { 'zh-CN': '你好 {{traits.name}}' } } }],
});

function storeContract(name: string, open: () => Promise<OltpStore>) {
  describe(`campaign store: ${name}`, () => {
    let db: OltpStore;
    let store: CampaignStore;
    before(async () => {
      db = await open();
      store = new CampaignStore(db, new AuditLog(db, (id) => `p:${id}`));
    });
    after(async () => db?.close());

    it('creates a draft with defaults filled in, and refuses a bad definition naming the field', async () => {
      const c = await store.create(input('c1'), { actor: 'tok_a', role: 'marketer' });
      assert.equal(c.status, 'draft');
      assert.deepEqual(c.experiment, { holdout: 0.1 });
      assert.deepEqual(c.goal, { event: 'Order Completed', windowDays: 7 });
      assert.deepEqual(c.schedule, { kind: 'now' });
      assert.deepEqual(await store.get('c1'), c);
      await assert.rejects(store.create(input('c1'), 'tok_a'), /exists already/);
      const bad = { ...input('c2'), variants: [{ name: 'control', weight: 1, content: { body: { en: 'x' } } }] };
      await assert.rejects(store.create(bad, 'tok_a'), (err: any) => err.issues?.[0]?.path.join('.') === 'variants.0.name');
      await assert.rejects(store.create({ ...input('c3'), channel: 'fax' as never }, 'tok_a'), (err: any) => err.issues?.[0]?.path[0] === 'channel');
    });

    it('walks every allowed transition and refuses every other one with from → to', async () => {
      let n = 0;
      for (const from of CAMPAIGN_STATUSES) {
        for (const to of CAMPAIGN_STATUSES) {
          const id = `t${n++}`;
          await store.create(input(id), 'tok_a');
          // bring the campaign to `from` along allowed moves
          const path: Record<string, string[]> = {
            draft: [], scheduled: ['scheduled'], running: ['scheduled', 'running'], paused: ['scheduled', 'paused'],
            done: ['scheduled', 'running', 'done'], cancelled: ['cancelled'],
          };
          for (const step of path[from]!) await store.transition(id, step as never, 'tok_a');
          if (TRANSITIONS[from].includes(to)) {
            assert.equal((await store.transition(id, to, 'tok_b')).status, to, `${from} → ${to}`);
          } else {
            await assert.rejects(store.transition(id, to, 'tok_b'), (err: unknown) => {
              assert.ok(err instanceof InvalidTransitionError, `${from} → ${to}`);
              assert.match(err.message, new RegExp(`cannot go from ${from} to ${to}`));
              return true;
            });
            assert.equal((await store.get(id)).status, from, 'a refused move changes nothing');
          }
        }
      }
    });

    it('records every change with actor, before and after, and status changes in the audit log', async () => {
      await store.create(input('h1'), { actor: 'tok_a', role: 'marketer' });
      await store.update('h1', { name: 'Renamed' }, { actor: 'tok_b', role: 'marketer' });
      await store.transition('h1', 'scheduled', { actor: 'tok_c', role: 'marketer' }, { nextRunAt: new Date('2026-12-01T02:00:00Z') });
      await store.transition('h1', 'paused', 'system');
      const changes = await store.changes('h1');
      assert.deepEqual(changes.map((c) => [c.actor, c.action]), [['system', 'status.paused'], ['tok_c', 'status.scheduled'], ['tok_b', 'update'], ['tok_a', 'create']]);
      const update = changes[2]!;
      assert.equal((update.before as any).name, 'Spring sale h1');
      assert.equal((update.after as any).name, 'Renamed');
      assert.deepEqual(changes[1]!.before, { status: 'draft', nextRunAt: null });
      assert.deepEqual(changes[1]!.after, { status: 'scheduled', nextRunAt: '2026-12-01T02:00:00.000Z' });
      const audit = await db.query<{ actor: string; action: string; details: any }>(
        `SELECT actor, action, details FROM audit_log WHERE subject_type = 'campaign' AND subject_id = 'h1' ORDER BY id`);
      assert.deepEqual(audit.map((a) => [a.actor, a.action, a.details.from ?? null, a.details.to ?? null]), [
        ['tok_a', 'campaign.create', null, null], ['tok_b', 'campaign.update', null, null],
        ['tok_c', 'campaign.status', 'draft', 'scheduled'], ['system', 'campaign.status', 'scheduled', 'paused'],
      ]);
    });

    it('changes a definition only while draft, scheduled or paused', async () => {
      await store.create(input('e1'), 'tok_a');
      const patched = await store.update('e1', { experiment: { holdout: 0.2 } }, 'tok_a');
      assert.equal(patched.experiment.holdout, 0.2);
      assert.deepEqual(patched.schedule, { kind: 'now' }, 'fields left out keep their value');
      await store.transition('e1', 'scheduled', 'tok_a');
      await store.transition('e1', 'running', 'tok_a');
      await assert.rejects(store.update('e1', { name: 'x' }, 'tok_a'), (err: unknown) => err instanceof CampaignLockedError && /is running/.test(err.message));
      const listed = await store.list({ status: 'running' });
      assert.ok(listed.some((c) => c.id === 'e1'));
    });
  });
}

storeContract('PGlite', () => openOltp({ dataDir: ':memory:' }));

// the test runner's Postgres server, else one started for this file
const pg = testPostgres();
storeContract('Postgres server', async () => openOltp({ url: await createDatabase(pg.url(), `campaigns_${process.pid}`) }));
