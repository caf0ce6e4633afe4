import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.ts';
import { lockDataDir } from '../store/lock.ts';
import { openPg } from '../store/oltp/pg.ts';
import { workspacesDir } from '../workspaces.ts';
import { BackupError, MANIFEST, clickhouseCounts, copyDataFiles, openClickHouse, plainPath, postgresCounts, type BackupManifest } from './stores.ts';

export interface BackupReport {
  out: string;
  manifest: BackupManifest;
  seconds: number;
}

/**
 * `huaxiang backup`: a consistent copy of a data dir into `out` (which must be new or empty).
 *
 * - ClickHouse: `BACKUP DATABASE … TO File('out/clickhouse')` (embedded), or `TO Disk('backups', name)` on
 *   a ClickHouse server (its `backups` disk must be configured; the backup stays on the server).
 * - PGlite: `dumpDataDir()` as `out/pglite.tar.gz`; a Postgres server: `pg_dump --format=custom`.
 * - The data dir's own files: the master key (without it the encrypted PII cannot be read), credentials,
 *   trained text models.
 * - `manifest.json` with every table's row count, checked by `restore`.
 *
 * The embedded stores belong to one process at a time, so backup takes the data-dir lock: while `serve`
 * holds the dir it stops with a message (the engines do not take a consistent copy from under a writer).
 */
export async function backup(config: Config, outDir: string): Promise<BackupReport> {
  const started = Date.now();
  const out = path.resolve(outDir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new BackupError(`${out} is not empty; back up into a new directory`);
  if (!fs.existsSync(config.dataDir) || fs.readdirSync(config.dataDir).length === 0) throw new BackupError(`${config.dataDir} holds no data to back up`);
  // a backup of the default workspace alone would look complete while leaving the others out
  const others = fs.existsSync(workspacesDir(config.dataDir)) ? fs.readdirSync(workspacesDir(config.dataDir)) : [];
  if (config.workspaces.length > 0 || others.length > 0) {
    throw new BackupError(`this installation has workspaces besides default (${[...new Set([...config.workspaces, ...others])].join(', ')}); backup copies one workspace's stores and does not cover them yet: copy the stopped data dir instead (docs/workspaces.md#backups)`);
  }
  fs.mkdirSync(out, { recursive: true });
  const embedded = !config.clickhouse.url || !config.databaseUrl;
  const lock = embedded ? lockDataDir(config.dataDir, { command: 'backup' }) : null;
  try {
    const db = config.clickhouse.database;
    const ch = openClickHouse(config, plainPath(out));
    let clickhouse: BackupManifest['clickhouse'];
    try {
      const tables = await clickhouseCounts(ch, db);
      if (Object.keys(tables).length === 0) throw new BackupError(`ClickHouse database ${db} has no tables: nothing to back up`);
      const location = ch.kind === 'chdb' ? 'clickhouse' : `huaxiang-${db}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const target = ch.kind === 'chdb' ? `File('${plainPath(path.join(out, location))}')` : `Disk('backups', '${location}')`;
      await ch.run(`BACKUP DATABASE ${db} TO ${target}`);
      clickhouse = { kind: ch.kind, database: db, location, tables };
    } finally {
      await ch.close();
    }
    const postgres = config.databaseUrl ? await dumpPostgres(config.databaseUrl, out) : await dumpPglite(path.join(config.dataDir, 'pg'), out);
    const files = copyDataFiles(config.dataDir, path.join(out, 'files'));
    const manifest: BackupManifest = { format: 1, createdAt: new Date().toISOString(), dataDir: config.dataDir, clickhouse, postgres, files };
    fs.writeFileSync(path.join(out, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    // the backup holds the master key and credentials: readable by its owner only
    fs.chmodSync(out, 0o700);
    return { out, manifest, seconds: (Date.now() - started) / 1000 };
  } finally {
    lock?.release();
  }
}

async function dumpPglite(dir: string, out: string): Promise<BackupManifest['postgres']> {
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw new BackupError(`${dir} holds no PGlite database`);
  const db = await PGlite.create(dir);
  try {
    const tables = await postgresCounts({ query: async (sql, p) => (await db.query(sql, p)).rows as never[], exec: async (sql) => void (await db.exec(sql)) });
    const dump = await db.dumpDataDir('gzip');
    fs.writeFileSync(path.join(out, 'pglite.tar.gz'), Buffer.from(await dump.arrayBuffer()));
    return { kind: 'pglite', file: 'pglite.tar.gz', tables };
  } finally {
    await db.close();
  }
}

async function dumpPostgres(url: string, out: string): Promise<BackupManifest['postgres']> {
  const db = await openPg(url);
  try {
    const tables = await postgresCounts(db);
    runPgTool('pg_dump', ['--format=custom', '--no-owner', '--file', path.join(out, 'postgres.dump'), '--dbname', url]);
    return { kind: 'pg', file: 'postgres.dump', tables };
  } finally {
    await db.close();
  }
}

/** Runs pg_dump/pg_restore from PATH; without them, says what to install. */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new BackupError(`${tool} is not on PATH: install the PostgreSQL client tools of your server's version (Debian: apt-get install postgresql-client)`);
    }
    throw new BackupError(`${tool} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}
