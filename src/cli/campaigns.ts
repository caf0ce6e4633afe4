import { parseArgs } from 'node:util';
import os from 'node:os';
import { AudienceError, CampaignNotFoundError, InvalidTransitionError } from '../campaigns/index.ts';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError, readSavedToken } from './import.ts';

export const CAMPAIGNS_USAGE = `usage: huaxiang campaigns list [--json] [--data DIR]       campaigns with their status and message counts
       huaxiang campaigns show ID [--data DIR]            one campaign, its counts and its latest changes (JSON)
       huaxiang campaigns start ID [--data DIR]           start a run now: audience, holdout, queue (docs/campaigns.md)`;

/**
 * `huaxiang campaigns list|show|start` (docs/campaigns.md). When a server holds the data dir, the command
 * runs through its API; otherwise it opens the data dir itself (a `start` then only queues: the server's
 * delivery workers send when it runs).
 */
export async function campaignsCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, options: { data: { type: 'string' }, 'log-level': { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const cfg = config(values.data, values['log-level'] ?? 'warn');
  if (sub === 'list' && positionals.length === 0) {
    const out = await run(cfg, 'campaigns list', async (rt) => {
      const campaigns = await rt.campaigns.store.list();
      const counts = await rt.campaigns.counts(campaigns.map((c) => c.id));
      return { campaigns: campaigns.map((c) => ({ ...c, counts: counts.get(c.id)! })) };
    }, { method: 'GET', path: '/api/v1/campaigns' });
    if (values.json) return print(out);
    return table(out.campaigns);
  }
  if (sub === 'show' && positionals.length === 1) {
    const id = positionals[0]!;
    return print(await run(cfg, 'campaigns show', async (rt) => {
      const c = await rt.campaigns.store.get(id);
      return { ...c, counts: (await rt.campaigns.counts([id])).get(id)! };
    }, { method: 'GET', path: `/api/v1/campaigns/${encodeURIComponent(id)}` }));
  }
  if (sub === 'start' && positionals.length === 1) {
    const id = positionals[0]!;
    const actor = `cli:${os.userInfo().username}`;
    return print(await run(cfg, 'campaigns start', async (rt) => {
      const r = await rt.campaigns.startRun(id, { actor, role: 'admin' });
      return { ...(await rt.campaigns.store.get(id)), run: r };
    }, { method: 'POST', path: `/api/v1/campaigns/${encodeURIComponent(id)}/start` }));
  }
  throw new CliError(CAMPAIGNS_USAGE);
}

function print(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

interface Listed {
  id: string; name: string; status: string; channel: string;
  counts: { audience: number; queued: number; sent: number; suppressed: number; failed: number };
}

function table(rows: Listed[]): void {
  const head = ['id', 'status', 'channel', 'audience', 'queued', 'sent', 'suppressed', 'failed', 'name'];
  const lines = rows.map((c) => [c.id, c.status, c.channel, c.counts.audience, c.counts.queued, c.counts.sent, c.counts.suppressed, c.counts.failed, c.name].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((v, i) => (i === l.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${[fmt(head), ...lines.map(fmt)].join('\n')}\n`);
  if (rows.length === 0) process.stdout.write('(no campaigns)\n');
}

async function run<T>(config: Config, command: string, local: (rt: Runtime) => Promise<T>, remote: { method: 'GET' | 'POST'; path: string }): Promise<T> {
  try {
    const rt = await openRuntime(config, { command });
    try {
      await rt.tags.live.stop();
      return await local(rt);
    } catch (err) {
      if (err instanceof CampaignNotFoundError || err instanceof InvalidTransitionError || err instanceof AudienceError) throw new CliError(err.message);
      throw err;
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
