import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, testConfig, type Config } from '../../src/config.ts';
import { leaderWork } from '../../src/jobs/schedule.ts';
import { configuredRetention, DEFAULT_RETENTION } from '../../src/privacy/retention.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { DAY } from '../support/scenario.ts';

/**
 * Retention periods from the configuration: HX_RETENTION_<CLASS>_DAYS sets a class's period (0 keeps it),
 * the defaults are the documented ones, a bad value names its variable, and the scheduled retention job of
 * a runtime opened with periods of its own removes exactly the rows older than those periods.
 */
describe('retention periods from the configuration', () => {
  it('reads HX_RETENTION_<CLASS>_DAYS; 0 keeps a class until deleted', () => {
    const c = loadConfig({ data: '/tmp/hx-unused' }, { HX_RETENTION_EVENTS_DAYS: '730', HX_RETENTION_DEAD_LETTERS_DAYS: '0', HX_RETENTION_WEBHOOK_DELIVERIES_DAYS: '7' });
    assert.deepEqual(configuredRetention(c.retention), { events: 730, tag_snapshots: 400, segment_changes: 400, webhook_deliveries: 7 });
  });

  it('defaults to the documented periods (events kept until a period is set)', () => {
    assert.deepEqual(configuredRetention(testConfig({ dataDir: '/tmp/hx-unused' }).retention), DEFAULT_RETENTION);
  });

  it('a bad period names its variable', () => {
    assert.throws(() => loadConfig({ data: '/tmp/hx-unused' }, { HX_RETENTION_EVENTS_DAYS: '-5' }), (e: Error) => e instanceof ConfigError && /HX_RETENTION_EVENTS_DAYS/.test(e.message));
    assert.throws(() => loadConfig({ data: '/tmp/hx-unused' }, { HX_RETENTION_SEGMENT_CHANGES_DAYS: 'a year' }), (e: Error) => e instanceof ConfigError && /HX_RETENTION_SEGMENT_CHANGES_DAYS/.test(e.message));
  });

  describe('the scheduled job', () => {
    let rt: Runtime;
    let dir = '';
    const NOW = Date.now();
    const at = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-retcfg-'));
      const retention = { eventsDays: 0, deadLettersDays: 30, tagSnapshotsDays: 400, segmentChangesDays: 400, webhookDeliveriesDays: 10 };
      rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent', retention } as Partial<Config> & { dataDir: string }), { command: 'test' });
      await rt.tags.live.stop();
      const dead = (t: number, i: number) => ({ received_at: at(t), request_id: `r${i}`, source: 'http', batch_index: 0, message_id: `d${i}`, reason: 'x', details: '{}', payload: '{}' });
      await rt.olap.insert('dead_letters', [dead(NOW - 45 * DAY, 1), dead(NOW - 20 * DAY, 2)]);
      const seg = await rt.segments.create({ name: 'Hooked', description: '', kind: 'static', ids: [] }, 'test');
      for (const days of [20, 5]) {
        await rt.oltp.query(`INSERT INTO webhook_deliveries (segment_id, url, body, status, created_at) VALUES ($1, 'http://127.0.0.1:9/', '{}', 'delivered', $2)`, [seg.id, new Date(NOW - days * DAY).toISOString()]);
      }
    });
    after(async () => {
      await rt?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('removes what is older than the configured periods, and only that', async () => {
      assert.deepEqual(rt.privacy.retention.days, { dead_letters: 30, tag_snapshots: 400, segment_changes: 400, webhook_deliveries: 10 });
      const job = leaderWork(rt, 'serve').jobs.find((j) => j.name === 'privacy.retention')!;
      await job.run('schedule', 0);
      const dead = await rt.olap.query<{ message_id: string }>(`SELECT message_id FROM ${rt.olap.db}.dead_letters ORDER BY message_id`);
      assert.deepEqual(dead.map((r) => r.message_id), ['d2']);
      const hooks = await rt.oltp.query<{ created_at: string }>('SELECT created_at FROM webhook_deliveries');
      assert.equal(hooks.length, 1);
      assert.ok(NOW - new Date(hooks[0]!.created_at).getTime() < 6 * DAY);
      const [audit] = await rt.oltp.query<{ details: { removed: Record<string, number> } }>(`SELECT details FROM audit_log WHERE action = 'retention.enforce' ORDER BY id DESC LIMIT 1`);
      assert.equal(audit!.details.removed.dead_letters, 1);
      assert.equal(audit!.details.removed.webhook_deliveries, 1);
    });
  });
});
