import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { evaluate, evalTable, type TrainRun } from '../recommend/index.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError, serverToken } from './import.ts';

/**
 * `huaxiang recommend eval|train` (docs/recommend.md).
 * eval: time-split offline evaluation of every model and the blend on whatever the data dir holds.
 * train: fit the models now (through the server when it holds the data dir).
 */
export async function recommendCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const common = { data: { type: 'string' }, 'log-level': { type: 'string' } } as const;
  if (sub === 'eval') {
    const { values } = parseArgs({
      args: rest,
      options: { ...common, k: { type: 'string' }, cut: { type: 'string' }, 'holdout-days': { type: 'string' }, target: { type: 'string' }, users: { type: 'string' }, fairness: { type: 'boolean' }, json: { type: 'boolean' } },
      strict: true,
    });
    const k = values.k === undefined ? 20 : Number(values.k);
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new CliError(`--k must be a whole number 1…100, got '${values.k}'`);
    if (values.cut && values['holdout-days']) throw new CliError('give --cut or --holdout-days, not both');
    const target = values.target ?? 'buy';
    if (target !== 'buy' && target !== 'cart' && target !== 'any') throw new CliError(`--target must be buy, cart or any, got '${target}'`);
    const users = values.users === undefined ? 5000 : Number(values.users);
    if (!Number.isInteger(users) || users < 1) throw new CliError(`--users must be a whole number ≥ 1, got '${values.users}'`);
    const rt = await openRuntime(config(values.data, values['log-level'] ?? 'warn'), { command: 'recommend eval' });
    try {
      let cut: Date;
      if (values.cut) {
        cut = new Date(values.cut);
        if (Number.isNaN(cut.getTime())) throw new CliError(`--cut must be a date/time like 2026-11-01T00:00:00Z, got '${values.cut}'`);
      } else {
        const days = values['holdout-days'] === undefined ? 14 : Number(values['holdout-days']);
        if (!Number.isInteger(days) || days < 1) throw new CliError(`--holdout-days must be a whole number ≥ 1, got '${values['holdout-days']}'`);
        const [r] = await rt.olap.query<{ last: string | null }>(`SELECT toUnixTimestamp64Milli(max(timestamp)) AS last FROM ${rt.olap.db}.events WHERE event = 'Order Completed'`);
        const last = Number(r?.last ?? 0);
        if (!last) throw new CliError('the data dir holds no orders to evaluate against; import some events first');
        cut = new Date(last - days * 86_400_000);
      }
      const progress = (m: string) => process.stderr.write(`${m}\n`);
      const report = await evaluate(rt, { cut, ks: k === 10 ? [10] : [10, k].sort((a, b) => a - b), target, maxUsers: users, fairness: values.fairness, log: progress });
      if (report.users === 0) throw new CliError(`nobody did '${target}' after ${cut.toISOString()}: choose an earlier --cut or more --holdout-days`);
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${evalTable(report)}\n`);
    } finally {
      await rt.close();
    }
    return;
  }
  if (sub === 'train') {
    const { values } = parseArgs({ args: rest, options: { ...common, 'as-of': { type: 'string' } }, strict: true });
    const asOf = values['as-of'] === undefined ? undefined : new Date(values['as-of']);
    if (asOf && Number.isNaN(asOf.getTime())) throw new CliError(`--as-of must be a date/time like 2026-11-19T16:00:00Z, got '${values['as-of']}'`);
    printRun(await trainRecommendations(config(values.data, values['log-level'] ?? 'warn'), asOf));
    return;
  }
  throw new CliError('usage: huaxiang recommend eval [--data DIR] [--k 20] [--cut ISO | --holdout-days N] [--target buy|cart|any] [--users N] [--fairness] [--json]\n       huaxiang recommend train [--data DIR] [--as-of ISO]');
}

/** trains in this process, or through the server that holds the data dir */
export async function trainRecommendations(config: Config, asOf?: Date): Promise<TrainRun> {
  try {
    const rt = await openRuntime(config, { command: 'build' });
    try {
      return await rt.recommend.train({ asOf, trigger: 'cli' });
    } finally {
      await rt.close();
    }
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; training through it\n`);
    const res = await fetch(`${err.holder.url}/api/v1/recommendations/train`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serverToken(config)}` },
      body: JSON.stringify(asOf ? { asOf: asOf.toISOString() } : {}),
    });
    const body = (await res.json()) as TrainRun & { error?: { message: string } };
    if (!res.ok) throw new CliError(`server refused the training: ${body.error?.message ?? res.status}`);
    return body;
  }
}

export function printRun(r: TrainRun): void {
  const steps = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ');
  process.stdout.write(`trained recommendation models as of ${r.asOf} in ${r.seconds.toFixed(1)} s: ${r.persons} people, ${r.items} items, ${r.interactions} interactions (${steps})\n`);
}
