import path from 'node:path';
import { migrateOltp } from './migrate.ts';
import { openPg } from './pg.ts';
import { openPglite } from './pglite.ts';
import type { OltpStore } from './port.ts';

export type { OltpStore, SqlExecutor } from './port.ts';

/**
 * Postgres server when a URL is given, else embedded PGlite under `dataDir/pg`; migrated. On a server,
 * `schema` (a workspace's, created when missing) must be the URL's search_path (src/workspaces.ts).
 */
export async function openOltp(opts: { url?: string; dataDir?: string; schema?: string }): Promise<OltpStore> {
  const db = opts.url
    ? await openPg(opts.url)
    : await openPglite(opts.dataDir === ':memory:' ? ':memory:' : path.join(opts.dataDir ?? '.huaxiang', 'pg'));
  if (opts.url && opts.schema && opts.schema !== 'public') {
    if (!/^[a-z][a-z0-9_]*$/.test(opts.schema)) throw new Error(`schema '${opts.schema}' must be a plain lower-case name`);
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
  }
  await migrateOltp(db);
  return db;
}
