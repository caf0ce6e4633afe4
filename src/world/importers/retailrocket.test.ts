import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { fixture, readCsv, storeCounts, testRuntime } from './testkit.ts';

let rt: Runtime;
let done: () => Promise<void>;
before(async () => ({ rt, done } = await testRuntime()));
after(() => done());

const LIB = 'import:retailrocket';
const names: Record<string, string> = { view: 'Product Viewed', addtocart: 'Product Added', transaction: 'Order Completed' };

test('retailrocket: the store holds what the file says', async () => {
  const file = fixture('retailrocket', 'events.csv');
  const { header, rows } = readCsv(file);
  assert.deepEqual(header, ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid']);
  const r = await runImport(rt, file, 'retailrocket');
  assert.equal(r.rows, rows.length);
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  assert.equal(r.imported, rows.length);
  const c = await storeCounts(rt, LIB);
  assert.equal(c.events, rows.length);
  assert.equal(c.users, new Set(rows.map((x) => x.f[1])).size);
  assert.equal(c.orders, new Set(rows.filter((x) => x.f[2] === 'transaction').map((x) => x.f[4])).size);
  assert.equal(r.items, new Set(rows.map((x) => x.f[3])).size);

  const byEvent = await rt.olap.query<{ event: string; n: number }>(
    `SELECT event, count() AS n FROM ${rt.olap.db}.events WHERE library = {lib:String} GROUP BY event ORDER BY event`,
    { lib: LIB },
  );
  const expected = new Map<string, number>();
  for (const x of rows) expected.set(names[x.f[2]!]!, (expected.get(names[x.f[2]!]!) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(byEvent.map((e) => [e.event, Number(e.n)])), Object.fromEntries([...expected].sort()));

  // a transaction row: anonymous visitor, order with the item, the file's millisecond time
  const tx = rows.find((x) => x.f[2] === 'transaction')!;
  const [e] = await rt.olap.query<Record<string, unknown>>(
    `SELECT distinct_id, anonymous_id, user_id, order_id, products, toUnixTimestamp64Milli(timestamp) AS ms FROM ${rt.olap.db}.events
     WHERE library = {lib:String} AND event = 'Order Completed' AND order_id = {o:String} AND product_id = {p:String}`,
    { lib: LIB, o: tx.f[4], p: tx.f[3] },
  );
  assert.deepEqual(e, {
    distinct_id: tx.f[1],
    anonymous_id: tx.f[1],
    user_id: '',
    order_id: tx.f[4],
    products: [{ product_id: tx.f[3], category: '', brand: '', price: 0, quantity: 1 }],
    ms: Number(tx.f[0]),
  });
});

test('retailrocket: a re-import adds nothing', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('retailrocket', 'events.csv'), 'retailrocket');
  assert.equal(r.imported, 0);
  assert.equal(r.duplicates, r.rows);
  assert.deepEqual(await storeCounts(rt, LIB), before);
});

test('retailrocket: bad rows are reported by number and reason, the rest is imported', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('retailrocket', 'bad.csv'), 'retailrocket');
  assert.deepEqual(r.errors, [
    { row: 5, reason: "event: unknown value 'purchase' (expected view, addtocart or transaction)" },
    { row: 6, reason: 'transactionid: is empty on a transaction' },
    { row: 7, reason: 'visitorid: is empty' },
    { row: 8, reason: 'timestamp: 1442004917 is out of range (1990 … now)' },
    { row: 9, reason: 'itemid: is empty' },
    { row: 10, reason: 'expected 5 fields, found 3' },
    { row: 11, reason: "timestamp: 'abc' is not a unix time in milliseconds" },
  ]);
  assert.equal(r.rows, 11);
  assert.equal(r.imported, 3);
  assert.equal(r.duplicates, 1, 'row 12 repeats row 3');
  const after = await storeCounts(rt, LIB);
  assert.equal(after.events - before.events, 3);
  assert.equal(after.orders - before.orders, 1);
});

test('retailrocket: a file with another header is refused with a one-line reason', async () => {
  await assert.rejects(runImport(rt, fixture('taobao', 'bad.csv'), 'retailrocket'), /expected the header 'timestamp,visitorid,event,itemid,transactionid'/);
});
