import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readMigrations, type OlapStore } from '../../src/store/olap/index.ts';
import { migrationsDir } from '../../src/store/olap/migrate.ts';
import { IdSets } from '../../src/store/olap/idSets.ts';

/** One suite every analytics-store adapter must pass (embedded chdb, a ClickHouse server). */
export function olapContract(name: string, open: (database: string) => Promise<OlapStore>) {
  describe(`olap contract: ${name}`, () => {
    let s: OlapStore;
    const database = `contract_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
    before(async () => {
      s = await open(database);
    });
    after(async () => {
      await s?.command(`DROP DATABASE IF EXISTS ${database}`);
      await s?.close();
    });

    it('has applied and recorded the migrations, once', async () => {
      const tables = await s.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: database });
      for (const t of ['dead_letters', 'events', 'items', 'person_ids', 'schema_migrations']) {
        assert.ok(tables.some((r) => r.name === t), `table ${t} exists`);
      }
      const ledger = await s.query<{ version: number }>(`SELECT version FROM ${database}.schema_migrations FINAL ORDER BY version`);
      assert.deepEqual(ledger.map((r) => Number(r.version)), readMigrations(migrationsDir).map((m) => m.version));
    });

    it('inserts rows and reads them back with typed parameters', async () => {
      await s.insert('person_ids', [
        { distinct_id: 'a', person_id: 'u1', version: 1 },
        { distinct_id: 'b', person_id: 'u1', version: 2 },
        { distinct_id: 'c', person_id: 'u2', version: 3 },
      ]);
      const rows = await s.query<{ distinct_id: string }>(
        `SELECT distinct_id FROM ${database}.person_ids WHERE person_id = {p:String} AND version >= {v:UInt64} ORDER BY distinct_id`,
        { p: 'u1', v: 1 },
      );
      assert.deepEqual(rows.map((r) => r.distinct_id), ['a', 'b']);
    });

    it('treats parameters as values, never as SQL', async () => {
      const evil = `x' OR 1=1 --`;
      const rows = await s.query<{ v: string; n: number }>(
        `SELECT {v:String} AS v, (SELECT count() FROM ${database}.person_ids WHERE person_id = {v:String}) AS n`,
        { v: evil },
      );
      assert.deepEqual(rows, [{ v: evil, n: 0 }]);
    });

    it('takes array parameters', async () => {
      const rows = await s.query<{ n: number }>(`SELECT count() AS n FROM ${database}.person_ids WHERE distinct_id IN {ids:Array(String)}`, {
        ids: ['a', 'c', 'zz'],
      });
      assert.equal(Number(rows[0]!.n), 2);
    });

    it('stores the e-commerce columns of an event, products included', async () => {
      const now = Date.now();
      await s.insert('events', [
        {
          message_id: 'm1', type: 'track', event: 'Order Completed', distinct_id: 'a', anonymous_id: 'a', user_id: 'u1',
          timestamp: now, original_timestamp: now, sent_at: null, received_at: now, revenue: 99.5, currency: 'CNY',
          products: [{ product_id: 'p1', category: '服装', brand: 'B', price: 49.75, quantity: 2 }],
        },
      ]);
      const rows = await s.query<{ revenue: number; n: number; cat: string }>(
        `SELECT revenue, length(products) AS n, products[1].category AS cat FROM ${database}.events WHERE message_id = 'm1'`,
      );
      assert.deepEqual(rows, [{ revenue: 99.5, n: 1, cat: '服装' }]);
    });

    it('inserts rows of different shapes in one insert, defaults for what a row lacks', async () => {
      await s.insert('items', [
        { item_id: 'i1', updated_at: 1 },
        { item_id: 'i2', title: '连衣裙', price: 99.5, updated_at: 1 },
      ]);
      const rows = await s.query<{ item_id: string; title: string; price: number | null }>(
        `SELECT item_id, title, price FROM ${database}.items ORDER BY item_id`,
      );
      assert.deepEqual(rows, [
        { item_id: 'i1', title: '', price: null },
        { item_id: 'i2', title: '连衣裙', price: 99.5 },
      ]);
    });

    it('keeps the latest version per key in a ReplacingMergeTree', async () => {
      await s.insert('person_ids', [{ distinct_id: 'a', person_id: 'u9', version: 10 }]);
      const rows = await s.query<{ person_id: string }>(`SELECT person_id FROM ${database}.person_ids FINAL WHERE distinct_id = 'a'`);
      assert.deepEqual(rows, [{ person_id: 'u9' }]);
    });

    it('hands long id lists to statements through a table: the same answers, nothing left behind', async () => {
      const many = Array.from({ length: 2 * IdSets.MIN_IDS }, (_, i) => `set-${i}`);
      await s.insert('person_ids', many.filter((_, i) => i % 3 === 0).map((id, i) => ({ distinct_id: id, person_id: `p${i}`, version: 1 })));
      const sql = `SELECT count() AS n, countIf(distinct_id NOT IN {few:Array(String)}) AS m FROM ${database}.person_ids WHERE distinct_id IN {ids:Array(String)}`;
      const params = { ids: many, few: ['set-0', 'set-3'] };
      const counts = (r: { n: unknown; m: unknown }[]) => r.map((x) => [Number(x.n), Number(x.m)]);
      const expected = counts(await s.query<{ n: string; m: string }>(sql, params));
      assert.deepEqual(expected, [[Math.ceil(many.length / 3), Math.ceil(many.length / 3) - 2]]);
      const seen: string[] = [];
      const got = await s.idSets.use(params, async (bind) => {
        const b = bind(sql, params);
        seen.push(b.sql);
        assert.ok(!('ids' in b.params) && 'few' in b.params, 'the long list leaves the parameters; the short one stays a literal');
        return counts(await s.query<{ n: string; m: string }>(b.sql, b.params));
      });
      assert.deepEqual(got, expected);
      assert.match(seen[0]!, /IN \(SELECT id FROM \w+\.id_sets WHERE set_id = \d+\)/);
      assert.match(seen[0]!, /NOT IN \{few:Array\(String\)\}/);
      // a failing statement leaves nothing behind either
      await assert.rejects(s.idSets.use({ ids: many }, async () => { throw new Error('boom'); }), /boom/);
      const [left] = await s.query<{ n: string }>(`SELECT count() AS n FROM ${database}.id_sets`);
      assert.equal(Number(left!.n), 0);
    });

    it('reports engine errors with the ClickHouse error code', async () => {
      await assert.rejects(s.query('SELECT no_such_column FROM system.one'), (e: Error & { code?: string }) => {
        assert.equal(String(e.code), '47');
        assert.match(e.message, /no_such_column/);
        return true;
      });
    });
  });
}
