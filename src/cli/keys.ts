import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { rewrapMasterKeyFile } from '../privacy/keyring.ts';
import { openRuntime } from '../runtime.ts';
import { DEFAULT_WORKSPACE } from '../workspaces.ts';
import { cliActor, locallyOrViaServer } from './erase.ts';
import { CliError } from './import.ts';

export const KEYS_USAGE = `usage: huaxiang keys list | rotate | rewrap [--data DIR]
  list     the PII data keys (ids, dates, which is active)
  rotate   make a new data key the active one; values sealed earlier stay readable
  rewrap   wrap the data keys with a new master key: written to DATA/master.key, or, when HX_MASTER_KEY
           is set, taken from HX_NEW_MASTER_KEY (32 bytes, base64) — then set HX_MASTER_KEY to it`;

/** `huaxiang keys …`: PII key rotation (docs/privacy.md, "Keys"). */
export async function keysCommand(config: (data?: string, logLevel?: string) => Config, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'log-level': { type: 'string' } }, allowPositionals: true, strict: true });
  const action = positionals[0];
  if (positionals.length !== 1 || !['list', 'rotate', 'rewrap'].includes(action!)) throw new CliError(KEYS_USAGE);
  const cfg = config(values.data, values['log-level'] ?? 'warn');
  if (action === 'list') {
    const r = await locallyOrViaServer(cfg, 'keys', async (rt) => ({ keys: await rt.keyring.list() }), { method: 'GET', path: '/api/v1/privacy/keys' });
    for (const k of r.keys) process.stdout.write(`${k.id}  created ${k.createdAt}  ${k.active ? 'active' : k.retiredAt ? `retired ${k.retiredAt}` : ''}\n`);
    return;
  }
  if (action === 'rotate') {
    const r = await locallyOrViaServer(cfg, 'keys', async (rt) => {
      const out = await rt.keyring.rotateDataKey();
      await rt.audit.record({ ...cliActor(), action: 'key.rotate', subjectType: 'data_key', subjectId: out.active, details: { retired: out.retired } });
      return out;
    }, { method: 'POST', path: '/api/v1/privacy/keys/rotate' });
    process.stdout.write(`active data key ${r.active}; retired ${r.retired.join(', ') || 'none'}\n`);
    return;
  }
  let newKey: Buffer | undefined;
  if (cfg.masterKey) {
    const next = env.HX_NEW_MASTER_KEY;
    newKey = next ? Buffer.from(next, 'base64') : undefined;
    if (!newKey || newKey.length !== 32) throw new CliError('HX_MASTER_KEY is set, so give the new master key in HX_NEW_MASTER_KEY (32 bytes, base64; e.g. `openssl rand -base64 32`)');
  }
  if (cfg.workspace !== DEFAULT_WORKSPACE) throw new CliError(`the master key wraps every workspace's data keys: run \`keys rewrap\` for the default workspace, not '${cfg.workspace}'`);
  const r = await locallyOrViaServer(cfg, 'keys', async (rt) => {
    // every workspace's data keys are wrapped with the one master key (docs/workspaces.md)
    for (const name of cfg.workspaces) rt.others.push(await openRuntime(cfg, { command: 'keys', workspace: name, over: rt }));
    let rewrapped = 0;
    try {
      const keyrings = [rt.keyring, ...rt.others.map((o) => o.keyring)];
      if (newKey) for (const k of keyrings) rewrapped += await k.rewrap(newKey);
      else rewrapped = await rewrapMasterKeyFile(cfg.dataDir, keyrings);
    } finally {
      for (const o of rt.others) await o.close();
    }
    await rt.audit.record({ ...cliActor(), action: 'key.rewrap', subjectType: 'master_key', subjectId: newKey ? 'HX_MASTER_KEY' : 'master.key', details: { rewrapped } });
    return { rewrapped };
  }, { method: 'POST', path: '/api/v1/privacy/keys/rewrap' });
  process.stdout.write(`re-wrapped ${r.rewrapped} data keys${newKey ? '; now set HX_MASTER_KEY to the value of HX_NEW_MASTER_KEY before the next start' : ` with a new master key in ${cfg.dataDir}/master.key`}\n`);
}
