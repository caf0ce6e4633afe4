import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import type { BuildResult } from '../tags/index.ts';
import { CliError, serverToken } from './import.ts';
import { loyaltyCommand } from './loyalty.ts';
import { printRun, trainRecommendations } from './recommend.ts';
import { ChurnInputError, trainChurn, type ChurnReport } from '../analytics/index.ts';

export interface BuildArgs {
  only?: string;
  asOf?: Date;
}

const PARTS = ['tags', 'segments', 'models', 'loyalty'];

/**
 * `huaxiang build`: recompute what is derived: the tags, then the recommendation models (`--only` picks
 * one). When a server holds the data dir the build runs inside it, through its API.
 */
export async function buildCommand(config: Config, args: BuildArgs): Promise<void> {
  if (args.only && !PARTS.includes(args.only)) throw new CliError(`--only must be one of ${PARTS.join(', ')}, got '${args.only}'`);
  if (args.only === 'loyalty') {
    // points are derived from events too: catch up earning (e.g. after a bulk import), then expiry, tiers, influence
    await loyaltyCommand(() => config, ['earn']);
    await loyaltyCommand(() => config, ['maintain']);
    return;
  }
  if (args.only === 'models') {
    printRun(await trainRecommendations(config, args.asOf));
    await churnModel(config, args.asOf);
    return;
  }
  if (args.only && args.only !== 'tags') {
    process.stdout.write(`nothing to build for '${args.only}' yet: only tags are derived in this version\n`);
    return;
  }
  let result: BuildResult;
  try {
    const rt = await openRuntime(config, { command: 'build' });
    try {
      result = await rt.tags.build({ asOf: args.asOf, trigger: 'cli' });
    } finally {
      await rt.close();
    }
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; building through it\n`);
    const res = await fetch(`${err.holder.url}/api/v1/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serverToken(config)}` },
      body: JSON.stringify(args.asOf ? { asOf: args.asOf.toISOString() } : {}),
    });
    const body = (await res.json()) as BuildResult & { error?: { message: string } };
    if (!res.ok) throw new CliError(`server refused the build: ${body.error?.message ?? res.status}`);
    result = body;
  }
  printBuild(result);
  if (!args.only) {
    printRun(await trainRecommendations(config, args.asOf));
    await churnModel(config, args.asOf);
  }
}

/**
 * The churn model (docs/analytics-predictions.md): trained at T = asOf (default: the latest event) and
 * written to churn_risk; through the server when it holds the data dir. Too little data is a note, not a failure.
 */
async function churnModel(config: Config, asOf?: Date): Promise<void> {
  let r: ChurnReport;
  try {
    const rt = await openRuntime(config, { command: 'build' });
    try {
      r = await trainChurn({ olap: rt.olap, oltp: rt.oltp, timezone: config.timezone, definitions: () => rt.tags.taxonomy.definitions() }, { asOf, trigger: 'cli' });
    } finally {
      await rt.close();
    }
  } catch (err) {
    if (err instanceof ChurnInputError) return void process.stdout.write(`churn model skipped: ${err.message}\n`);
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    const res = await fetch(`${err.holder.url}/api/v1/analytics/predictions/churn/train`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serverToken(config)}` },
      body: JSON.stringify(asOf ? { asOf: asOf.toISOString() } : {}),
    });
    const body = (await res.json()) as ChurnReport & { error?: { message: string } };
    if (res.status === 400) return void process.stdout.write(`churn model skipped: ${body.error?.message}\n`);
    if (!res.ok) throw new CliError(`server refused the churn training: ${body.error?.message ?? res.status}`);
    r = body;
  }
  process.stdout.write(`trained the churn model as of ${r.asOf} in ${r.seconds.toFixed(1)} s: AUC ${r.auc} (recency only ${r.baselineAuc}) on ${r.training.holdout} held-out people; churn_risk for ${r.scored.persons} people\n`);
}

export function printBuild(r: BuildResult): void {
  const steps = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ');
  process.stdout.write(`built ${r.tags} tags for ${r.persons} people as of ${r.asOf} in ${r.seconds.toFixed(1)} s (${r.rows} values; ${steps})\n`);
}
