import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../src/privacy/audit.ts';
import { Keyring } from '../../src/privacy/keyring.ts';
import { personPseudonym } from '../../src/privacy/persons.ts';
import { openOltp, type OltpStore } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';

// The same checks on embedded PGlite and on a real Postgres server: the append-only trigger must hold in both.
// the test runner's Postgres server, else one started for this file
const pg = testPostgres();

function auditSuite(name: string, open: () => Promise<OltpStore>) {
  describe(`audit log (${name})`, () => {
    let db: OltpStore;
    let audit: AuditLog;
    let pseudo: (id: string) => string;
    before(async () => {
      db = await open();
      const keyring = await Keyring.open(db, randomBytes(32));
      pseudo = personPseudonym(keyring);
      audit = new AuditLog(db, pseudo);
    });
    after(async () => db.close());

    it('appends entries and finds them by actor, action, action prefix, subject and time', async () => {
      const t0 = new Date(Date.now() - 1000);
      await audit.record({ actor: 'tok_a', role: 'admin', action: 'segment.create', subjectType: 'segment', subjectId: 'seg_1', details: { name: 'VIP' } });
      await audit.record({ actor: 'tok_b', role: 'analyst', action: 'segment.delete', subjectType: 'segment', subjectId: 'seg_1' });
      await audit.record({ actor: 'tok_a', role: 'admin', action: 'pii.unmask', subjectType: 'person', subjectId: 'u_42', details: { fields: ['phone'] } });
      assert.equal((await audit.search()).length, 3);
      assert.deepEqual((await audit.search({ actor: 'tok_a' })).map((r) => r.action), ['pii.unmask', 'segment.create']);
      assert.deepEqual((await audit.search({ action: 'segment.' })).map((r) => r.action), ['segment.delete', 'segment.create']);
      assert.deepEqual((await audit.search({ action: 'segment.delete' })).map((r) => r.actor), ['tok_b']);
      assert.equal((await audit.search({ subject: 'seg_1' })).length, 2);
      assert.equal((await audit.search({ from: t0 })).length, 3);
      assert.equal((await audit.search({ to: t0 })).length, 0);
      assert.equal((await audit.search({ limit: 1 })).length, 1);
      const [created] = await audit.search({ action: 'segment.create' });
      assert.deepEqual(created!.details, { name: 'VIP' });
    });

    it('stores person subjects as pseudonyms and still finds them by the plain id', async () => {
      const [hit] = await audit.search({ subject: 'u_42' });
      assert.ok(hit);
      assert.equal(hit.subjectId, pseudo('u_42'));
      assert.notEqual(hit.subjectId, 'u_42');
      const raw = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = 'u_42' OR details::text LIKE '%u_42%'`);
      assert.equal(raw[0]!.n, 0);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of the log', async () => {
      const before = (await audit.search()).length;
      await assert.rejects(db.query(`UPDATE audit_log SET actor = 'x'`), /append-only/);
      await assert.rejects(db.query(`DELETE FROM audit_log`), /append-only/);
      await assert.rejects(db.exec(`TRUNCATE audit_log`), /append-only/);
      assert.equal((await audit.search()).length, before);
    });
  });
}

auditSuite('PGlite', () => openOltp({ dataDir: ':memory:' }));
auditSuite('Postgres server', async () => openOltp({ url: await createDatabase(pg.url(), `audit_${process.pid}`) }));
