import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError, readSavedToken } from './import.ts';

export const LOYALTY_USAGE = `usage: huaxiang loyalty earn [--data DIR]        credit what every stored event earns and is not credited yet (after a bulk import)
       huaxiang loyalty maintain [--data DIR]    expire what is due, birthday points, re-evaluate tiers, recompute influence
       huaxiang loyalty balance USER [--data DIR]`;

/**
 * `huaxiang loyalty earn|maintain|balance` (docs/loyalty.md). When a server holds the data dir, the work
 * runs inside it through its API.
 */
export async function loyaltyCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, options: { data: { type: 'string' }, 'log-level': { type: 'string' } }, allowPositionals: true, strict: true });
  const cfg = config(values.data, values['log-level'] ?? 'warn');
  if (sub === 'earn' && positionals.length === 0) return print(await run(cfg, 'loyalty earn', (rt) => rt.loyalty.earn(), { method: 'POST', path: '/api/v1/loyalty/earn' }));
  if (sub === 'maintain' && positionals.length === 0) return print(await run(cfg, 'loyalty maintain', (rt) => rt.loyalty.maintain(), { method: 'POST', path: '/api/v1/loyalty/maintain' }));
  if (sub === 'balance' && positionals.length === 1) {
    const user = positionals[0]!;
    return print(await run(cfg, 'loyalty balance', (rt) => rt.loyalty.ledger.balance(user), { method: 'GET', path: `/api/v1/loyalty/accounts/${encodeURIComponent(user)}` }));
  }
  throw new CliError(LOYALTY_USAGE);
}

function print(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

async function run<T>(config: Config, command: string, local: (rt: Runtime) => Promise<T>, remote: { method: 'GET' | 'POST'; path: string }): Promise<T> {
  try {
    const rt = await openRuntime(config, { command });
    try {
      await rt.tags.live.stop();
      return await local(rt);
    } finally {
      await rt.close();
    }
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; running through it\n`);
    const res = await fetch(`${err.holder.url}${remote.path}`, {
      method: remote.method,
      headers: { authorization: `Bearer ${config.adminToken ?? readSavedToken(config.dataDir)}`, ...(remote.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(remote.method === 'POST' ? { body: '{}' } : {}),
    });
    const body = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok) throw new CliError(`server refused: ${body.error?.message ?? res.status}`);
    return body;
  }
}
