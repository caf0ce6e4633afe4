import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { backup } from '../ops/backup.ts';
import { restore } from '../ops/restore.ts';
import { BackupError } from '../ops/stores.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError } from './import.ts';

export const BACKUP_USAGE = 'usage: huaxiang backup --out DIR [--data DIR]';
export const RESTORE_USAGE = 'usage: huaxiang restore --from DIR [--data DIR] [--force]';

/** `huaxiang backup --out DIR`: both stores and the data dir's files, with a manifest of row counts (docs/backup.md). */
export async function backupCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'log-level': { type: 'string' }, out: { type: 'string' } }, strict: true });
  if (!values.out) throw new CliError(BACKUP_USAGE);
  const r = await known(() => backup(config(values.data, values['log-level'] ?? 'warn'), values.out!));
  const m = r.manifest;
  const rows = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
  process.stdout.write(`backed up ${m.dataDir} to ${r.out} in ${r.seconds.toFixed(1)} s\n`);
  process.stdout.write(`  clickhouse  ${m.clickhouse.kind} ${m.clickhouse.database}: ${Object.keys(m.clickhouse.tables).length} tables, ${rows(m.clickhouse.tables)} rows (${m.clickhouse.location})\n`);
  process.stdout.write(`  postgres    ${m.postgres.kind}: ${Object.keys(m.postgres.tables).length} tables, ${rows(m.postgres.tables)} rows (${m.postgres.file})\n`);
  process.stdout.write(`  files       ${m.files.join(', ') || '(none)'}\n`);
}

/** `huaxiang restore --from DIR`: refills an empty data dir and checks every table's count against the manifest. */
export async function restoreCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'log-level': { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean' } }, strict: true });
  if (!values.from) throw new CliError(RESTORE_USAGE);
  const r = await known(() => restore(config(values.data, values['log-level'] ?? 'warn'), values.from!, { force: values.force }));
  const rows = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
  process.stdout.write(`restored ${r.dataDir} from ${r.from} (backup of ${r.manifest.createdAt}) in ${r.seconds.toFixed(1)} s\n`);
  process.stdout.write(`  clickhouse  ${Object.keys(r.clickhouse).length} tables, ${rows(r.clickhouse)} rows: counts match the manifest\n`);
  process.stdout.write(`  postgres    ${Object.keys(r.postgres).length} tables, ${rows(r.postgres)} rows: counts match the manifest\n`);
}

/** A data dir held by `serve` cannot be copied consistently from outside: say how to proceed. */
async function known<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BackupError) throw new CliError(err.message);
    if (err instanceof DataDirBusyError) {
      throw new CliError(
        `${err.message}. Backup and restore need the embedded stores to themselves: stop the server ` +
          `(kill -TERM ${err.holder.pid}; it flushes queued events and exits), run the command, then start it again`,
      );
    }
    throw err;
  }
}
