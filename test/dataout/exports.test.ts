import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/server/access.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { loadShop, personalValues, startApi, type Person } from './fixture.ts';

/**
 * Exports over HTTP: every format parses back (CSV with csv-parse, JSON lines line by line, Parquet read by
 * ClickHouse's own Parquet reader) to the profiles, tag values and segment members the shop implies, and
 * no personal value appears in them, except in an admin's explicit, audited export with personal data.
 */

let sc: Scenario;
let app: FastifyInstance;
let base = '';
let tokens: Record<Role, string>;
let people: Person[];
let segmentId = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-export-test-'));

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-dataout-' });
  ({ people, segmentId } = await loadShop(sc));
  ({ app, base, tokens } = await startApi(sc));
});
after(async () => {
  await app?.close();
  await sc?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const get = (url: string, role: Role = 'analyst') => fetch(base + url, { headers: { authorization: `Bearer ${tokens[role]}` } });

type Row = Record<string, unknown>;

/** Reads an export body back into rows, whatever its format. */
async function rows(res: Response, format: 'csv' | 'jsonl' | 'parquet'): Promise<{ rows: Row[]; bytes: Buffer }> {
  assert.equal(res.status, 200, await res.clone().text());
  const bytes = Buffer.from(await res.arrayBuffer());
  if (format === 'csv') return { rows: parseCsv(bytes, { columns: true }) as Row[], bytes };
  if (format === 'jsonl') return { rows: bytes.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row), bytes };
  assert.equal(bytes.subarray(0, 4).toString(), 'PAR1', 'a Parquet file starts with PAR1');
  const file = path.join(tmp, `read-${Math.random().toString(36).slice(2)}.parquet`);
  fs.writeFileSync(file, bytes);
  return { rows: await sc.rt.olap.query<Row>(`SELECT * FROM file({f:String}, Parquet)`, { f: file }), bytes };
}

const FORMATS = ['csv', 'jsonl', 'parquet'] as const;

describe('profile exports', () => {
  for (const format of FORMATS) {
    it(`${format}: one row per person with activity, non-personal traits, tags and segments`, async () => {
      const res = await get(`/api/v1/exports/profiles?format=${format}`);
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`profiles\\.${format}`));
      const { rows: got, bytes } = await rows(res, format);
      const byId = new Map(got.map((r) => [String(r.person_id), r]));
      assert.deepEqual([...byId.keys()].sort(), people.map((p) => p.id).sort(), 'the anonymous browsing is merged into the person');
      for (const p of people) {
        const r = byId.get(p.id)!;
        assert.equal(Number(r.events), p.events, `${p.id} events`);
        assert.equal(Number(r.orders), p.orders, `${p.id} orders`);
        assert.deepEqual(JSON.parse(String(r.traits)), { city_tier: p.cityTier, plan: p.plan }, `${p.id} traits without personal ones`);
        const tags = JSON.parse(String(r.tags)) as Record<string, unknown>;
        assert.equal(tags.orders_total ?? 0, p.orders, `${p.id} orders_total tag`);
        const segments = typeof r.segments === 'string' ? (JSON.parse(String(r.segments).replace(/'/g, '"')) as string[]) : (r.segments as string[]);
        assert.deepEqual([...segments], p.orders > 0 ? [segmentId] : [], `${p.id} segments`);
      }
      const text = bytes.toString('latin1') + bytes.toString('utf8');
      for (const v of personalValues(people)) assert.ok(!text.includes(v), `${format} export must not contain ${v}`);
      assert.ok(!/"(email|phone|name|address|birthday)"/.test(bytes.toString('utf8')), 'no personal trait keys');
    });
  }

  it('personal data only for an admin who asks for it, and the export is audited', async () => {
    assert.equal((await get('/api/v1/exports/profiles?format=jsonl&includePii=true', 'analyst')).status, 403);
    const { rows: got } = await rows(await get('/api/v1/exports/profiles?format=jsonl&includePii=true', 'admin'), 'jsonl');
    for (const p of people) {
      const r = got.find((x) => x.person_id === p.id)!;
      assert.deepEqual(JSON.parse(String(r.pii)), { email: p.email, phone: p.phone, name: p.name, address: p.street, birthday: p.birthday }, p.id);
    }
    const audit = await sc.rt.audit.search({ action: 'pii.export' });
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.details, { format: 'jsonl', includePii: true });
    assert.equal((await sc.rt.audit.search({ action: 'data.export' })).length, FORMATS.length, 'every other export is audited too');
    // the plain personal data was held for the export only
    const left = await sc.rt.olap.query(`SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE 'export_pii_%'`, { db: sc.rt.olap.db });
    assert.deepEqual(left, []);
  });
});

describe('tag and segment exports', () => {
  for (const format of FORMATS) {
    it(`${format}: tag values equal each person's current values`, async () => {
      const { rows: got } = await rows(await get(`/api/v1/exports/tags?format=${format}`), format);
      for (const p of people.slice(0, 6)) {
        const { values } = await sc.rt.tags.valuesOf(p.id);
        const mine = got.filter((r) => r.person_id === p.id);
        assert.deepEqual(mine.map((r) => String(r.tag_code)).sort(), values.map((v) => v.code).sort(), p.id);
        const orders = mine.find((r) => r.tag_code === 'orders_total');
        if (p.orders > 0) assert.equal(Number(orders!.value_num), p.orders);
      }
    });

    it(`${format}: a segment's members are the buyers`, async () => {
      const { rows: got } = await rows(await get(`/api/v1/exports/segments/${segmentId}?format=${format}`), format);
      assert.deepEqual(got.map((r) => String(r.person_id)).sort(), people.filter((p) => p.orders > 0).map((p) => p.id).sort());
      assert.ok(got.every((r) => r.segment_id === segmentId));
    });
  }

  it('one tag: only its rows', async () => {
    const { rows: got } = await rows(await get('/api/v1/exports/tags?format=jsonl&tag=orders_total'), 'jsonl');
    assert.ok(got.length > 0 && got.every((r) => r.tag_code === 'orders_total'));
  });

  it('people per tag value over HTTP: counts as the tag exports imply, the minimum group size, noise marked', async () => {
    const { rows: all } = await rows(await get('/api/v1/exports/tags?format=jsonl&tag=city_tier'), 'jsonl');
    const expected = new Map<string, number>();
    for (const r of all) expected.set(String(r.value_str), (expected.get(String(r.value_str)) ?? 0) + 1);
    assert.ok(expected.size >= 2, JSON.stringify([...expected]));
    const k = Math.max(...expected.values());
    const saved = sc.rt.config.privacy.minGroupSize;
    try {
      sc.rt.config.privacy.minGroupSize = 0;
      const exact = await get('/api/v1/exports/tag-counts?format=jsonl&tag=city_tier');
      assert.equal(exact.headers.get('x-suppressed-groups'), '0');
      assert.equal(exact.headers.get('x-privacy'), 'null');
      const { rows: got } = await rows(exact, 'jsonl');
      assert.deepEqual(new Map(got.map((r) => [String(r.value), Number(r.people)])), expected);
      // a threshold of the largest group's size keeps only the groups that large
      sc.rt.config.privacy.minGroupSize = k;
      const kept = await get('/api/v1/exports/tag-counts?format=jsonl&tag=city_tier');
      const big = [...expected].filter(([, n]) => n >= k);
      assert.equal(kept.headers.get('x-suppressed-groups'), String(expected.size - big.length));
      assert.deepEqual((await rows(kept, 'jsonl')).rows.map((r) => [String(r.value), Number(r.people)]).sort(), big.sort());
      const noisy = await get('/api/v1/exports/tag-counts?format=csv&tag=city_tier&noise=true');
      assert.equal((JSON.parse(noisy.headers.get('x-privacy') ?? 'null') as { mechanism?: string } | null)?.mechanism !== undefined, true);
      assert.equal((await rows(noisy, 'csv')).rows.length, big.length);
    } finally {
      sc.rt.config.privacy.minGroupSize = saved;
    }
    assert.equal((await get('/api/v1/exports/tag-counts?noise=maybe')).status, 400);
    assert.equal((await get('/api/v1/exports/tag-counts?tag=no_such_tag')).status, 404);
    assert.equal((await get('/api/v1/exports/tag-counts', 'viewer')).status, 403);
  });

  it('clear errors: bad format, unknown tag or segment, no token, a viewer', async () => {
    const bad = await get('/api/v1/exports/profiles?format=xlsx');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^query\.format: /);
    assert.equal((await get('/api/v1/exports/tags?tag=no_such_tag')).status, 404);
    assert.equal((await get('/api/v1/exports/segments/seg_nope')).status, 404);
    assert.equal((await fetch(`${base}/api/v1/exports/tags`)).status, 401);
    assert.equal((await get('/api/v1/exports/tags', 'viewer')).status, 403);
  });
});
