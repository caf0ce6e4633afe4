import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.ts';
import { lockDataDir } from '../store/lock.ts';
import { openPg } from '../store/oltp/pg.ts';
import { runPgTool } from './backup.ts';
import { BackupError, MANIFEST, clickhouseCounts, countDifferences, openClickHouse, plainPath, postgresCounts, type BackupManifest } from './stores.ts';

export interface RestoreReport {
  from: string;
  dataDir: string;
  manifest: BackupManifest;
  /** rows per table after the restore (equal to the manifest's, or restore throws) */
  clickhouse: Record<string, number>;
  postgres: Record<string, number>;
  seconds: number;
}

/**
 * `huaxiang restore`: fills a data dir from a backup and checks every table's row count against the
 * manifest. The target must be empty (or `force`: its contents are removed first); on a ClickHouse
 * server the database must not exist (or `force`: it is dropped).
 */
export async function restore(config: Config, fromDir: string, opts: { force?: boolean } = {}): Promise<RestoreReport> {
  const started = Date.now();
  const from = path.resolve(fromDir);
  const manifestFile = path.join(from, MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${from} is not a backup: no ${MANIFEST}`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.format !== 1) throw new BackupError(`${manifestFile}: unknown backup format ${String(manifest.format)}`);
  const wantCh = config.clickhouse.url ? 'server' : 'chdb';
  const wantPg = config.databaseUrl ? 'pg' : 'pglite';
  if (manifest.clickhouse.kind !== wantCh || manifest.postgres.kind !== wantPg) {
    throw new BackupError(
      `the backup is of ${manifest.clickhouse.kind} + ${manifest.postgres.kind}; this configuration uses ${wantCh} + ${wantPg}` +
        ` (set or unset HX_CLICKHOUSE_URL / HX_DATABASE_URL to match)`,
    );
  }
  const dir = config.dataDir;
  const present = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n !== 'LOCK') : [];
  if (present.length > 0 && !opts.force) throw new BackupError(`${dir} is not empty (${present.slice(0, 4).join(', ')}${present.length > 4 ? ', …' : ''}); restore into an empty data dir, or pass --force to replace it`);
  const lock = lockDataDir(dir, { command: 'restore' });
  try {
    for (const n of present) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    for (const n of manifest.files) fs.cpSync(path.join(from, 'files', n), path.join(dir, n), { recursive: true, preserveTimestamps: true });

    const db = config.clickhouse.database;
    const ch = openClickHouse(config, plainPath(from));
    let clickhouse: Record<string, number>;
    try {
      if (ch.kind === 'server') {
        const [exists] = await ch.rows<{ n: number }>('SELECT count() AS n FROM system.databases WHERE name = {db:String}', { db });
        if (Number(exists?.n) > 0) {
          if (!opts.force) throw new BackupError(`ClickHouse database ${db} exists on the server; pass --force to drop and replace it`);
          await ch.run(`DROP DATABASE ${db} SYNC`);
        }
      }
      const source = ch.kind === 'chdb' ? `File('${plainPath(path.join(from, manifest.clickhouse.location))}')` : `Disk('backups', '${plainPath(manifest.clickhouse.location)}')`;
      const rename = manifest.clickhouse.database === db ? db : `${manifest.clickhouse.database} AS ${db}`;
      await ch.run(`RESTORE DATABASE ${rename} FROM ${source}`);
      clickhouse = await clickhouseCounts(ch, db);
    } finally {
      await ch.close();
    }
    const postgres = config.databaseUrl
      ? await restorePostgres(config.databaseUrl, path.join(from, manifest.postgres.file), opts.force === true)
      : await restorePglite(path.join(dir, 'pg'), path.join(from, manifest.postgres.file));
    const wrong = [...countDifferences('clickhouse', manifest.clickhouse.tables, clickhouse), ...countDifferences('postgres', manifest.postgres.tables, postgres)];
    if (wrong.length) throw new BackupError(`restored data does not match the backup:\n  ${wrong.join('\n  ')}`);
    return { from, dataDir: dir, manifest, clickhouse, postgres, seconds: (Date.now() - started) / 1000 };
  } finally {
    lock.release();
  }
}

async function restorePglite(dir: string, file: string): Promise<Record<string, number>> {
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([fs.readFileSync(file)]) });
  try {
    return await postgresCounts({ query: async (sql, p) => (await db.query(sql, p)).rows as never[], exec: async (sql) => void (await db.exec(sql)) });
  } finally {
    await db.close();
  }
}

async function restorePostgres(url: string, file: string, force: boolean): Promise<Record<string, number>> {
  const before = await openPg(url);
  try {
    const [r] = await before.query<{ n: number }>(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`);
    if (Number(r?.n) > 0 && !force) throw new BackupError('the Postgres database already has tables; pass --force to replace them');
  } finally {
    await before.close();
  }
  runPgTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--dbname', url, file]);
  const db = await openPg(url);
  try {
    return await postgresCounts(db);
  } finally {
    await db.close();
  }
}
