import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { createDatabaseStatement, renderMigration, type DdlTarget } from './ddl.ts';

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered `NNN_name.sql` files in order. Shared by both stores' runners. */
export function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

const ledger = `-- shard: version
CREATE TABLE IF NOT EXISTS \${db}.schema_migrations
(
    version     UInt32,
    name        String,
    applied_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY version`;

/** Every statement the migrations produce for a target, in order (used by the parser test too). */
export function plannedStatements(target: DdlTarget, migrations = readMigrations(migrationsDir)): string[] {
  return [
    createDatabaseStatement(target),
    ...renderMigration(ledger, target),
    ...migrations.flatMap((m) => renderMigration(m.sql, target)),
  ];
}

/** Applies migrations not yet recorded in `schema_migrations`; returns the versions applied. */
export async function migrateOlap(client: ClickHouseClient, target: DdlTarget): Promise<number[]> {
  await client.command({ query: createDatabaseStatement(target) });
  for (const s of renderMigration(ledger, target)) await client.command({ query: s });
  const rs = await client.query({
    query: `SELECT version FROM ${target.database}.schema_migrations`,
    format: 'JSONEachRow',
  });
  const done = new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of readMigrations(migrationsDir)) {
    if (done.has(m.version)) continue;
    for (const s of renderMigration(m.sql, target)) await client.command({ query: s });
    await client.insert({
      table: `${target.database}.schema_migrations`,
      values: [{ version: m.version, name: m.name, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(m.version);
  }
  return applied;
}
