import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { ingest, repoRoot, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * Personal data at rest: people with emails, mobile numbers and resident ID numbers arrive over HTTP
 * (identify traits, and the context.traits analytics.js adds to track calls) and through a segment-jsonl
 * import handed to the running server; the server is stopped; then
 *  1. every file under the data dir (ClickHouse parts, Postgres pages and WAL, logs, credentials) is
 *     searched byte for byte for each plain value: zero hits;
 *  2. because ClickHouse compresses columns (ZSTD for traits/pii/properties/context), a byte search alone
 *     could miss a leak, so every row of every table in both stores is also read back decoded and searched.
 * A marker that is stored in the clear on purpose (a product id) must be found by both searches, so
 * neither can pass by reading nothing.
 */

const DAY = 86_400_000;
const N = 24;
const MARKER = 'sku-marker-7731';
const person = (i: number) => ({
  userId: `pr-${i}`,
  email: `pii.person${i}@example.com`,
  phone: `1390000${String(i).padStart(4, '0')}`,
  // 18 characters: region, birth date, sequence, check character
  idNumber: `3301061990${String(101 + i).padStart(4, '0')}${String(1000 + i).slice(-3)}X`,
});
const httpPeople = Array.from({ length: N }, (_, i) => person(i));
const importPeople = Array.from({ length: N }, (_, i) => person(100 + i));
// sent with a bad timestamp: rejected, and kept as a dead letter with its PII redacted
const rejected = person(200);
const plain = [...httpPeople, ...importPeople, rejected].flatMap((p) => [p.email, p.phone, p.idNumber]);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('personal data at rest', () => {
  const dataDir = tmpDataDir(after, 'hx-pii-rest-');
  const importFile = path.join(tmpDataDir(after, 'hx-pii-rest-src-'), 'people.jsonl');
  let server: SpawnedServer | undefined;

  before(async () => {
    server = await spawnServer({ dataDir, timeoutMs: 180_000 });
    const t = (d: number) => new Date(Date.now() - d * DAY).toISOString();
    const batch: Record<string, unknown>[] = httpPeople.flatMap((p, i) => [
      { type: 'identify', userId: p.userId, messageId: `h-${i}-1`, timestamp: t(3), traits: { email: p.email, phone: p.phone, id_number: p.idNumber, city_tier: '一线' }, context: { ip: '203.0.113.9' } },
      { type: 'track', event: 'Product Viewed', userId: p.userId, messageId: `h-${i}-2`, timestamp: t(2), properties: { product_id: MARKER, price: 10 }, context: { traits: { email: p.email, phone: p.phone } } },
    ]);
    batch.push({ type: 'identify', userId: rejected.userId, messageId: 'h-rejected', timestamp: 'yesterday', traits: { email: rejected.email, phone: rejected.phone, id_number: rejected.idNumber }, context: { ip: '203.0.113.9' } });
    const r = await ingest(server.url, server.writeKey).send('batch', { batch });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.rejected.map((x: { index: number }) => x.index), [batch.length - 1]);
    fs.writeFileSync(importFile, importPeople.map((p, i) => JSON.stringify({
      type: 'identify', userId: p.userId, messageId: `f-${i}`, timestamp: t(4), traits: { email: p.email, phone: p.phone, idNumber: p.idNumber },
    })).join('\n') + '\n');
    const imp = spawnSync(process.execPath, ['bin/huaxiang.js', 'import', importFile, '--format', 'segment-jsonl', '--data', dataDir], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HX_ADMIN_TOKEN: '' }, timeout: 300_000,
    });
    assert.equal(imp.status, 0, `import exited with ${imp.status ?? imp.signal} ${imp.error?.message ?? ''}\n${imp.stderr}`);
    assert.match(imp.stdout, new RegExp(`imported ${N} events`));
    assert.equal(await server.stop(), 0, server.output());
    server = undefined;
  });
  after(async () => server?.stop());

  it('no file under the data dir holds a plain email, phone or ID number', () => {
    const files = walk(dataDir);
    const hits: string[] = [];
    let markerFiles = 0;
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      if (bytes.includes(MARKER)) markerFiles++;
      for (const v of plain) if (bytes.includes(v)) hits.push(`${path.relative(dataDir, f)}: ${v}`);
    }
    assert.ok(files.length > 50, `${files.length} files searched`);
    assert.ok(markerFiles > 0, 'the byte search finds a value stored in the clear');
    assert.deepEqual(hits, []);
  });

  it('no row of any table, read back decoded, holds one either', async () => {
    const rt = await openRuntime(testConfig({ dataDir, logLevel: 'silent' }), { command: 'test' });
    try {
      const text: string[] = [];
      const tables = await rt.olap.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree%'`, { db: rt.olap.db });
      for (const t of tables) for (const r of await rt.olap.query(`SELECT * FROM ${rt.olap.db}.${t.name}`)) text.push(JSON.stringify(r));
      const pgTables = await rt.oltp.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
      for (const t of pgTables) for (const r of await rt.oltp.query<{ row: string }>(`SELECT t::text AS row FROM "${t.table_name}" t`)) text.push(r.row);
      const all = text.join('\n');
      assert.ok(all.includes(MARKER), 'the decoded search sees the stored events');
      const [dead] = await rt.olap.query<{ payload: string }>(`SELECT payload FROM ${rt.olap.db}.dead_letters WHERE message_id = 'h-rejected'`);
      assert.deepEqual(JSON.parse(dead!.payload).traits, { email: '[redacted]', phone: '[redacted]', id_number: '[redacted]' });
      assert.deepEqual(plain.filter((v) => all.includes(v)), []);
      // and the values are there, encrypted: an admin's export opens them
      const exported = await rt.privacy.export(importPeople[0]!.userId, { actor: 'test', role: 'admin' });
      assert.equal(exported?.traits.idNumber, importPeople[0]!.idNumber);
      assert.equal(exported?.traits.email, importPeople[0]!.email);
    } finally {
      await rt.close();
    }
  });
});
