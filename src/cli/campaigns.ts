import { parseArgs } from 'node:util';
import os from 'node:os';
import { AudienceError, CampaignNotFoundError, InvalidTransitionError } from '../campaigns/index.ts';
import type { Config } from '../config.ts';
import { CliError } from './import.ts';
import { locallyOrViaServer } from './viaServer.ts';

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
    const out = await locallyOrViaServer(cfg, 'campaigns list', async (rt) => {
      const campaigns = await rt.campaigns.store.list();
      const counts = await rt.campaigns.counts(campaigns.map((c) => c.id));
      return { campaigns: campaigns.map((c) => ({ ...c, counts: counts.get(c.id)! })) };
    }, { method: 'GET', path: '/api/v1/campaigns' }, quietly);
    if (values.json) return print(out);
    return table(out.campaigns);
  }
  if (sub === 'show' && positionals.length === 1) {
    const id = positionals[0]!;
    return print(await locallyOrViaServer(cfg, 'campaigns show', async (rt) => {
      const c = await rt.campaigns.store.get(id);
      return { ...c, counts: (await rt.campaigns.counts([id])).get(id)! };
    }, { method: 'GET', path: `/api/v1/campaigns/${encodeURIComponent(id)}` }, quietly));
  }
  if (sub === 'start' && positionals.length === 1) {
    const id = positionals[0]!;
    const actor = `cli:${os.userInfo().username}`;
    return print(await locallyOrViaServer(cfg, 'campaigns start', async (rt) => {
      const r = await rt.campaigns.startRun(id, { actor, role: 'admin' });
      return { ...(await rt.campaigns.store.get(id)), run: r };
    }, { method: 'POST', path: `/api/v1/campaigns/${encodeURIComponent(id)}/start` }, quietly));
  }
  throw new CliError(CAMPAIGNS_USAGE);
}

/** the local runtime only reads or queues; the campaign module's own errors become one-line messages */
const quietly = {
  quiet: true,
  localError: (err: unknown) => (err instanceof CampaignNotFoundError || err instanceof InvalidTransitionError || err instanceof AudienceError ? new CliError(err.message) : undefined),
};

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

