import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { getProfile } from '../../src/profiles/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { OlapStore } from '../../src/store/olap/index.ts';
import { openOltp } from '../../src/store/oltp/index.ts';
import { DAY, HOUR, msg, prng, send, type Msg } from '../support/scenario.ts';
import { createDatabase, startPostgres, type PgServer } from '../support/postgres.ts';
import { repoRoot, tmpDataDir } from '../support/server.ts';

/**
 * backup → wipe → restore with the real CLI in child processes: every table of both stores has the same
 * rows afterwards, and the profiles of a sample of people (events, identities, traits with encrypted PII,
 * tags, segments) read the same, which also proves the master key came back with the data.
 */

const run = promisify(execFile);
/** the real CLI in a child process; `databaseUrl` makes it use that Postgres server */
const cli = (databaseUrl: string | undefined, ...args: string[]) => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  if (databaseUrl) env.HX_DATABASE_URL = databaseUrl;
  return run(process.execPath, [path.join(repoRoot, 'bin', 'huaxiang.js'), ...args], { cwd: repoRoot, env, timeout: 180_000 });
};
const OC = 'Order Completed';
const T0 = Date.now() - 20 * DAY;
const USERS = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);

/** A small shop: anonymous browsing aliased to sign-ups, identifies with PII, views, carts and orders. */
function shop(): Msg[] {
  const rnd = prng(11);
  const out: Msg[] = [];
  for (const [i, u] of USERS.entries()) {
    const t = T0 + i * HOUR;
    const anon = `anon-${u}`;
    out.push(msg.anon(anon, 'Product Viewed', t, { product_id: `p${i % 7}`, category: '服装/女装/连衣裙', price: 99 }));
    out.push(msg.alias(anon, u, t + 60_000));
    out.push(msg.identify(u, t + 120_000, { email: `${u}@example.com`, phone: `1380000${String(1000 + i)}`, name: `顾客${i}`, city_tier: i % 2 ? '一线' : '二线', plan: i % 3 ? 'free' : 'plus' }));
    const orders = Math.floor(rnd() * 4);
    for (let k = 0; k < orders; k++) {
      const price = 50 + Math.round(rnd() * 300);
      out.push(msg.track(u, 'Product Added', t + (k + 1) * DAY, { product_id: `p${k}`, price, quantity: 1 }));
      out.push(msg.track(u, OC, t + (k + 1) * DAY + 600_000, { order_id: `o-${u}-${k}`, revenue: price, currency: 'CNY', products: [{ product_id: `p${k}`, category: '美妆/护肤/面霜', price, quantity: 1 }] }));
    }
  }
  return out;
}

/** Rows per table, counted here with the test's own queries (FINAL for engines that collapse rows). */
async function counts(rt: Pick<Runtime, 'olap' | 'oltp'>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const tables = await rt.olap.query<{ name: string; engine: string }>(
    `SELECT name, engine FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree' ORDER BY name`,
    { db: rt.olap.db },
  );
  for (const t of tables) {
    const final = t.engine === 'MergeTree' ? '' : ' FINAL';
    out[`ch.${t.name}`] = Number((await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${rt.olap.db}.${t.name}${final}`))[0]!.n);
  }
  for (const { tablename } of await rt.oltp.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) {
    out[`pg.${tablename}`] = Number((await rt.oltp.query<{ n: number }>(`SELECT count(*) AS n FROM "${tablename}"`))[0]!.n);
  }
  return out;
}

async function profiles(rt: Runtime): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const u of USERS.filter((_, i) => i % 3 === 0)) {
    const p = await getProfile(rt, u);
    assert.ok(p, `profile of ${u}`);
    out[u] = { ...p, updatedAt: undefined };
  }
  return out;
}

function backupSuite(name: string, server: () => Promise<string | undefined>) {
const dataDir = tmpDataDir(after, 'hx-backup-data-');
const backupDir = path.join(tmpDataDir(after, 'hx-backup-out-'), 'b1');
let databaseUrl: string | undefined;
let before_: { counts: Record<string, number>; profiles: Record<string, unknown>; balance: number; segment: string; members: string[] };

describe(`backup and restore: ${name}`, () => {
before(async () => {
  databaseUrl = await server();
  const rt = await openRuntime(testConfig({ dataDir, databaseUrl, logLevel: 'silent' }), { command: 'test' });
  try {
    await rt.tags.live.stop();
    await rt.loyalty.rules.put({
      code: 'order_spend', kind: 'order_spend', name_zh: '消费积分', name_en: 'Points per yuan spent', active: true, dailyCap: null, monthlyCap: null,
      params: { pointsPerUnit: 1, categoryMultipliers: {} },
    }, 'test');
    await send(rt, shop());
    await rt.loyalty.settled();
    await rt.loyalty.earn();
    await rt.tags.build({ asOf: new Date(), trigger: 'test' });
    const seg = await rt.segments.create({ name: 'Buyers', description: '', kind: 'dynamic', rule: { event: OC, count: { op: 'gte', value: 1 }, within: { days: 90 } } } as never, 'test');
    await rt.segments.evaluate(seg.id, 'test');
    const members = (await rt.segments.memberIds(seg.id)).sort();
    const balance = (await rt.loyalty.ledger.balance('u00')).balance + (await rt.loyalty.ledger.balance('u01')).balance + (await rt.loyalty.ledger.balance('u02')).balance;
    before_ = { counts: await counts(rt), profiles: await profiles(rt), balance, segment: seg.id, members };
  } finally {
    await rt.close();
  }
});

  it('the scenario has data in every kind of store the backup must carry', () => {
    const c = before_.counts;
    for (const t of ['ch.events', 'ch.person_ids', 'ch.tag_values', 'ch.segment_members', 'pg.identities', 'pg.segments', 'pg.loyalty_ledger']) {
      assert.ok((c[t] ?? 0) > 0, `${t} has rows (${c[t]})`);
    }
    assert.ok(before_.members.length > 0 && before_.members.length < USERS.length, 'the segment holds some buyers');
    assert.ok(before_.balance > 0, 'points were earned');
  });

  it('backup → wipe → restore gives identical table counts and profiles', { timeout: 240_000 }, async () => {
    const b = await cli(databaseUrl, 'backup', '--data', dataDir, '--out', backupDir);
    assert.match(b.stdout, /backed up/);
    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.clickhouse.tables.events, before_.counts['ch.events']);
    assert.ok(manifest.files.includes('master.key'), 'the master key is in the backup');

    for (const n of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, n), { recursive: true, force: true });
    assert.deepEqual(fs.readdirSync(dataDir), []);
    if (databaseUrl) {
      const pg = await openOltp({ url: databaseUrl });
      await pg.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      assert.deepEqual(await pg.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`), []);
      await pg.close();
    }

    const r = await cli(databaseUrl, 'restore', '--from', backupDir, '--data', dataDir);
    assert.match(r.stdout, /counts match the manifest/);

    // counted on the bare stores: opening the runtime writes to some tables (tag versions) by itself
    const config = testConfig({ dataDir, databaseUrl, logLevel: 'silent' });
    const olap = await OlapStore.open({ path: path.join(dataDir, 'clickhouse'), database: config.clickhouse.database });
    const oltp = await openOltp({ dataDir, url: databaseUrl });
    try {
      assert.deepEqual(await counts({ olap, oltp }), before_.counts);
    } finally {
      await olap.close();
      await oltp.close();
    }
    const rt = await openRuntime(config, { command: 'test' });
    try {
      await rt.tags.live.stop();
      const after_ = await profiles(rt);
      assert.deepEqual(after_, before_.profiles);
      // the PII is readable again (masked for display, not '[unavailable]'): the key came back
      assert.match(String((after_.u00 as { traits: Record<string, unknown> }).traits.email), /^u\*\*\*@example\.com$/);
      assert.deepEqual((await rt.segments.memberIds(before_.segment)).sort(), before_.members);
      const balance = (await rt.loyalty.ledger.balance('u00')).balance + (await rt.loyalty.ledger.balance('u01')).balance + (await rt.loyalty.ledger.balance('u02')).balance;
      assert.equal(balance, before_.balance);
    } finally {
      await rt.close();
    }
  });

  it('restore refuses a data dir that is not empty, and backup refuses a used output dir', { timeout: 120_000 }, async () => {
    await assert.rejects(cli(databaseUrl, 'restore', '--from', backupDir, '--data', dataDir), (e: Error & { stderr: string; code: number }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /is not empty .*--force/);
      return true;
    });
    await assert.rejects(cli(databaseUrl, 'backup', '--data', dataDir, '--out', backupDir), (e: Error & { stderr: string }) => {
      assert.match(e.stderr, /is not empty; back up into a new directory/);
      return true;
    });
  });
});
}

backupSuite('embedded ClickHouse and PGlite', async () => undefined);

// A real Postgres server (pg_dump / pg_restore): the one the test runner started (HX_TEST_PG_URL), else one started here.
let pgServer: PgServer | undefined;
after(async () => pgServer?.stop());
backupSuite('embedded ClickHouse and a Postgres server', async () => {
  let url = process.env.HX_TEST_PG_URL;
  if (!url) {
    pgServer = await startPostgres();
    url = pgServer.url;
  }
  return createDatabase(url, `backup_${process.pid}`);
});
