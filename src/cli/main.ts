import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { buildCommand } from './build.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { exportCommand } from '../dataout/cli.ts';
import { loyaltyCommand } from './loyalty.ts';
import { campaignsCommand } from './campaigns.ts';
import { eraseCommand } from './erase.ts';
import { exportUserCommand } from './exportUser.ts';
import { keysCommand } from './keys.ts';
import { CliError, importCommand } from './import.ts';
import { demoCommand, generateCommand } from './demo.ts';
import { serveCommand } from './serve.ts';
import { recommendCommand } from './recommend.ts';
import { sandboxCommand } from './sandbox.ts';
import { SENTIMENT_USAGE, sentimentCommand } from './sentiment.ts';
import { ImportInputError, importers } from '../world/importers/index.ts';

const usage = () => `usage: huaxiang <command> [options]

commands:
  serve [--data DIR] [--port N] [--host H] [--role api|worker|all]
                                             run the server (ingestion API, admin API, dashboard); --role
                                             splits it across machines (docs/deploy.md), default all
  demo [--users N] [--days D] [--seed S] [--data DIR] [--port N]
                                             generate a shop, import it, build, serve the dashboard
  generate --users N --days D [--seed S] [--future D] --out DIR
                                             write a synthetic shop: DIR/events.jsonl, future/, catalog/, truth/
  import FILE --format F [--mapping M] [--timezone TZ] [--anchor YYYY-MM-DD]
                                             bulk import (see docs/import.md); exit code 3 when rows were rejected
                                             F: ${Object.keys(importers).join(', ')}
  build [--only tags|segments|models|loyalty] [--as-of ISO-TIME]
                                             recompute what is derived (tags: every built-in and defined tag)
  loyalty earn|maintain|balance USER [--data DIR]
                                             points: catch up earning after an import, expiry/tiers/influence, a balance
  campaigns list [--json] | show ID | start ID
                                             campaigns, their message counts, start a run now (docs/campaigns.md)
  sentiment train [--min-reviews N] | sentiment eval
                                             retrain review sentiment on the shop's own star ratings, or measure it

  erase USER_ID [--json]                     erase a person from every store and print the receipt (docs/privacy.md)
  export-user USER_ID [--out FILE]           everything held about a person as JSON (the right of access)
  keys list|rotate|rewrap                    PII key rotation: a new data key, or a new master key (docs/privacy.md)
  recommend eval [--k 20] [--cut ISO | --holdout-days N] [--target buy|cart|any] [--users N] [--json]
                                             offline evaluation of every recommendation model (docs/recommend.md)
  recommend train [--as-of ISO]              train the recommendation models now
  sandbox --world DIR --target URL --write-key K --token T [--port N] [--seed S] [--secret S]
                                             a generated world's simulated audience answering campaigns (docs/sandbox.md)
  backup --out DIR                           copy the data dir (ClickHouse BACKUP, PGlite dump, keys) with a manifest (docs/backup.md)
  restore --from DIR [--force]               refill an empty data dir from a backup; row counts are checked
  export profiles|tags|segment ID --format csv|jsonl|parquet --out FILE [--include-pii]
                                             profiles, tag values or segment members to a file (docs/data-out.md)

options common to all commands:
  --data DIR        data directory (default ./.huaxiang, or HX_DATA_DIR)
  --log-level L     fatal|error|warn|info|debug|silent
  --workspace NAME  the workspace the command acts on: default, or one of HX_WORKSPACES (or HX_WORKSPACE; docs/workspaces.md)
`;

const common = { data: { type: 'string' }, 'log-level': { type: 'string' } } as const;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  async demo(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { ...common, users: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
      strict: true,
    });
    const config = loadConfig({ data: values.data ?? process.env.HX_DATA_DIR ?? '.huaxiang-demo', port: values.port, host: values.host, logLevel: values['log-level'] ?? 'warn' });
    await demoCommand(config, { users: positiveInt(values.users ?? '5000', '--users'), days: positiveInt(values.days ?? '90', '--days'), seed: values.seed ?? '1' });
  },
  async generate(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { users: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, future: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    if (!values.users || !values.days || !values.out) throw new CliError('usage: huaxiang generate --users N --days D [--seed S] [--future D] --out DIR');
    await generateCommand({
      users: positiveInt(values.users, '--users'),
      days: positiveInt(values.days, '--days'),
      seed: values.seed ?? '1',
      future: values.future === undefined ? undefined : positiveInt(values.future, '--future'),
      out: values.out,
    });
  },
  async import(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...common,
        format: { type: 'string' },
        mapping: { type: 'string' },
        timezone: { type: 'string' },
        anchor: { type: 'string' },
        'chunk-rows': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    const formats = Object.keys(importers).join(', ');
    if (positionals.length !== 1) throw new CliError(`import takes one FILE; usage: huaxiang import FILE --format F (F: ${formats})`);
    if (!values.format) throw new CliError(`--format is required: one of ${formats}`);
    const report = await importCommand(loadConfig({ data: values.data, logLevel: values['log-level'] ?? 'warn' }), {
      file: positionals[0]!,
      format: values.format,
      options: { mapping: values.mapping, timezone: values.timezone, anchor: values.anchor, 'chunk-rows': values['chunk-rows'] },
    });
    if (report.rejected > 0) process.exitCode = 3;
  },
  async build(argv) {
    const { values } = parseArgs({ args: argv, options: { ...common, only: { type: 'string' }, 'as-of': { type: 'string' } }, strict: true });
    const asOf = values['as-of'] === undefined ? undefined : new Date(values['as-of']);
    if (asOf && Number.isNaN(asOf.getTime())) throw new CliError(`--as-of must be a date/time like 2026-11-19T16:00:00Z, got '${values['as-of']}'`);
    await buildCommand(loadConfig({ data: values.data, logLevel: values['log-level'] ?? 'warn' }), { only: values.only, asOf });
  },
  async sentiment(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { ...common, 'min-reviews': { type: 'string' } }, allowPositionals: true, strict: true });
    const action = positionals[0];
    if (positionals.length !== 1 || (action !== 'train' && action !== 'eval')) throw new CliError(SENTIMENT_USAGE);
    const minReviews = values['min-reviews'] === undefined ? undefined : positiveInt(values['min-reviews'], '--min-reviews');
    await sentimentCommand(loadConfig({ data: values.data, logLevel: values['log-level'] ?? 'warn' }), { action, minReviews });
  },
  async erase(argv) {
    await eraseCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async keys(argv) {
    await keysCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async 'export-user'(argv) {
    await exportUserCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async loyalty(argv) {
    await loyaltyCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async campaigns(argv) {
    await campaignsCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async recommend(argv) {
    await recommendCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async sandbox(argv) {
    await sandboxCommand(argv);
  },
  async backup(argv) {
    await backupCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async restore(argv) {
    await restoreCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async export(argv) {
    await exportCommand((data, logLevel) => loadConfig({ data, logLevel }), argv);
  },
  async serve(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'log-level': { type: 'string' }, role: { type: 'string' } },
      strict: true,
    });
    await serveCommand(loadConfig({ data: values.data, port: values.port, host: values.host, logLevel: values['log-level'], role: values.role }));
  },
};

function positiveInt(v: string, flag: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`${flag} must be a whole number ≥ 1, got '${v}'`);
  return Number(v);
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  // --workspace belongs to every command: it is read here and reaches the config as HX_WORKSPACE
  const at = rest.findIndex((a) => a === '--workspace' || a.startsWith('--workspace='));
  if (at >= 0) {
    const value = rest[at]!.includes('=') ? rest[at]!.slice('--workspace='.length) : rest[at + 1];
    if (!value || value.startsWith('--')) throw new CliError('--workspace needs a name: default, or one of HX_WORKSPACES');
    process.env.HX_WORKSPACE = value;
    rest.splice(at, rest[at]!.includes('=') ? 1 : 2);
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`huaxiang: unknown command '${name}'\n\n${usage()}`);
    process.exit(2);
  }
  await command(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof CliError || err instanceof ImportInputError || (err as Error).name === 'UnknownFormatError' || err instanceof DataDirBusyError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(`huaxiang: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
