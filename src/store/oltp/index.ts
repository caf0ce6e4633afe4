import path from 'node:path';
import { migrateOltp } from './migrate.ts';
import { openPg } from './pg.ts';
import { openPglite } from './pglite.ts';
import type { OltpStore } from './port.ts';

export type { OltpStore, SqlExecutor } from './port.ts';

/** Postgres server when a URL is given, else embedded PGlite under `dataDir/pg`; migrated. */
export async function openOltp(opts: { url?: string; dataDir?: string }): Promise<OltpStore> {
  const db = opts.url
    ? await openPg(opts.url)
    : await openPglite(opts.dataDir === ':memory:' ? ':memory:' : path.join(opts.dataDir ?? '.huaxiang', 'pg'));
  await migrateOltp(db);
  return db;
}
