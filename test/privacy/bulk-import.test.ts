import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { detectPii, isIdentifierKey, maskPiiIn } from '../../src/privacy/detect.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { maskPiiSql } from '../../src/world/importers/piiSql.ts';
import { runImport } from '../../src/world/importers/run.ts';
import { needsProtect } from '../../src/world/importers/segmentSql.ts';

/**
 * Personal data on the bulk import paths. The segment-jsonl importer decides in the engine which lines
 * may hold personal data and sends those through the TS protect step: that choice must include every
 * line detect.ts would flag (a parity test over a corpus), and leave ordinary shop traffic on the fast
 * path. The CSV importer masks free text in the engine as maskPiiIn does (parity again). Then both
 * importers load files with an ID number sent alone, a phone inside a review, an e-mail in a search; the
 * data dir is searched decoded and byte for byte: no plain value is found, and a marker stored in the
 * clear on purpose is.
 */

// GB 11643: the check character of 17 digits, computed here from the standard's weights
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (first17: string) => first17 + '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0) % 11];
const ID_ALONE = idNumber('44030519850612003');
const ID_NAMED = idNumber('33010619920101456');
const REVIEW_PHONE = '13711112222';
const SEARCH_EMAIL = 'shopper.zhao@example.cn';
const CSV_PHONE = '15977776666';
const CSV_EMAIL = 'csv.buyer@example.cn';
const MARKER = 'sku-bulk-marker-5521';
const PLAIN = [ID_ALONE, ID_NAMED, REVIEW_PHONE, SEARCH_EMAIL, CSV_PHONE, CSV_EMAIL];

let rt: Runtime;
let dir: string;
let src: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bulk-pii-'));
  src = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bulk-pii-src-'));
  rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
  await rt.tags.live.stop();
});
after(async () => {
  await rt?.close().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(src, { recursive: true, force: true });
});

/** What detect.ts would flag in a message: a string, under a key that is not an identifier, holding personal data. */
function tsFlags(v: unknown, key = ''): boolean {
  if (typeof v === 'string') return !isIdentifierKey(key) && detectPii(v).length > 0;
  if (Array.isArray(v)) return v.some((x) => tsFlags(x, key));
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => tsFlags(x, k));
  return false;
}

const personal = [
  '13812345678', '+86 138 1234 5678', '138-1234-5678', '8613912345678', 'call me 15011112222 tonight', '电话：18600001111。',
  ID_ALONE, `身份证${ID_NAMED}号`, 'li.na@example.com', 'write to a_b+c@mail.example.co.uk!', '浙江省杭州市西湖区文三路90号',
  '寄到北京市朝阳区建国路88号谢谢', '上海浦东新区世纪大道100号', '广东省深圳市南山区科技园路8号', '13800001111,13900002222',
];
const ordinary = [
  '保温杯 大容量', 'iPhone17,3', 'Mozilla/5.0 (Linux; Android 15) MicroMessenger/8.0.58 miniProgram', '2026-11-24T06:00:00.000Z',
  '价格 199.00 元', '订单 2026112400001', '12345678901', '1381234567', '杭州', 'Asia/Shanghai', '110105199013011234',
];
const place = (s: string, i: number): Record<string, unknown> => {
  const at = [
    { type: 'track', event: 'Products Searched', properties: { query: s } },
    { type: 'track', event: 'Product Reviewed', properties: { product_id: 'p1', review_body: s } },
    { type: 'track', event: 'Gift Sent', properties: { card: { lines: ['hi', s] } } },
    { type: 'identify', traits: { note: s, city: '杭州' } },
    { type: 'page', name: 'Home', context: { page: { title: s } } },
    { type: 'track', event: 'Order Completed', properties: { order_id: s, revenue: 1 } },
  ][i % 6]!;
  return { ...at, userId: `u-${i}`, messageId: `corpus-${i}`, timestamp: '2026-11-01T00:00:00.000Z' };
};

describe('which segment-jsonl lines take the protect step', () => {
  it('every line detect.ts flags, and none of ordinary shop traffic', async () => {
    const lines = [...personal, ...ordinary].flatMap((s, i) => [0, 1, 2, 3, 4, 5].map((k) => JSON.stringify(place(s, i * 6 + k))));
    const routed = await rt.olap.query<{ line: string; r: number }>(`SELECT line, ${needsProtect()} AS r FROM (SELECT arrayJoin({lines:Array(String)}) AS line)`, { lines });
    const missed = routed.filter((x) => tsFlags(JSON.parse(x.line)) && !Number(x.r)).map((x) => x.line);
    assert.deepEqual(missed, []);
    assert.ok(routed.filter((x) => tsFlags(JSON.parse(x.line))).length >= personal.length * 5, 'the corpus holds flagged lines');
    // the generated world's lines: a search, an order, a page view, with device context and an IP
    const world = [
      { type: 'track', event: 'Products Searched', anonymousId: '8a380ad6-9a38-4c75-98b1-172fdb96902f', userId: 'u_011966', messageId: 'w-3-2', properties: { query: '墨镜' }, timestamp: '2026-08-21T16:00:19.476Z', context: { ip: '183.122.187.61', device: { type: 'android', model: 'OPPO Reno11' }, os: { name: 'Android', version: '13' }, locale: 'zh-CN', timezone: 'Asia/Shanghai' } },
      { type: 'track', event: 'Order Completed', userId: 'u_002011', messageId: 'w-3-15', properties: { order_id: 'o_100234', revenue: 399, currency: 'CNY', products: [{ product_id: 'p_10293', price: 399, quantity: 1 }] }, timestamp: '2026-08-21T16:03:55.039Z', context: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) MicroMessenger/8.0.58' } },
      { type: 'page', name: 'Home', anonymousId: 'b97f2562-88ca-4d7b-89d3-409ecabf1c2b', messageId: 'w-3-23', timestamp: '2026-08-21T16:04:30.311Z', sentAt: '2026-08-21T16:04:37.856Z', context: { page: { url: 'https://shop.example.cn/' } } },
    ].map((m) => JSON.stringify(m));
    const worldRouted = await rt.olap.query<{ r: number }>(`SELECT ${needsProtect()} AS r FROM (SELECT arrayJoin({lines:Array(String)}) AS line)`, { lines: world });
    assert.deepEqual(worldRouted.map((x) => Number(x.r)), [0, 0, 0]);
  });

  it('masks free text in the engine as maskPiiIn does', async () => {
    const texts = [...personal, ...ordinary.filter((s) => s !== '110105199013011234'), 'ship to 广东省深圳市南山区科技园路8号 please, or call +86 138-1234-5678 / mail z.s@example.com'];
    const rows = await rt.olap.query<{ s: string; m: string }>(`SELECT s, ${maskPiiSql('s')} AS m FROM (SELECT arrayJoin({texts:Array(String)}) AS s)`, { texts });
    assert.deepEqual(rows.map((r) => [r.s, r.m]), texts.map((s) => [s, maskPiiIn(s)]));
  });
});

describe('bulk imports store no personal data in the clear', () => {
  it('imports an ID number alone, a phone in a review, e-mails in searches and CSV notes', async () => {
    const t = '2026-11-01T08:00:00.000Z';
    const jsonl = path.join(src, 'events.jsonl');
    fs.writeFileSync(jsonl, [
      { type: 'identify', userId: 'bk-1', messageId: 'bk-1', timestamp: t, traits: { sfz: ID_ALONE, city_tier: '一线' } },
      { type: 'identify', userId: 'bk-2', messageId: 'bk-2', timestamp: t, traits: { id_number: ID_NAMED } },
      { type: 'track', userId: 'bk-1', messageId: 'bk-3', timestamp: t, event: 'Product Reviewed', properties: { product_id: MARKER, rating: 4, review_body: `不错，有问题打 ${REVIEW_PHONE}` } },
      { type: 'track', userId: 'bk-2', messageId: 'bk-4', timestamp: t, event: 'Products Searched', properties: { query: `找 ${SEARCH_EMAIL} 的订单` } },
      { type: 'track', userId: 'bk-2', messageId: 'bk-5', timestamp: t, event: 'Product Viewed', properties: { product_id: MARKER } },
    ].map((m) => JSON.stringify(m)).join('\n') + '\n');
    const a = await runImport(rt, jsonl, 'segment-jsonl');
    assert.equal(a.imported, 5, JSON.stringify(a.errors));

    const csv = path.join(src, 'orders.csv');
    const mapping = path.join(src, 'mapping.json');
    fs.writeFileSync(mapping, JSON.stringify({
      source: 'notes', columns: { uid: 'userId', what: 'event', at: 'timestamp', sku: 'product_id', q: 'query', note: 'properties.note' },
      time: { format: 'iso', timezone: 'Asia/Shanghai' }, currency: 'CNY',
    }));
    fs.writeFileSync(csv, `uid,what,at,sku,q,note\nbk-3,Order Completed,${t},${MARKER},,送货前打 ${CSV_PHONE}\nbk-3,Products Searched,${t},,${CSV_EMAIL},\n`);
    const b = await runImport(rt, csv, 'csv', { mapping });
    assert.equal(b.imported, 2, JSON.stringify(b.errors));
    await rt.writer.close();

    // decoded: every row of every table in both stores
    const text: string[] = [];
    const tables = await rt.olap.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree%'`, { db: rt.olap.db });
    for (const tb of tables) for (const r of await rt.olap.query(`SELECT * FROM ${rt.olap.db}.\`${tb.name}\``)) text.push(JSON.stringify(r));
    const pg = await rt.oltp.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    for (const tb of pg) for (const r of await rt.oltp.query<{ row: string }>(`SELECT t::text AS row FROM "${tb.table_name}" t`)) text.push(r.row);
    const all = text.join('\n');
    assert.ok(all.includes(MARKER), 'the decoded search sees the imported events');
    assert.deepEqual(PLAIN.filter((v) => all.includes(v)), []);
    // masked copies are kept, the ID numbers sealed and readable by the person's export
    assert.ok(all.includes(maskPiiIn(REVIEW_PHONE)) && all.includes(maskPiiIn(CSV_PHONE)) && all.includes(maskPiiIn(SEARCH_EMAIL)));
    assert.equal((await rt.privacy.personalTraits('bk-1')).sfz, ID_ALONE);
    assert.equal((await rt.privacy.personalTraits('bk-2')).id_number, ID_NAMED);

    // bytes: every file of the data dir, once the stores are closed
    await rt.close();
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    walk(dir);
    let markerFiles = 0;
    const hits: string[] = [];
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      if (bytes.includes(MARKER)) markerFiles++;
      for (const v of PLAIN) if (bytes.includes(v)) hits.push(`${path.relative(dir, f)}: ${v}`);
    }
    assert.ok(markerFiles > 0, 'the byte search finds a value stored in the clear');
    assert.deepEqual(hits, []);
  });
});
