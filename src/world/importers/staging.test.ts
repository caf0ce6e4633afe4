import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../runtime.ts';
import { OlapStore } from '../../store/olap/index.ts';
import { runImport } from './run.ts';
import { csvFields } from './sql.ts';
import { openLines, splitCsvLine } from './staging.ts';
import { fixture, storeCounts, testRuntime } from './testkit.ts';

let rt: Runtime;
let done: () => Promise<void>;
let tmp: string;
/** the same engine seen as a ClickHouse server: files are streamed into staging tables, not read by the engine */
let server: OlapStore;
let other: OlapStore;
before(async () => {
  ({ rt, done } = await testRuntime());
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-staging-test-'));
  other = await OlapStore.open({ database: 'as_server', path: path.join(rt.config.dataDir, 'clickhouse') });
  server = Object.create(other, { kind: { value: 'server' } }) as OlapStore;
});
after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await other.close();
  await done();
});

const text = '\uFEFFa,b\r\n1,"x, ""y"""\r\n\r\n2,\r\n';

for (const mode of ['chdb', 'chdb-staged', 'server'] as const) {
  test(`lines (${mode}): numbered as in the file, BOM, CR and empty lines gone, header skipped`, async () => {
    const file = path.join(tmp, `lines-${mode}.csv`);
    fs.writeFileSync(file, text);
    const olap = mode === 'server' ? server : rt.olap;
    for (const skipHeader of [false, true]) {
      // chdb-staged: a file too big to re-read per range is copied once into a table ordered by row
      const stageAbove = mode === 'chdb-staged' ? 0 : undefined;
      const lines = await openLines(olap, file, { skipHeader, stagingTable: `stg_${mode.replace('-', '_')}_${skipHeader}`, stageAbove });
      try {
        const src = lines.all();
        const got = await olap.query<{ row: number; line: string; f: string[] }>(
          `SELECT row, line, ${csvFields('line')} AS f FROM ${src.sql} ORDER BY row`,
          src.params,
        );
        const want = [
          { row: 1, line: 'a,b', f: ['a', 'b'] },
          { row: 2, line: '1,"x, ""y"""', f: ['1', 'x, "y"'] },
          { row: 4, line: '2,', f: ['2', ''] },
        ].slice(skipHeader ? 1 : 0);
        assert.deepEqual(got.map((g) => ({ ...g, row: Number(g.row) })), want);
        for (const w of want) assert.deepEqual(splitCsvLine(w.line), w.f, 'the TS splitter agrees with the engine');
        const part = lines.range(3, 10);
        const [n] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${part.sql}`, part.params);
        assert.equal(Number(n!.n), 1);
      } finally {
        await lines.close();
      }
    }
  });
}

test('server mode: the importers give the same store as embedded', async () => {
  const viaServer = { ...rt, olap: server };
  for (const [file, format, lib] of [
    [fixture('retailrocket', 'events.csv'), 'retailrocket', 'import:retailrocket'],
    [fixture('online-retail', 'online_retail.csv'), 'online-retail', 'import:online-retail'],
    [fixture('instacart'), 'instacart', 'import:instacart'],
  ] as const) {
    const a = await runImport(rt, file, format);
    const b = await runImport(viaServer, file, format);
    assert.deepEqual({ ...b, seconds: 0 }, { ...a, seconds: 0 }, format);
    assert.deepEqual(await storeCounts(viaServer, lib), await storeCounts(rt, lib), format);
    const [left] = await server.query<{ n: number }>(`SELECT count() AS n FROM system.tables WHERE database = 'as_server' AND name LIKE 'import_%'`);
    assert.equal(Number(left!.n), 0, 'no staging or candidate table is left behind');
  }
});

test('chunks: a file read in row ranges stores what one pass stores', async () => {
  const viaServer = { ...rt, olap: server };
  const file = fixture('taobao', 'userbehavior.csv');
  const a = await runImport(rt, file, 'taobao-userbehavior');
  const b = await runImport(viaServer, file, 'taobao-userbehavior', { 'chunk-rows': '50' });
  assert.deepEqual({ ...b, seconds: 0 }, { ...a, seconds: 0 });
  // chunks of two rows: line 11 repeats line 10 from the chunk before
  const bad = await runImport(viaServer, fixture('taobao', 'bad.csv'), 'taobao-userbehavior', { 'chunk-rows': '2' });
  assert.deepEqual(bad.errors.map((e) => e.row), [3, 4, 5, 6, 8, 9]);
  assert.deepEqual([bad.rows, bad.imported, bad.duplicates, bad.rejected], [11, 4, 1, 6]);
});
