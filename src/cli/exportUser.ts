import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { PersonExport } from '../privacy/index.ts';
import { cliActor, locallyOrViaServer } from './erase.ts';
import { CliError } from './import.ts';

export const EXPORT_USER_USAGE = 'usage: huaxiang export-user USER_ID [--out FILE] [--data DIR]';

/**
 * `huaxiang export-user USER_ID`: everything held about the person as one JSON document (the right of
 * access), on stdout or into `--out FILE` (written mode 0600: it holds personal data in the clear).
 */
export async function exportUserCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'log-level': { type: 'string' }, out: { type: 'string' } }, allowPositionals: true, strict: true });
  const userId = positionals[0];
  if (positionals.length !== 1 || !userId) throw new CliError(EXPORT_USER_USAGE);
  const out = await locallyOrViaServer<PersonExport | null>(
    config(values.data, values['log-level'] ?? 'warn'),
    'export-user',
    (rt) => rt.privacy.export(userId, cliActor()),
    { method: 'GET', path: `/api/v1/profiles/${encodeURIComponent(userId)}/export` },
  );
  if (!out) throw new CliError(`no data held for '${userId}'`);
  const text = JSON.stringify(out, null, 2) + '\n';
  if (!values.out) {
    process.stdout.write(text);
    return;
  }
  fs.writeFileSync(values.out, text, { mode: 0o600 });
  const rows = Object.entries(out.stores).map(([k, v]) => `${k} ${v.length}`).join(', ');
  process.stderr.write(`wrote ${values.out}: ${out.ids.length} ids; ${rows}\n`);
}
