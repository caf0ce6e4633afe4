import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { serveCommand } from './serve.ts';

const usage = `usage: huaxiang <command> [options]

commands:
  serve [--data DIR] [--port N] [--host H]   run the server (ingestion API, admin API, dashboard)

options common to all commands:
  --data DIR        data directory (default ./.huaxiang, or HX_DATA_DIR)
  --log-level L     fatal|error|warn|info|debug|silent
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
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
  const known = err instanceof ConfigError || err instanceof DataDirBusyError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(`huaxiang: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
