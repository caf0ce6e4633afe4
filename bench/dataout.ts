/**
 * Backup, restore, exports and SQL console figures on an imported world:
 *   1. `backup` of --data into a temporary directory (seconds, bytes);
 *   2. `restore` of that backup into another temporary data dir, with its row-count check (seconds);
 *   3. exports of every profile as CSV, JSON lines and Parquet, and of every tag value as Parquet (seconds, bytes, rows);
 *   4. SQL console queries over the safe views (milliseconds each, checked and limited as an analyst's would be).
 *
 *   npx huaxiang generate --users 2000 --days 60 --out /tmp/w && npx huaxiang import /tmp/w/events.jsonl --format segment-jsonl --data /tmp/w-data
 *   npx huaxiang build --only tags --data /tmp/w-data
 *   node bin/run-ts.js bench/dataout.ts --data /tmp/w-data [--keep]
 *
 * The data dir must not be held by a server, and must be your own: backup takes its lock (writes LOCK).
 * Temporary directories go under os.tmpdir() and are removed unless --keep. No targets are set for these;
 * the figures size maintenance windows (docs/backup.md) and export schedules (docs/data-out.md).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { exportToFile, type ExportFormat, type ExportSpec } from '../src/dataout/exports.ts';
import { SqlConsole } from '../src/dataout/sql.ts';
import { backup } from '../src/ops/backup.ts';
import { restore } from '../src/ops/restore.ts';
import { openRuntime } from '../src/runtime.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, keep: { type: 'boolean' } } });
if (!values.data) {
  console.error('usage: node bin/run-ts.js bench/dataout.ts --data DIR [--keep]');
  process.exit(2);
}
const line = (o: object) => console.log(JSON.stringify({ bench: 'dataout', ...o }));
const config = loadConfig({ data: values.data, logLevel: 'warn' });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-dataout-'));
const du = (p: string) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
const rows = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);

try {
  const out = path.join(work, 'backup');
  const b = await backup(config, out);
  line({ step: 'backup', seconds: b.seconds, bytes: du(out), dataDirBytes: du(config.dataDir), clickhouseRows: rows(b.manifest.clickhouse.tables), postgresRows: rows(b.manifest.postgres.tables) });

  const r = await restore(loadConfig({ data: path.join(work, 'restored'), logLevel: 'warn' }), out);
  line({ step: 'restore', seconds: r.seconds, clickhouseRows: rows(r.clickhouse), postgresRows: rows(r.postgres), countsMatch: true });
  if (!values.keep) fs.rmSync(path.join(work, 'restored'), { recursive: true, force: true });

  const rt = await openRuntime(config, { command: 'bench' });
  try {
    const cases: [string, ExportSpec, ExportFormat][] = [
      ['profiles', { kind: 'profiles' }, 'csv'],
      ['profiles', { kind: 'profiles' }, 'jsonl'],
      ['profiles', { kind: 'profiles' }, 'parquet'],
      ['tags', { kind: 'tags' }, 'parquet'],
    ];
    for (const [what, spec, format] of cases) {
      const file = path.join(work, `${what}.${format}`);
      const t0 = performance.now();
      const { bytes } = await exportToFile(rt, spec, format, file);
      const seconds = (performance.now() - t0) / 1000;
      const [n] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM file({f:String}, Parquet)`, { f: file }).catch(() => [{ n: NaN }]);
      line({ step: 'export', what, format, seconds: Math.round(seconds * 100) / 100, bytes, rows: format === 'parquet' ? Number(n!.n) : undefined });
    }
    const sql = new SqlConsole({ path: path.join(config.dataDir, 'clickhouse'), url: config.clickhouse.url, user: config.clickhouse.user, password: config.clickhouse.password }, rt.olap.db);
    const safe = `${rt.olap.db}_safe`;
    const queries = {
      eventsByName: `SELECT event, count() AS n FROM ${safe}.events GROUP BY event ORDER BY n DESC`,
      buyersByDevice: `SELECT device_type, uniqExact(person_id) AS buyers, round(sum(revenue), 2) AS revenue FROM ${safe}.events WHERE event = 'Order Completed' GROUP BY device_type`,
      lifecycle: `SELECT value_str AS stage, count() AS people FROM ${safe}.tags WHERE tag_code = 'lifecycle_stage' GROUP BY stage ORDER BY people DESC`,
    };
    try {
      for (const [name, q] of Object.entries(queries)) {
        const t0 = performance.now();
        const res = await sql.run(q, { maxRows: 1000, timeoutSeconds: 60, maxMemoryBytes: 4 * 1024 ** 3 });
        line({ step: 'sql', query: name, ms: Math.round(performance.now() - t0), rows: res.rowCount });
      }
    } finally {
      await sql.close();
    }
  } finally {
    await rt.close();
  }
} finally {
  if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}
