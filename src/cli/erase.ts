import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { Actor, ErasureReceipt } from '../privacy/index.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError } from './import.ts';
import { locallyOrViaServer } from './viaServer.ts';

export { locallyOrViaServer };

/** The shell user who ran a privacy command: what the audit log records as the actor. */
export function cliActor(): Actor {
  return { actor: `cli:${os.userInfo().username}`, role: 'admin' };
}


export const ERASE_USAGE = 'usage: huaxiang erase USER_ID [--json] [--data DIR]';

/**
 * `huaxiang erase USER_ID`: erases the person the id belongs to from every store (docs/privacy.md) and
 * prints the receipt.
 */
export async function eraseCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'log-level': { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const userId = positionals[0];
  if (positionals.length !== 1 || !userId) throw new CliError(ERASE_USAGE);
  const receipt = await locallyOrViaServer<ErasureReceipt>(
    config(values.data, values['log-level'] ?? 'warn'),
    'erase',
    (rt) => rt.privacy.erase(userId, cliActor()),
    { method: 'DELETE', path: `/api/v1/profiles/${encodeURIComponent(userId)}` },
  );
  if (values.json) {
    process.stdout.write(JSON.stringify(receipt, null, 2) + '\n');
    return;
  }
  const total = Object.values(receipt.stores).reduce((a, b) => a + b, 0);
  process.stdout.write(`erased ${userId} (${receipt.ids} ids) at ${receipt.erasedAt} in ${receipt.seconds.toFixed(2)} s; receipt ${receipt.id}\n`);
  const width = Math.max(...Object.keys(receipt.stores).map((k) => k.length));
  for (const [store, n] of Object.entries(receipt.stores)) process.stdout.write(`  ${store.padEnd(width)}  ${n}\n`);
  if (total === 0) process.stdout.write('nothing was held about this id (unknown, or erased before)\n');
}
