import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError, importCommand } from './import.ts';
import { serveCommand } from './serve.ts';
import { importers } from '../world/importers/index.ts';

const usage = `usage: huaxiang <command> [options]

commands:
  serve [--data DIR] [--port N] [--host H]   run the server (ingestion API, admin API, dashboard)
  import FILE --format F [--mapping M]       bulk import; exit code 3 when rows were rejected

options common to all commands:
  --data DIR        data directory (default ./.huaxiang, or HX_DATA_DIR)
  --log-level L     fatal|error|warn|info|debug|silent
`;

const common = { data: { type: 'string' }, 'log-level': { type: 'string' } } as const;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  async import(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...common, format: { type: 'string' }, mapping: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const formats = Object.keys(importers).join(', ');
    if (positionals.length !== 1) throw new CliError(`import takes one FILE; usage: huaxiang import FILE --format F (F: ${formats})`);
    if (!values.format) throw new CliError(`--format is required: one of ${formats}`);
    const report = await importCommand(loadConfig({ data: values.data, logLevel: values['log-level'] ?? 'warn' }), {
      file: positionals[0]!,
      format: values.format,
      options: { mapping: values.mapping },
    });
    if (report.rejected > 0) process.exitCode = 3;
  },
  async serve(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'log-level': { type: 'string' } },
      strict: true,
    });
    await serveCommand(loadConfig({ data: values.data, port: values.port, host: values.host, logLevel: values['log-level'] }));
  },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`huaxiang: unknown command '${name}'\n\n${usage}`);
    process.exit(2);
  }
  await command(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof CliError || (err as Error).name === 'UnknownFormatError' || err instanceof DataDirBusyError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(`huaxiang: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
