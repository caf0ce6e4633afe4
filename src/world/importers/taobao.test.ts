import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { fixture, readCsv, storeCounts, testRuntime } from './testkit.ts';

let rt: Runtime;
let done: () => Promise<void>;
before(async () => ({ rt, done } = await testRuntime()));
after(() => done());

const LIB = 'import:taobao-userbehavior';

test('taobao: the store holds what the file says (users, orders, events)', async () => {
  const file = fixture('taobao', 'userbehavior.csv');
  const { rows } = readCsv(file, { header: false });
  const r = await runImport(rt, file, 'taobao-userbehavior');
  assert.equal(r.rows, rows.length);
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  const distinct = new Set(rows.map((x) => x.text));
  assert.equal(r.imported, distinct.size);
  assert.equal(r.duplicates, rows.length - distinct.size);
  const c = await storeCounts(rt, LIB);
  assert.equal(c.events, distinct.size);
  assert.equal(c.users, new Set(rows.map((x) => x.f[0])).size);
  const buys = rows.filter((x) => x.f[3] === 'buy');
  assert.equal(c.orders, new Set(buys.map((x) => `${x.f[0]}-${x.f[1]}-${x.f[4]}`)).size);
  assert.equal(c.revenue, 0, 'the file has no prices');
  assert.equal(r.items, new Set(rows.map((x) => x.f[1])).size);

  const [first] = await rt.olap.query<{ event: string; user_id: string; product_id: string; category: string; ts: string }>(
    `SELECT event, user_id, product_id, category, toString(timestamp) AS ts FROM ${rt.olap.db}.events
     WHERE library = {lib:String} AND message_id = {id:String}`,
    { lib: LIB, id: `tb-${rows[0]!.f.slice(0, 2).join('-')}-${rows[0]!.f[3]}-${rows[0]!.f[4]}` },
  );
  const f = rows[0]!.f;
  assert.deepEqual(first, {
    event: 'Product Viewed',
    user_id: f[0],
    product_id: f[1],
    category: f[2],
    ts: new Date(Number(f[4]) * 1000).toISOString().replace('T', ' ').replace('Z', ''),
  });
});

test('taobao: a re-import adds nothing', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('taobao', 'userbehavior.csv'), 'taobao-userbehavior');
  assert.equal(r.imported, 0);
  assert.equal(r.duplicates, r.rows);
  assert.equal(r.items, 0);
  assert.deepEqual(await storeCounts(rt, LIB), before);
});

test('taobao: bad rows are reported by number and reason, the rest is imported', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('taobao', 'bad.csv'), 'taobao-userbehavior');
  assert.deepEqual(r.errors, [
    { row: 3, reason: 'expected 5 fields, found 3' },
    { row: 4, reason: "behavior: unknown value 'like' (expected pv, cart, fav or buy)" },
    { row: 5, reason: "timestamp: 'yesterday' is not a unix time in seconds" },
    { row: 6, reason: 'user_id: is empty' },
    { row: 8, reason: 'item_id: is empty' },
    { row: 9, reason: 'timestamp: 151178887 is out of range (1990 … now)' },
  ]);
  assert.equal(r.rows, 11);
  assert.equal(r.rejected, 6);
  assert.equal(r.imported, 4, 'rows 1, 2, 7 and 10 (11 repeats 10)');
  assert.equal(r.duplicates, 1);
  const after = await storeCounts(rt, LIB);
  assert.equal(after.events - before.events, 4);
  assert.equal(after.orders - before.orders, 1);
  const dead = await rt.olap.query<{ batch_index: number; reason: string; payload: string }>(
    `SELECT batch_index, reason, payload FROM ${rt.olap.db}.dead_letters WHERE source = {lib:String} ORDER BY batch_index`,
    { lib: LIB },
  );
  assert.deepEqual(dead.map((d) => d.batch_index), [3, 4, 5, 6, 8, 9]);
  assert.equal(dead[0]!.payload, '999498,253311,2885642');
});
