import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { OltpStore, SqlExecutor } from './port.ts';

/** Embedded Postgres (WASM) under the data dir; `:memory:` for throwaway stores. */
export async function openPglite(dir: string): Promise<OltpStore> {
  if (dir !== ':memory:') fs.mkdirSync(dir, { recursive: true });
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
