import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { OltpStore, SqlExecutor } from './port.ts';

/** Embedded Postgres (WASM) under the data dir; `:memory:` for throwaway stores. */
export async function openPglite(dir: string): Promise<OltpStore> {
  if (dir !== ':memory:') initOnce(dir);
  const db = await PGlite.create(dir === ':memory:' ? undefined : dir);
  const wrap = (x: Pick<PGlite, 'query' | 'exec'>): SqlExecutor => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await x.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await x.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

/**
 * Creating a database runs initdb inside the WASM heap, which grows to about 800 MB and is never given
 * back; a short-lived child process does it, so the long-running server opens an existing database.
 */
function initOnce(dir: string): void {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  fs.mkdirSync(dir, { recursive: true });
  const script = `import('@electric-sql/pglite').then(async ({ PGlite }) => { const db = await PGlite.create(process.argv[1]); await db.close(); })`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'ignore', 'pipe'], cwd: import.meta.dirname });
}
