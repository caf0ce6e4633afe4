import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrations } from '../olap/migrate.ts';
import type { OltpStore } from './port.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// any constant works; it only has to be the same for every node migrating one database
const MIGRATION_LOCK = 7_246_001;

/**
 * Applies pending numbered migrations, each in its own transaction with its ledger row. On a shared
 * server an advisory lock keeps two starting nodes from migrating at once.
 */
export async function migrateOltp(db: OltpStore): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    for (const m of readMigrations(dir)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
