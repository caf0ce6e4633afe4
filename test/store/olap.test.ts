import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { OlapStore, plannedStatements } from '../../src/store/olap/index.ts';
import { olapContract } from './olap.contract.ts';

// chdb binds one data directory per process: this file's tests share it, each suite in its own database.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-olap-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

olapContract('embedded chdb', (database) => OlapStore.open({ path: dir, database }));

if (process.env.HX_CLICKHOUSE_URL) {
  olapContract(`ClickHouse server ${process.env.HX_CLICKHOUSE_URL}`, (database) =>
    OlapStore.open({
      url: process.env.HX_CLICKHOUSE_URL,
      user: process.env.HX_CLICKHOUSE_USER,
      password: process.env.HX_CLICKHOUSE_PASSWORD,
      database,
    }),
  );
}

describe('cluster DDL', () => {
  it('is accepted by ClickHouse’s own parser, statement by statement', async () => {
    const s = await OlapStore.open({ path: dir, database: 'ddl_check' });
    try {
      const single = plannedStatements({ database: 'hx' });
      const cluster = plannedStatements({ database: 'hx', cluster: 'shop_cluster' });
      assert.ok(cluster.length > single.length, 'cluster mode adds Distributed tables');
      for (const statement of [...single, ...cluster]) {
        const [r] = await s.query<{ q: string }>('SELECT formatQuery({q:String}) AS q', { q: statement });
        assert.ok(r!.q.length > 0, statement);
      }
      const events = cluster.filter((q) => q.startsWith('CREATE TABLE') && /\bhx\.events(_local)?\b/.test(q));
      assert.equal(events.length, 2);
      assert.match(events[0]!, /CREATE TABLE IF NOT EXISTS hx\.events_local ON CLUSTER 'shop_cluster'/);
      assert.match(events[0]!, /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/hx\/events_local', '\{replica\}'\)/);
      assert.match(events[1]!, /ENGINE = Distributed\('shop_cluster', 'hx', 'events_local', cityHash64\(distinct_id\)\)/);
      const persons = cluster.find((q) => q.includes('person_ids_local ON CLUSTER'))!;
      assert.match(persons, /ReplicatedReplacingMergeTree\('[^']+', '\{replica\}', version\)/, 'engine arguments are kept after the replication ones');
      // a column added to events reaches each shard's table and the Distributed one; materializing it only the shards
      const alters = cluster.filter((q) => q.startsWith('ALTER TABLE') && q.includes('prop_recipient'));
      assert.deepEqual(alters.map((q) => q.split(' ').slice(0, 8).join(' ')), [
        "ALTER TABLE hx.events_local ON CLUSTER 'shop_cluster' ADD COLUMN",
        "ALTER TABLE hx.events ON CLUSTER 'shop_cluster' ADD COLUMN",
        "ALTER TABLE hx.events_local ON CLUSTER 'shop_cluster' MATERIALIZE COLUMN",
      ]);
      const view = cluster.find((q) => q.startsWith('CREATE MATERIALIZED VIEW IF NOT EXISTS hx.order_events_mv'))!;
      assert.match(view, /^CREATE MATERIALIZED VIEW IF NOT EXISTS hx\.order_events_mv ON CLUSTER 'shop_cluster' TO hx\.order_events_local AS/);
      assert.match(view, /FROM hx\.events_local\b/, 'a view reads its shard\'s local source table');
      assert.ok(single.some((q) => /^CREATE MATERIALIZED VIEW IF NOT EXISTS hx\.order_events_mv TO hx\.order_events AS/.test(q)));
      assert.ok(single.every((q) => !/ON CLUSTER|Replicated|Distributed/.test(q)), 'single-node DDL is untouched');
    } finally {
      await s.close();
    }
  });
});
