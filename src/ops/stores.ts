import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'chdb';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config.ts';
import type { SqlExecutor } from '../store/oltp/index.ts';

/**
 * What backup and restore share: the manifest, row counts of both stores, and the data dir's own files.
 * Both commands work on the stores directly (not through the runtime): they copy data, and must not start
 * engines, schedules or migrations on a dir that is being saved or filled.
 */

export const MANIFEST = 'manifest.json';

export interface BackupManifest {
  format: 1;
  createdAt: string;
  dataDir: string;
  clickhouse: {
    kind: 'chdb' | 'server';
    database: string;
    /** embedded: a directory in the backup written by `BACKUP … TO File`; server: a name on the server's `backups` disk */
    location: string;
    /** logical rows per table (`FINAL` for the collapsing engines), checked after a restore */
    tables: Record<string, number>;
  };
  postgres: {
    kind: 'pglite' | 'pg';
    /** pglite: a `dumpDataDir()` tarball; pg: a `pg_dump --format=custom` file */
    file: string;
    tables: Record<string, number>;
  };
  /** the data dir's own files copied as they are (the master key, credentials, trained text models) */
  files: string[];
}

/** Entries of a data dir that are not copied: the stores (saved by their engines), the lock, demo input. */
const NOT_COPIED = new Set(['clickhouse', 'pg', 'LOCK', 'world']);

export class BackupError extends Error {}

/** A value pasted into BACKUP/RESTORE (which take no query parameters) must be a plain path. */
export function plainPath(p: string): string {
  if (/['\\\n\r]/.test(p)) throw new BackupError(`${p}: backup paths may not contain quotes, backslashes or newlines`);
  return p;
}

/** The ClickHouse side of a backup: embedded chdb session on the dir, or the configured server. */
export interface ClickHouseSide {
  kind: 'chdb' | 'server';
  run(sql: string): Promise<void>;
  rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Embedded: a chdb session with `backups.allowed_path` set to `allowed` (BACKUP/RESTORE to File refuse
 * any path the engine was not started with); this is why backup runs in its own process, never inside `serve`.
 */
export function openClickHouse(config: Config, allowed: string): ClickHouseSide {
  if (config.clickhouse.url) {
    const client: ClickHouseClient = createClient({
      url: config.clickhouse.url,
      username: config.clickhouse.user ?? 'default',
      password: config.clickhouse.password ?? '',
      request_timeout: 3_600_000,
    });
    return {
      kind: 'server',
      run: async (sql) => void (await client.command({ query: sql })),
      rows: async <T,>(sql: string, params: Record<string, unknown> = {}) => (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>(),
      close: () => client.close(),
    };
  }
  const dir = path.join(config.dataDir, 'clickhouse');
  fs.mkdirSync(dir, { recursive: true });
  const session = new Session(dir, { connectionArgs: [`--backups.allowed_path=${allowed}`] });
  return {
    kind: 'chdb',
    run: async (sql) => void (await session.queryAsync(sql, { format: 'TSV' })),
    rows: async <T,>(sql: string, params: Record<string, unknown> = {}) => {
      const r = Object.keys(params).length ? await session.queryBindAsync(sql, params, { format: 'JSONEachRow' }) : await session.queryAsync(sql, { format: 'JSONEachRow' });
      const text = r.text().trim();
      return text ? text.split('\n').map((l) => JSON.parse(l) as T) : [];
    },
    close: async () => session.close(),
  };
}

/** Rows per table of the database; engines that collapse rows on merge are counted `FINAL`, so a merge between two counts changes nothing. */
export async function clickhouseCounts(ch: ClickHouseSide, database: string): Promise<Record<string, number>> {
  const tables = await ch.rows<{ name: string; engine: string }>(
    `SELECT name, engine FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree' AND NOT is_temporary ORDER BY name`,
    { db: database },
  );
  const out: Record<string, number> = {};
  for (const t of tables) {
    const final = /^(Replicated)?(Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing|Coalescing)MergeTree$/.test(t.engine) ? ' FINAL' : '';
    const [r] = await ch.rows<{ n: number | string }>(`SELECT count() AS n FROM ${database}.\`${t.name}\`${final}`);
    out[t.name] = Number(r!.n);
  }
  return out;
}

/** Rows per table of the transactional store's public schema. */
export async function postgresCounts(db: SqlExecutor): Promise<Record<string, number>> {
  const tables = await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const out: Record<string, number> = {};
  for (const { t } of tables) {
    const [r] = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM public.${quoteIdent(t)}`);
    out[t] = Number(r!.n);
  }
  return out;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Copies the data dir's own files (not the stores) into `to`; returns their names. */
export function copyDataFiles(from: string, to: string): string[] {
  const names = fs.existsSync(from) ? fs.readdirSync(from).filter((n) => !NOT_COPIED.has(n)).sort() : [];
  fs.mkdirSync(to, { recursive: true });
  for (const n of names) fs.cpSync(path.join(from, n), path.join(to, n), { recursive: true, preserveTimestamps: true });
  return names;
}

/** Differences between two count maps, as `table: before → after` lines. */
export function countDifferences(label: string, before: Record<string, number>, after: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => before[n] !== after[n]).map((n) => `${label}.${n}: ${before[n] ?? 'missing'} in the backup, ${after[n] ?? 'missing'} restored`);
}
