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
before(async () => ({ rt, done } = await testRuntime()));
after(() => done());

const LIB = 'import:online-retail';

/** The file's invoices computed here, in plain TS: the lines grouped by InvoiceNo. */
function invoices(file: string) {
  const { rows } = readCsv(file);
  const byInvoice = new Map<string, { customer: string; refund: boolean; amount: number; lines: number }>();
  for (const { f } of rows) {
    const [inv, , , qty, , price, customer] = f as [string, string, string, string, string, string, string];
    const o = byInvoice.get(inv) ?? { customer: customer.replace(/\.0+$/, ''), refund: inv.startsWith('C'), amount: 0, lines: 0 };
    o.amount += Math.abs(Number(qty)) * Number(price);
    o.lines++;
    byInvoice.set(inv, o);
  }
  return { rows, byInvoice };
}

test('online-retail: one order per invoice; users, orders and revenue match the file', async () => {
  const file = fixture('online-retail', 'online_retail.csv');
  const { rows, byInvoice } = invoices(file);
  const r = await runImport(rt, file, 'online-retail');
  assert.equal(r.rows, rows.length);
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  assert.equal(r.imported, byInvoice.size);
  const sales = [...byInvoice.values()].filter((o) => !o.refund);
  const people = new Set([...byInvoice].map(([inv, o]) => o.customer || `anon:${inv}`));
  const c = await storeCounts(rt, LIB);
  assert.equal(c.events, byInvoice.size);
  assert.equal(c.orders, sales.length);
  assert.equal(c.users, people.size);
  assert.equal(c.revenue, round2(sales.reduce((s, o) => s + round2(o.amount), 0)));
  assert.equal(r.items, new Set(rows.map((x) => x.f[1])).size);

  // refunds: positive amounts, positive quantities
  const [refunds] = await rt.olap.query<{ n: number; amount: number; negative: number }>(
    `SELECT count() AS n, round(sum(revenue), 2) AS amount, countIf(arrayExists(x -> x.quantity <= 0, products)) AS negative
     FROM ${rt.olap.db}.events WHERE library = {lib:String} AND event = 'Order Refunded'`,
    { lib: LIB },
  );
  const refundInvoices = [...byInvoice.values()].filter((o) => o.refund);
  assert.equal(Number(refunds!.n), refundInvoices.length);
  assert.equal(Number(refunds!.amount), round2(refundInvoices.reduce((s, o) => s + round2(o.amount), 0)));
  assert.equal(Number(refunds!.negative), 0);

  // the first row: Excel serial 40846.67847222222 is 2011-10-30 16:17 UTC; a known customer
  const [first] = await rt.olap.query<Record<string, unknown>>(
    `SELECT user_id, anonymous_id, toString(timestamp) AS ts, currency, revenue, properties FROM ${rt.olap.db}.events WHERE message_id = 'or-573415'`,
  );
  assert.deepEqual(first, { user_id: '13607', anonymous_id: '', ts: '2011-10-30 16:17:00.000', currency: 'GBP', revenue: 2.08, properties: '{"country":"United Kingdom","invoice_no":"573415"}' });
  // no CustomerID: an anonymous buyer named after the invoice
  const anon = [...byInvoice].find(([, o]) => !o.customer)![0];
  const [a] = await rt.olap.query<{ distinct_id: string; user_id: string }>(
    `SELECT distinct_id, user_id FROM ${rt.olap.db}.events WHERE message_id = {id:String}`,
    { id: `or-${anon}` },
  );
  assert.deepEqual(a, { distinct_id: `ol-anon-${anon}`, user_id: '' });
  // a multi-line invoice keeps its lines in file order
  const [multi] = [...byInvoice].filter(([, o]) => o.lines > 2);
  const lines = rows.filter((x) => x.f[0] === multi![0]).map((x) => x.f[1]);
  const [m] = await rt.olap.query<{ ids: string[] }>(`SELECT products.product_id AS ids FROM ${rt.olap.db}.events WHERE message_id = {id:String}`, { id: `or-${multi![0]}` });
  assert.deepEqual(m!.ids, lines);
  // the catalog: title and latest price
  const [item] = await rt.olap.query<{ title: string; price: number; currency: string }>(
    `SELECT title, price, currency FROM ${rt.olap.db}.items FINAL WHERE item_id = '21166'`,
  );
  assert.deepEqual(item, { title: 'COOK WITH WINE METAL SIGN', price: 2.08, currency: 'GBP' });
});

test('online-retail: a re-import adds nothing', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('online-retail', 'online_retail.csv'), 'online-retail');
  assert.equal(r.imported, 0);
  assert.equal(r.rejected, 0);
  assert.equal(r.items, 0);
  assert.deepEqual(await storeCounts(rt, LIB), before);
});

test('online-retail: bad lines are reported, the invoice keeps its good lines, other date styles are read', async () => {
  const before = await storeCounts(rt, LIB);
  const r = await runImport(rt, fixture('online-retail', 'bad.csv'), 'online-retail');
  assert.deepEqual(r.errors, [
    { row: 4, reason: "Quantity: 'six' is not a whole number" },
    { row: 5, reason: 'StockCode: is empty' },
    { row: 6, reason: "InvoiceDate: 'not a date' is not a date (Excel serial day, ISO or M/D/YYYY H:MM)" },
    { row: 7, reason: 'Quantity: -22 on a sale invoice (a stock write-off, not a sale)' },
    { row: 9, reason: "UnitPrice: '£0.65' is not a number" },
    { row: 11, reason: 'InvoiceNo: is empty' },
    { row: 12, reason: 'expected 8 fields, found 5' },
  ]);
  assert.equal(r.rows, 11);
  assert.equal(r.rejected, 7);
  assert.equal(r.imported, 4, 'invoices 581001, 581002 (one good line of two), 581006, C581008');
  const after = await storeCounts(rt, LIB);
  assert.equal(after.orders - before.orders, 3);
  assert.equal(round2(after.revenue - before.revenue), round2(2 * 12.75 + 6 * 2.55 + 24 * 0.65));
  const got = await rt.olap.query<{ message_id: string; ts: string; user_id: string; n: number }>(
    `SELECT message_id, toString(timestamp) AS ts, user_id, length(products) AS n FROM ${rt.olap.db}.events
     WHERE message_id IN ('or-581001', 'or-581002', 'or-581006', 'or-C581008') ORDER BY message_id`,
  );
  assert.deepEqual(got, [
    { message_id: 'or-581001', ts: '2011-12-05 10:15:00.000', user_id: '15311', n: 1 },
    { message_id: 'or-581002', ts: '2010-12-01 08:26:00.000', user_id: '17850', n: 1 },
    { message_id: 'or-581006', ts: '2010-12-15 15:37:00.000', user_id: '15062', n: 1 },
    { message_id: 'or-C581008', ts: '2011-09-22 18:21:00.000', user_id: '16984', n: 1 },
  ]);
});

test('online-retail: --timezone reads the file’s naive times in that zone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-or-tz-'));
  const file = path.join(dir, 'tz.csv');
  fs.writeFileSync(
    file,
    'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
      '582001,22423,REGENCY CAKESTAND 3 TIER,1,2011-12-05 10:15,12.75,15311,United Kingdom\n' +
      '582002,22423,REGENCY CAKESTAND 3 TIER,1,40846.67847222222,12.75,15311,United Kingdom\n',
  );
  try {
    const r = await runImport(rt, file, 'online-retail', { timezone: 'Asia/Shanghai' });
    assert.equal(r.imported, 2);
    const got = await rt.olap.query<{ ts: string }>(
      `SELECT toString(timestamp) AS ts FROM ${rt.olap.db}.events WHERE message_id IN ('or-582001', 'or-582002') ORDER BY message_id`,
    );
    assert.deepEqual(got.map((g) => g.ts), ['2011-12-05 02:15:00.000', '2011-10-30 08:17:00.000']);
    await assert.rejects(runImport(rt, file, 'online-retail', { timezone: 'Mars/Olympus' }), /--timezone: unknown time zone 'Mars\/Olympus'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
