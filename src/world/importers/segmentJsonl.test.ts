import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../config.ts';
import { runPipeline } from '../../ingest/pipeline.ts';
import { getProfile } from '../../profiles/index.ts';
import { openRuntime, type Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { segmentCandidates } from './segmentSql.ts';
import { stageLines } from './staging.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-segimport-'));
let rt: Runtime;
before(async () => {
  rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
});
after(async () => {
  await rt.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const now = Date.parse('2026-11-20T00:00:00Z');
const ts = '2026-10-01T10:00:00.000Z';
const base = { type: 'track', event: 'Product Viewed', anonymousId: 'a', timestamp: ts };
/** Good and bad messages of every kind the validators know; both paths must decide each the same way. */
const corpus: unknown[] = [
  base,
  { ...base, properties: { product_id: 7, price: '12.50', quantity: 2, currency: 'cny', rating: 4.5, query: '连衣裙' } },
  { ...base, userId: 42, anonymousId: null },
  { type: 'page', name: 'Home', anonymousId: 'a', timestamp: ts, properties: { url: 'https://shop/x' } },
  { type: 'screen', name: 'Cart', userId: 'u', timestamp: ts },
  { type: 'identify', userId: 'u', traits: { city: '杭州', age: 30 }, timestamp: ts },
  { type: 'alias', previousId: 'old', userId: 'u', timestamp: ts },
  { type: 'group', groupId: 'g1', userId: 'u', timestamp: ts },
  { ...base, event: 'Order Completed', properties: { order_id: 'o1', revenue: 99, products: [{ product_id: 'p', price: 1, quantity: 1 }] } },
  { ...base, sentAt: '2026-10-01T10:00:05.000Z', receivedAt: '2026-10-01T09:00:05.000Z' },
  { ...base, timestamp: 1759312800000 },
  { type: 'track', anonymousId: 'a', event: 'No Time' },
  { ...base, properties: { price: null, coupon: null, products: [{ product_id: 'p', price: null }] } },
  // bad ones
  { ...base, type: 'purchase' },
  { ...base, type: undefined },
  { ...base, event: '' },
  { ...base, event: undefined },
  { ...base, anonymousId: undefined },
  { ...base, anonymousId: { id: 1 } },
  { ...base, properties: { revenue: 'abc' } },
  { ...base, properties: { quantity: -1 } },
  { ...base, properties: { quantity: 1.5 } },
  { ...base, properties: { currency: 'yuan' } },
  { ...base, properties: { rating: 7 } },
  { ...base, properties: { category: 5 } },
  { ...base, properties: { products: { id: 1 } } },
  { ...base, properties: { products: [{ price: 1 }, { quantity: 'two' }] } },
  { ...base, properties: 'text' },
  { ...base, timestamp: 'yesterday' },
  { ...base, timestamp: '2031-01-01T00:00:00Z' },
  { ...base, timestamp: '1980-01-01T00:00:00Z' },
  { ...base, context: [1] },
  { type: 'identify', userId: 'u', traits: [1], timestamp: ts },
  { type: 'alias', userId: 'u', timestamp: ts },
  { type: 'group', userId: 'u', timestamp: ts },
];

describe('segment-jsonl: the SQL path and the zod path agree', () => {
  it('accepts and rejects the same messages, naming the same field, with the same key columns', async () => {
    const lines = corpus.map((m, i) => JSON.stringify(typeof m === 'object' && m ? { messageId: `c${i}`, ...m } : m));
    const file = path.join(dir, 'corpus.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await stageLines(rt.olap, file, 'parity_stg');
    const sql = await rt.olap.query<{ row: number; error: string; type: string; event: string; timestamp: string; revenue: number | null; price: number | null; product_id: string; user_id: string; currency: string }>(
      `SELECT row, error, type, event, toUnixTimestamp64Milli(timestamp) AS timestamp, revenue, price, product_id, user_id, currency
       FROM (${segmentCandidates(`${rt.olap.db}.parity_stg`)}) ORDER BY row`,
      { now, maxTs: now + 86_400_000, maxBytes: 32_768 },
    );
    const ts = runPipeline(
      { messages: lines.map((l) => JSON.parse(l)), receivedAt: now, requestId: 'p', source: 't', writeKeyId: 'import', maxMessageBytes: 32_768, maxFutureMs: 86_400_000, historical: true },
      rt.keyring,
    );
    const tsErrors = new Map(ts.rejected.map((r) => [r.index, r.path]));
    let accepted = 0;
    for (const [i, s] of sql.entries()) {
      const zodPath = tsErrors.get(i);
      const sqlPath = s.error ? s.error.split(':')[0] : undefined;
      assert.equal(sqlPath, zodPath, `message ${i} ${lines[i]}: SQL says '${s.error}', zod says '${zodPath ?? 'ok'}'`);
      if (zodPath !== undefined) continue;
      const row = ts.rows[accepted++]!;
      assert.equal(s.type, row.type, `type of ${i}`);
      assert.equal(s.event, row.event, `event of ${i}`);
      assert.equal(Number(s.timestamp), row.timestamp, `timestamp of ${i}`);
      assert.equal(s.revenue, row.revenue, `revenue of ${i}`);
      assert.equal(s.price, row.price, `price of ${i}`);
      assert.equal(s.product_id, row.product_id, `product_id of ${i}`);
      assert.equal(s.user_id, row.user_id, `user_id of ${i}`);
      assert.equal(s.currency, row.currency, `currency of ${i}`);
    }
    assert.ok(accepted >= 10 && ts.rejected.length >= 20, 'the corpus exercises both outcomes');
  });
});

describe('segment-jsonl import', () => {
  const file = path.join(dir, 'shop.jsonl');
  const messages = [
    { type: 'track', event: 'Product Viewed', anonymousId: 'dev-1', messageId: 'm1', timestamp: '2026-10-01T10:00:00Z', properties: { product_id: 'p1', price: 12.5 }, context: { ip: '203.0.113.9', locale: 'zh-CN' } },
    { type: 'identify', anonymousId: 'dev-1', userId: 'buyer', messageId: 'm2', timestamp: '2026-10-01T10:01:00Z', traits: { email: 'Buyer@Example.cn', phone: '13800138000', city: '杭州' } },
    { type: 'track', event: 'Order Completed', userId: 'buyer', messageId: 'm3', timestamp: '2026-10-01T10:02:00Z', properties: { order_id: 'o1', revenue: 25, products: [{ product_id: 'p1', price: 12.5, quantity: 2 }] } },
    { type: 'track', event: 'Order Completed', userId: 'buyer', messageId: 'm4', timestamp: '2026-10-01T10:03:00Z', properties: { revenue: 'abc' } },
    { type: 'identify', userId: 'buyer', messageId: 'm5', timestamp: '2026-10-01T10:04:00Z', traits: { email: 'not-used@x.cn' }, context: { traits: { phone: 1 } }, properties: 'bad' },
  ];
  before(() => fs.writeFileSync(file, messages.map((m) => JSON.stringify(m)).join('\n') + '\nnot json\n'));

  it('stores valid messages, reports bad rows by number, and encrypts personal data', async () => {
    const r = await runImport(rt, file, 'segment-jsonl');
    assert.equal(r.rows, 6);
    assert.equal(r.imported, 4);
    assert.equal(r.rejected, 2);
    assert.deepEqual(r.errors.map((e) => e.row), [4, 6]);
    assert.match(r.errors[0]!.reason, /^properties\.revenue: /);
    const stored = await rt.olap.query<{ all: string }>(`SELECT concat(traits, pii, context, properties, ip_masked) AS all FROM ${rt.olap.db}.events`);
    const text = stored.map((s) => s.all).join('\n');
    assert.ok(!/buyer@example|13800138000|203\.0\.113\.9/i.test(text), 'no plain email, phone or IP in the events table');
    assert.match(text, /203\.0\.113\.0/);
  });

  it('joins the anonymous history to the user, with masked traits', async () => {
    const p = await getProfile(rt, 'buyer');
    assert.ok(p);
    assert.deepEqual(p.anonymousIds, ['dev-1']);
    assert.equal(p.eventCounts['Product Viewed'], 1);
    assert.equal(p.eventCounts['Order Completed'], 1);
    assert.equal(p.traits.city, '杭州');
    assert.equal(p.traits.email, 'n***@x.cn');
  });

  it('adds nothing when the same file is imported again', async () => {
    const r = await runImport(rt, file, 'segment-jsonl');
    assert.equal(r.imported, 0);
    assert.equal(r.duplicates, 4);
    const [c] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${rt.olap.db}.events`);
    assert.equal(Number(c!.n), 4);
  });
});
