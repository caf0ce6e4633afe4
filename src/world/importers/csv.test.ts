import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { fixture, readCsv, round2, storeCounts, testRuntime } from './testkit.ts';

let rt: Runtime;
let done: () => Promise<void>;
let tmp: string;
before(async () => {
  ({ rt, done } = await testRuntime());
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-csv-test-'));
});
after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await done();
});

const LIB = 'import:csv:giftshop';
const mapping = fixture('csv', 'mapping.json');

test('csv: a mapped shop export; users, orders and revenue match the file', async () => {
  const file = fixture('csv', 'events.csv');
  const { rows } = readCsv(file);
  const distinct = [...new Map(rows.map((x) => [x.text, x.f])).values()];
  const r = await runImport(rt, file, 'csv', { mapping });
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  assert.equal(r.rows, rows.length);
  assert.equal(r.imported, distinct.length);
  const buys = distinct.filter((f) => f[2] === '购买');
  const c = await storeCounts(rt, LIB);
  assert.equal(c.events, distinct.length);
  assert.equal(c.users, new Set(distinct.map((f) => f[0] || f[1])).size);
  assert.equal(c.orders, new Set(buys.map((f) => f[8])).size);
  assert.equal(c.revenue, round2(buys.reduce((s, f) => s + Number(f[6]) * Number(f[7]), 0)));
  assert.equal(r.items, new Set(distinct.map((f) => f[4])).size);

  const [first] = await rt.olap.query<Record<string, unknown>>(
    `SELECT event, user_id, anonymous_id, toString(timestamp) AS ts, product_id, price, quantity, order_id, currency, products, properties
     FROM ${rt.olap.db}.events WHERE library = {lib:String} AND order_id = '573415'`,
    { lib: LIB },
  );
  assert.deepEqual(first, {
    event: 'Order Completed',
    user_id: '13607',
    anonymous_id: 'dev-13607',
    ts: '2011-10-30 16:17:00.000', // London wall time, after the clocks went back: UTC
    product_id: '21166',
    price: 2.08,
    quantity: 1,
    order_id: '573415',
    currency: 'GBP',
    products: [{ product_id: '21166', category: '', brand: '', price: 2.08, quantity: 1 }],
    properties: '{"product_id":"21166","name":"COOK WITH WINE METAL SIGN","order_id":"573415","price":2.08,"quantity":1,"country":"United Kingdom"}',
  });
  const [summer] = await rt.olap.query<{ ts: string }>(
    `SELECT toString(timestamp) AS ts FROM ${rt.olap.db}.events WHERE library = {lib:String} AND order_id = '553156'`,
    { lib: LIB },
  );
  assert.equal(summer!.ts, '2011-05-13 13:58:00.000', 'London wall time in summer is UTC+1');
  // the device and the member are one person now
  assert.equal(await rt.identity.personOf('dev-13607'), '13607');
  const [item] = await rt.olap.query<{ title: string; price: number; currency: string }>(
    `SELECT title, price, currency FROM ${rt.olap.db}.items FINAL WHERE item_id = '21166'`,
  );
  assert.deepEqual(item, { title: 'COOK WITH WINE METAL SIGN', price: 2.08, currency: 'GBP' });
});

test('csv: a re-import with the same mapping adds nothing', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('csv', 'events.csv'), 'csv', { mapping });
  assert.equal(r.imported, 0);
  assert.deepEqual(await storeCounts(rt, LIB), before);
});

test('csv: bad rows are reported with the field, its column and the value; the rest is imported', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('csv', 'bad.csv'), 'csv', { mapping });
  assert.deepEqual(r.errors, [
    { row: 4, reason: "event (column '行为'): '收藏' is not in the mapping's events" },
    { row: 5, reason: "timestamp (column '时间'): '2011/11/02 09:32' is not in the format %Y-%m-%d %H:%i:%s" },
    { row: 6, reason: "userId (column '会员ID') and anonymousId (column '设备ID'): both empty" },
    { row: 7, reason: "price (column '单价'): '2.o8' is not a number" },
    { row: 8, reason: "quantity (column '数量'): '-1' is not a whole number ≥ 0" },
    { row: 9, reason: 'expected 10 fields, found 9' },
    { row: 10, reason: "event (column '行为'): is empty" },
  ]);
  assert.equal(r.imported, 3);
  const after = await storeCounts(rt, LIB);
  assert.equal(after.orders - before.orders, 2);
  assert.equal(round2(after.revenue - before.revenue), round2(2 * 12.75 + 3 * 2.08));
});

test('csv: header-less files with ; and unix times; unmapped events kept when asked', async () => {
  const file = path.join(tmp, 'plain.csv');
  fs.writeFileSync(file, 'u-1;1700000000;signup;web\nu-1;1700000060.5;Checkout Started;app\nu-2;1700000120;signup;\n');
  const map = path.join(tmp, 'plain.json');
  fs.writeFileSync(
    map,
    JSON.stringify({ source: 'plain', header: false, delimiter: ';', columns: { '1': 'userId', '2': 'timestamp', '3': 'event', '4': 'properties.channel' }, events: { signup: 'Signed Up' }, unmappedEvents: 'keep', time: { format: 'unix_s' } }),
  );
  const r = await runImport(rt, file, 'csv', { mapping: map });
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  const got = await rt.olap.query<{ event: string; ms: number; properties: string }>(
    `SELECT event, toUnixTimestamp64Milli(timestamp) AS ms, properties FROM ${rt.olap.db}.events WHERE library = 'import:csv:plain' ORDER BY ms`,
  );
  assert.deepEqual(got.map((g) => [g.event, Number(g.ms), g.properties]), [
    ['Signed Up', 1700000000000, '{"channel":"web"}'],
    ['Checkout Started', 1700000060500, '{"channel":"app"}'],
    ['Signed Up', 1700000120000, '{"channel":""}'],
  ]);
});

test('csv: a bad mapping is refused naming the mapping key', async () => {
  const cases: [unknown, RegExp][] = [
    [{ columns: { a: 'userId', b: 'timestamp', c: 'price' } }, /columns: no column is the event/],
    [{ columns: { a: 'userId', b: 'timestamp', c: 'event', d: 'colour' } }, /columns\.d: must be one of userId, .* or properties\.NAME/],
    [{ columns: { a: 'userId', b: 'timestamp', c: 'event' }, time: { format: 'yyyy-mm-dd' } }, /time\.format: must be unix_s, unix_ms, iso or a pattern/],
    [{ columns: { a: 'userId', b: 'timestamp', c: 'event' }, delimiter: '::' }, /delimiter: must be one of/],
    [{ columns: { a: 'userId', b: 'timestamp', c: 'event' }, extra: 1 }, /Unrecognized key/],
    [{ columns: { 会员ID: 'userId', 时间: 'timestamp', 行为: 'event', nope: 'brand' } }, /columns\.nope: no column 'nope' in the file's header/],
    [{ columns: { 会员ID: 'userId', 时间: 'timestamp', 行为: 'event' }, time: { format: 'iso', timezone: 'Moon/Base' } }, /time\.timezone: unknown time zone 'Moon\/Base'/],
  ];
  for (const [m, re] of cases) {
    const file = path.join(tmp, 'bad-mapping.json');
    fs.writeFileSync(file, JSON.stringify(m));
    await assert.rejects(runImport(rt, fixture('csv', 'bad.csv'), 'csv', { mapping: file }), re);
  }
  await assert.rejects(runImport(rt, fixture('csv', 'bad.csv'), 'csv', {}), /--mapping is required for --format csv/);
  await assert.rejects(runImport(rt, fixture('csv', 'bad.csv'), 'csv', { mapping: path.join(tmp, 'none.json') }), /none\.json: no such file/);
});
