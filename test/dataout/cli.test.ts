import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import { OlapStore } from '../../src/store/olap/index.ts';
import { repoRoot, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';
import { loadShop, personalValues, type Person } from './fixture.ts';

/**
 * `huaxiang export` from the shell: on a data dir no one holds (the CLI opens it), and while `serve` holds
 * it (the CLI fetches the export from that server). Both give the same rows.
 */

const run = promisify(execFile);
const cli = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return run(process.execPath, [path.join(repoRoot, 'bin', 'huaxiang.js'), ...args], { cwd: repoRoot, env, timeout: 120_000 });
};

const dataDir = tmpDataDir(after, 'hx-export-cli-');
const out = tmpDataDir(after, 'hx-export-out-');
let people: Person[];
let segmentId = '';
let server: SpawnedServer | undefined;
after(async () => server?.kill9());

before(async () => {
  const rt = await openRuntime(testConfig({ dataDir, logLevel: 'silent' }), { command: 'test' });
  try {
    await rt.tags.live.stop();
    ({ people, segmentId } = await loadShop({ rt, dir: dataDir, close: async () => {} }));
  } finally {
    await rt.close();
  }
});

const jsonl = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('huaxiang export', () => {
  it('profiles as Parquet, a segment as CSV, one tag as JSON lines, from a data dir', { timeout: 180_000 }, async () => {
    const parquet = path.join(out, 'profiles.parquet');
    const r = await cli('export', 'profiles', '--format', 'parquet', '--out', parquet, '--data', dataDir);
    assert.match(r.stderr, /wrote .*profiles\.parquet: \d+ bytes of parquet/);
    assert.equal(fs.statSync(parquet).mode & 0o777, 0o600);
    await cli('export', 'segment', segmentId, '--format', 'csv', '--out', path.join(out, 'buyers.csv'), '--data', dataDir);
    await cli('export', 'tags', '--tag', 'orders_total', '--out', path.join(out, 'orders.jsonl'), '--data', dataDir);

    const olap = await OlapStore.open({ path: path.join(dataDir, 'clickhouse'), database: testConfig({ dataDir }).clickhouse.database });
    try {
      const rows = await olap.query<{ person_id: string; orders: number; traits: string }>(`SELECT person_id, orders, traits FROM file({f:String}, Parquet) ORDER BY person_id`, { f: parquet });
      assert.deepEqual(rows.map((x) => [x.person_id, Number(x.orders)]), people.map((p) => [p.id, p.orders]).sort());
    } finally {
      await olap.close();
    }
    const text = fs.readFileSync(parquet).toString('utf8');
    for (const v of personalValues(people)) assert.ok(!text.includes(v), v);

    const buyers = parseCsv(fs.readFileSync(path.join(out, 'buyers.csv')), { columns: true }) as { person_id: string }[];
    assert.deepEqual(buyers.map((b) => b.person_id).sort(), people.filter((p) => p.orders > 0).map((p) => p.id).sort());
    const orders = jsonl(path.join(out, 'orders.jsonl'));
    assert.deepEqual(
      orders.map((o) => [o.person_id, o.value_num]).sort(),
      people.map((p) => [p.id, p.orders]).sort(),
      'the format comes from the file name',
    );
  });

  it('refuses what it cannot do, saying why', { timeout: 60_000 }, async () => {
    await assert.rejects(cli('export', 'tags', '--include-pii', '--format', 'csv', '--out', path.join(out, 'x.csv'), '--data', dataDir), /--include-pii applies to profiles only/);
    await assert.rejects(cli('export', 'profiles', '--format', 'xlsx', '--out', path.join(out, 'x.xlsx'), '--data', dataDir), /--format must be one of csv, jsonl, parquet/);
    await assert.rejects(cli('export', 'segment', 'seg_nope', '--format', 'csv', '--out', path.join(out, 'x.csv'), '--data', dataDir), /no segment 'seg_nope'/);
  });

  it('while serve holds the dir, the export comes from the server and is the same', { timeout: 180_000 }, async () => {
    const local = path.join(out, 'local.jsonl');
    await cli('export', 'profiles', '--format', 'jsonl', '--out', local, '--data', dataDir);
    const localCounts = path.join(out, 'local-counts.jsonl');
    await cli('export', 'tag-counts', '--tag', 'orders_total', '--format', 'jsonl', '--out', localCounts, '--data', dataDir);
    server = await spawnServer({ dataDir });
    const remote = path.join(out, 'remote.jsonl');
    const r = await cli('export', 'profiles', '--format', 'jsonl', '--out', remote, '--data', dataDir);
    assert.match(r.stderr, /held by the server at http:\/\/127\.0\.0\.1:\d+; exporting through it/);
    assert.deepEqual(jsonl(remote), jsonl(local));
    const remoteCounts = path.join(out, 'remote-counts.jsonl');
    const c = await cli('export', 'tag-counts', '--tag', 'orders_total', '--format', 'jsonl', '--out', remoteCounts, '--data', dataDir);
    assert.match(c.stderr, /exporting through it[\s\S]*0 value\(s\) held by too few people left out/);
    assert.deepEqual(jsonl(remoteCounts), jsonl(localCounts));
    assert.ok(jsonl(localCounts).length > 0);
    // with personal data: decrypted by the server, for the admin token the CLI found in the data dir
    const pii = path.join(out, 'pii.jsonl');
    await cli('export', 'profiles', '--include-pii', '--format', 'jsonl', '--out', pii, '--data', dataDir);
    const first = jsonl(pii).find((x) => x.person_id === people[0]!.id)!;
    assert.equal(JSON.parse(String(first.pii)).email, people[0]!.email);
    assert.equal(await server.stop(), 0);
  });
});
