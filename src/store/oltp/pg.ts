import pg from 'pg';
import type { OltpStore, SqlExecutor } from './port.ts';

// int8 (counts, sums) as numbers: the values this program keeps there are far below 2^53
pg.types.setTypeParser(20, (v) => Number(v));

/** A Postgres server through a connection pool. */
export async function openPg(url: string): Promise<OltpStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('SELECT 1');
  const wrap = (x: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await x.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await x.query(sql);
    },
  });
  return {
    kind: 'pg',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
