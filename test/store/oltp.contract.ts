import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OltpStore } from '../../src/store/oltp/index.ts';

/** One suite every transactional-store adapter must pass (PGlite and a real Postgres server). */
export function oltpContract(name: string, open: () => Promise<OltpStore>) {
  describe(`oltp contract: ${name}`, () => {
    let db: OltpStore;
    before(async () => {
      db = await open();
    });
    after(async () => db?.close());

    it('has applied and recorded the migrations', async () => {
      const rows = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      assert.equal(rows[0]?.version, 1);
      assert.equal(rows[0]?.name, '001_core');
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      for (const t of ['api_tokens', 'data_keys', 'identities', 'identity_links', 'write_keys']) {
        assert.ok(tables.some((r) => r.table_name === t), `table ${t} exists`);
      }
    });

    it('binds parameters as values, never as SQL', async () => {
      const evil = `x'); DROP TABLE identities; --`;
      await db.query(`INSERT INTO identities (distinct_id, person_id, kind) VALUES ($1, $1, 'user')`, [evil]);
      const rows = await db.query<{ person_id: string }>('SELECT person_id FROM identities WHERE distinct_id = $1', [evil]);
      assert.deepEqual(rows, [{ person_id: evil }]);
    });

    it('commits a transaction that resolves', async () => {
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO identities (distinct_id, person_id, kind) VALUES ('c1', 'c1', 'user')`);
        await tx.query(`INSERT INTO identities (distinct_id, person_id, kind) VALUES ('c2', 'c1', 'anonymous')`);
      });
      const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM identities WHERE person_id = 'c1'`);
      assert.equal(rows[0]!.n, 2);
    });

    it('rolls back a transaction that throws, and passes the error on', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO identities (distinct_id, person_id, kind) VALUES ('r1', 'r1', 'user')`);
          throw new Error('boom');
        }),
        /boom/,
      );
      const rows = await db.query(`SELECT 1 FROM identities WHERE distinct_id = 'r1'`);
      assert.equal(rows.length, 0);
    });

    it('surfaces constraint violations as errors with the Postgres code', async () => {
      await db.query(`INSERT INTO write_keys (id, name, key_hash) VALUES ('k1', 'a', 'h1')`);
      await assert.rejects(db.query(`INSERT INTO write_keys (id, name, key_hash) VALUES ('k2', 'b', 'h1')`), (e: Error & { code?: string }) => {
        assert.equal(e.code, '23505');
        return true;
      });
    });

    it('keeps concurrent transactions consistent', async () => {
      await db.exec('CREATE TABLE IF NOT EXISTS contract_counter (id int PRIMARY KEY, n int NOT NULL)');
      await db.query('INSERT INTO contract_counter VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            await tx.query('UPDATE contract_counter SET n = n + 1 WHERE id = 1');
          }),
        ),
      );
      const rows = await db.query<{ n: number }>('SELECT n FROM contract_counter WHERE id = 1');
      assert.equal(rows[0]!.n, 20);
    });

    it('round-trips jsonb, timestamps and bigints', async () => {
      const rows = await db.query<{ j: { a: number[]; s: string }; t: Date; b: number }>(
        `SELECT $1::jsonb AS j, '2026-11-11T00:00:00Z'::timestamptz AS t, 9007199254740::bigint AS b`,
        [JSON.stringify({ a: [1, 2], s: '双11' })],
      );
      assert.deepEqual(rows[0]!.j, { a: [1, 2], s: '双11' });
      assert.equal(new Date(rows[0]!.t).toISOString(), '2026-11-11T00:00:00.000Z');
      assert.equal(Number(rows[0]!.b), 9007199254740);
    });
  });
}
