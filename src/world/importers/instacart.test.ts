import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { fixture, readCsv, storeCounts, testRuntime } from './testkit.ts';

let rt: Runtime;
let done: () => Promise<void>;
before(async () => ({ rt, done } = await testRuntime()));
after(() => done());

const LIB = 'import:instacart';
const DAY = 86_400_000;

test('instacart: one order per order with lines; users, orders, lines and categories match the files', async () => {
  const dir = fixture('instacart');
  const orders = readCsv(`${dir}/orders.csv`).rows.map((r) => r.f);
  const lines = readCsv(`${dir}/order_products__prior.csv`).rows.map((r) => r.f);
  const products = readCsv(`${dir}/products.csv`).rows.map((r) => r.f);
  const aisles = new Map(readCsv(`${dir}/aisles.csv`).rows.map((r) => [r.f[0], r.f[1]]));
  const departments = new Map(readCsv(`${dir}/departments.csv`).rows.map((r) => [r.f[0], r.f[1]]));
  const withLines = new Set(lines.map((l) => l[0]));
  const placed = orders.filter((o) => withLines.has(o[0]));

  const r = await runImport(rt, dir, 'instacart');
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  assert.equal(r.rows, orders.length + lines.length + products.length + aisles.size + departments.size);
  assert.equal(r.imported, placed.length, "the 'test' order has no lines and is not an event");
  assert.equal(r.items, products.length);
  const c = await storeCounts(rt, LIB);
  assert.deepEqual(c, { events: placed.length, users: new Set(placed.map((o) => o[1])).size, orders: placed.length, revenue: 0 });
  const [n] = await rt.olap.query<{ n: number }>(`SELECT sum(length(products)) AS n FROM ${rt.olap.db}.events WHERE library = {lib:String}`, { lib: LIB });
  assert.equal(Number(n!.n), lines.length);

  // a line's category is department › aisle, and the lines keep their add-to-cart order
  const [pid, , aisle, dept] = products[0]!;
  const [cat] = await rt.olap.query<{ category: string }>(
    `SELECT x.category AS category FROM ${rt.olap.db}.events ARRAY JOIN products AS x WHERE library = {lib:String} AND x.product_id = {p:String} LIMIT 1`,
    { lib: LIB, p: pid },
  );
  assert.equal(cat!.category, `${departments.get(dept)} › ${aisles.get(aisle)}`);
  const order = placed[0]![0]!;
  const [got] = await rt.olap.query<{ ids: string[] }>(`SELECT products.product_id AS ids FROM ${rt.olap.db}.events WHERE message_id = {id:String}`, { id: `ic-${order}` });
  const want = lines.filter((l) => l[0] === order).sort((a, b) => Number(a[2]) - Number(b[2])).map((l) => l[1]);
  assert.deepEqual(got!.ids, want);
});

test('instacart: synthesised times follow the order sequence and end near the anchor', async () => {
  const orders = readCsv(`${fixture('instacart')}/orders.csv`).rows.map((r) => r.f);
  const info = new Map(orders.map((o) => [o[0]!, { user: o[1]!, num: Number(o[3]), dow: Number(o[4]), hour: Number(o[5]), days: o[6] === '' ? null : Number(o[6]) }]));
  const stored = await rt.olap.query<{ order_id: string; ms: number }>(
    `SELECT order_id, toUnixTimestamp64Milli(timestamp) AS ms FROM ${rt.olap.db}.events WHERE library = {lib:String}`,
    { lib: LIB },
  );
  const anchor = Date.UTC(2017, 4, 1);
  const byUser = new Map<string, { num: number; dow: number; hour: number; days: number | null; ms: number }[]>();
  for (const s of stored) {
    const o = info.get(s.order_id)!;
    byUser.set(o.user, [...(byUser.get(o.user) ?? []), { ...o, ms: Number(s.ms) }]);
  }
  let checkedGaps = 0;
  for (const list of byUser.values()) {
    list.sort((a, b) => a.num - b.num);
    for (const o of list) assert.equal(new Date(o.ms).getUTCHours(), o.hour, 'at order_hour_of_day');
    const last = list[list.length - 1]!;
    assert.equal(new Date(last.ms).getUTCDay(), last.dow, 'the latest order on its order_dow (0 = Sunday)');
    assert.ok(last.ms < anchor + DAY && last.ms >= anchor - 28 * DAY, 'the latest order within the four weeks up to the anchor');
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      const gapDays = Math.round((Date.UTC(...ymd(b.ms)) - Date.UTC(...ymd(a.ms))) / DAY);
      assert.ok(gapDays > 0 || b.days === 0, 'later orders come later');
      if (b.num === a.num + 1) {
        assert.equal(gapDays, b.days, 'consecutive orders are days_since_prior_order apart');
        checkedGaps++;
      }
    }
  }
  assert.ok(byUser.size > 10);
  assert.ok(checkedGaps > 0, 'the fixture has consecutive orders');
});

const ymd = (ms: number): [number, number, number] => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
};

test('instacart: a re-import adds nothing', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('instacart'), 'instacart');
  assert.equal(r.imported, 0);
  assert.equal(r.duplicates, before.events);
  assert.deepEqual(await storeCounts(rt, LIB), before);
});

test('instacart: bad rows are reported with their file and row, the rest is imported', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('instacart-bad'), 'instacart');
  assert.deepEqual(r.errors, [
    { file: 'order_products__prior.csv', row: 5, reason: 'order_id: 999999999 is not in orders.csv' },
    { file: 'order_products__prior.csv', row: 6, reason: 'product_id: is empty' },
    { file: 'order_products__prior.csv', row: 7, reason: "add_to_cart_order: 'first' is not a whole number" },
    { file: 'order_products__prior.csv', row: 8, reason: 'expected 4 fields, found 2' },
    { file: 'orders.csv', row: 7, reason: "order_dow: '9' is not a weekday 0–6" },
    { file: 'orders.csv', row: 8, reason: 'user_id: is empty' },
    { file: 'orders.csv', row: 9, reason: "order_number: 'x' is not a positive whole number" },
    { file: 'products.csv', row: 58, reason: 'expected 4 fields, found 3' },
  ]);
  assert.equal(r.rejected, 8);
  assert.equal(r.imported, 5, 'five good orders, one of them from order_products__train.csv');
  const after = await storeCounts(rt, LIB);
  assert.equal(after.orders - before.orders, 5);
  const [train] = await rt.olap.query<{ n: number }>(`SELECT length(products) AS n FROM ${rt.olap.db}.events WHERE message_id = 'ic-82690907'`);
  assert.equal(Number(train!.n), readCsv(`${fixture('instacart-bad')}/order_products__train.csv`).rows.length);
});

test('instacart: a missing file or a bad --anchor is refused with a one-line reason', async () => {
  await assert.rejects(runImport(rt, fixture('online-retail'), 'instacart'), /orders\.csv is missing/);
  await assert.rejects(runImport(rt, fixture('instacart'), 'instacart', { anchor: 'May 1st' }), /--anchor: 'May 1st' is not a date/);
});
