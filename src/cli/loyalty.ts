import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { CliError } from './import.ts';
import { locallyOrViaServer } from './viaServer.ts';

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
  if (sub === 'earn' && positionals.length === 0) return print(await locallyOrViaServer(cfg, 'loyalty earn', (rt) => rt.loyalty.earn(), { method: 'POST', path: '/api/v1/loyalty/earn' }, { quiet: true }));
  if (sub === 'maintain' && positionals.length === 0) return print(await locallyOrViaServer(cfg, 'loyalty maintain', (rt) => rt.loyalty.maintain(), { method: 'POST', path: '/api/v1/loyalty/maintain' }, { quiet: true }));
  if (sub === 'balance' && positionals.length === 1) {
    const user = positionals[0]!;
    return print(await locallyOrViaServer(cfg, 'loyalty balance', (rt) => rt.loyalty.ledger.balance(user), { method: 'GET', path: `/api/v1/loyalty/accounts/${encodeURIComponent(user)}` }, { quiet: true }));
  }
  throw new CliError(LOYALTY_USAGE);
}

function print(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

