import { DEFAULT_WORKSPACE, workspacePlaces } from '../workspaces.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import type { ImportReport } from '../world/importers/index.ts';
import { runImport } from '../world/importers/run.ts';
import { progressReporter } from './progress.ts';

export interface ImportArgs {
  file: string;
  format: string;
  options: Record<string, string | undefined>;
}

/**
 * `huaxiang import FILE --format F`. When a server holds the data dir, the work goes to that server's
 * API (it reads the same file on this machine) instead of opening the stores a second time.
 */
export async function importCommand(config: Config, args: ImportArgs): Promise<ImportReport> {
  const file = path.resolve(args.file);
  if (!fs.existsSync(file)) throw new CliError(`${args.file}: no such file or directory`);
  const bar = progressReporter(`import ${args.format}`);
  let report: ImportReport;
  try {
    const rt = await openRuntime(config, { command: 'import' });
    try {
      report = await runImport(rt, file, args.format, args.options, (d, t) => bar.update(d, t));
      // a bulk import does not pass the live listeners: earn the points its orders, reviews and shares are worth
      if (report.imported > 0) await rt.loyalty.earn();
    } finally {
      bar.stop();
      await rt.close();
    }
  } catch (err) {
    bar.stop();
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    report = await viaServer(config, err.holder.url, { ...args, file });
  }
  printReport(report);
  return report;
}

async function viaServer(config: Config, url: string, args: ImportArgs): Promise<ImportReport> {
  const token = serverToken(config);
  process.stderr.write(`data dir is held by the server at ${url}; importing through it\n`);
  const res = await fetch(`${url}/api/v1/imports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: args.file, format: args.format, options: args.options }),
  });
  const body = (await res.json()) as ImportReport & { error?: { message: string } };
  if (!res.ok) throw new CliError(`server refused the import: ${body.error?.message ?? res.status}`);
  return body;
}

/**
 * The admin key a command sends to the server holding the data dir: the workspace's own (its key's marker
 * routes the request to it, src/server/workspaces.ts). The default workspace's may come from HX_ADMIN_TOKEN.
 */
export function serverToken(config: Config): string {
  if (config.workspace === DEFAULT_WORKSPACE && config.adminToken) return config.adminToken;
  const dir = workspacePlaces(config, config.workspace).dir;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8')).adminToken;
  } catch {
    throw new CliError(`the server holds the data dir but no admin token is known: ${config.workspace === DEFAULT_WORKSPACE ? 'set HX_ADMIN_TOKEN' : `${dir}/credentials.json is missing (the server writes it when it first opens the workspace)`}`);
  }
}

function printReport(r: ImportReport): void {
  const out = process.stdout;
  out.write(`imported ${r.imported} events from ${r.rows} rows in ${r.seconds.toFixed(1)} s (${Math.round(r.rows / Math.max(r.seconds, 0.001))} rows/s)\n`);
  out.write(`  duplicates skipped  ${r.duplicates}\n  rows rejected       ${r.rejected}\n  catalog items       ${r.items}\n`);
  for (const e of r.errors.slice(0, 20)) out.write(`  row ${e.file ? `${e.file}:` : ''}${e.row}: ${e.reason}\n`);
  if (r.rejected > 20) out.write(`  … ${r.rejected - 20} more; all rejected rows are kept in the dead_letters table\n`);
}

export class CliError extends Error {}
