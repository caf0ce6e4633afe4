import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import type { BuildResult } from '../tags/index.ts';
import { CliError, readSavedToken } from './import.ts';
import { printRun, trainRecommendations } from './recommend.ts';

export interface BuildArgs {
  only?: string;
  asOf?: Date;
}

const PARTS = ['tags', 'segments', 'models'];

/**
 * `huaxiang build`: recompute what is derived. Tags are built here; segments and models join as their
 * modules land. When a server holds the data dir the build runs inside it, through its API.
 */
export async function buildCommand(config: Config, args: BuildArgs): Promise<void> {
  if (args.only && !PARTS.includes(args.only)) throw new CliError(`--only must be one of ${PARTS.join(', ')}, got '${args.only}'`);
  if (args.only === 'models') {
    printRun(await trainRecommendations(config, args.asOf));
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
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.adminToken ?? readSavedToken(config.dataDir)}` },
      body: JSON.stringify(args.asOf ? { asOf: args.asOf.toISOString() } : {}),
    });
    const body = (await res.json()) as BuildResult & { error?: { message: string } };
    if (!res.ok) throw new CliError(`server refused the build: ${body.error?.message ?? res.status}`);
    result = body;
  }
  printBuild(result);
  if (!args.only) printRun(await trainRecommendations(config, args.asOf));
}

export function printBuild(r: BuildResult): void {
  const steps = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ');
  process.stdout.write(`built ${r.tags} tags for ${r.persons} people as of ${r.asOf} in ${r.seconds.toFixed(1)} s (${r.rows} values; ${steps})\n`);
}
