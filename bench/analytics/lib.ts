/**
 * The shared shape of the analytics report benches (bench/analytics/<report>.ts), run together by
 * bench/analytics/run.ts against one imported world:
 *
 *   node bin/run-ts.js bench/analytics/run.ts --data DIR [--runs 7] [--only overview,paths]
 *
 * A report bench exports one function:
 *
 *   export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]>
 *
 * which calls its report's query function(s) directly (no HTTP) `opts.runs` times after one untimed
 * warm-up each, and returns one row per case, usually via `timeRuns`. It may be run alone too:
 *
 *   if (isMain(import.meta.url)) await runAlone(bench);
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { testConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { resolveRange, defaultTimezone, isTimezone, type Timezone } from '../../src/analytics/index.ts';

export type { Runtime };

export interface BenchOptions {
  /** timed runs per case (after one untimed warm-up) */
  runs: number;
  /** the reporting range every case uses unless it says otherwise: the world's last 30 days */
  range: { from: string; to: string; tz: Timezone };
  /** events in the world (for the printed table) */
  events: number;
}

export interface BenchResult {
  /** '<report>: <case>', e.g. 'paths: after Product Viewed, depth 6' */
  name: string;
  /** milliseconds */
  p50: number;
  p90: number;
  /**
   * median CPU time of the process per run (ms): the embedded engine runs in-process, so this is the
   * engine's work, which other jobs on the machine disturb far less than wall time
   */
  cpu?: number;
  runs: number;
  /** a short note shown next to the figures (rows returned, target …) */
  note?: string;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : NaN;
};

/** One warm-up call, then `runs` timed calls of `fn`; `note` may describe the last answer. */
export async function timeRuns<T>(name: string, runs: number, fn: () => Promise<T>, note?: (last: T) => string): Promise<BenchResult> {
  let last = await fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    last = await fn();
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { name, p50: pct(ms, 50), p90: pct(ms, 90), cpu: pct(cpu, 50), runs, note: note?.(last) };
}

/** Parses --data/--runs/--days/--tz, opens the runtime on the world and works out the default range. */
export async function openBench(argv = process.argv.slice(2)): Promise<{ rt: Runtime; opts: BenchOptions; only?: string[] }> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, runs: { type: 'string' }, days: { type: 'string' }, tz: { type: 'string' }, only: { type: 'string' } },
  });
  if (!values.data) throw new Error('usage: --data DIR (an imported world; see bench/world.ts) [--runs 7] [--days 30] [--tz Asia/Shanghai] [--only a,b]');
  const dataDir = path.resolve(values.data);
  const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
  const tz = values.tz ?? defaultTimezone;
  if (!isTimezone(tz)) throw new Error(`--tz: not a supported timezone: ${tz}`);
  const [{ n: events, last }] = await rt.olap.query<{ n: number; last: string }>(
    `SELECT count() AS n, toString(toDate(max(timestamp), {tz:String})) AS last FROM ${rt.olap.db}.events`,
    { tz },
  );
  if (Number(events) === 0) throw new Error(`no events in ${dataDir}; import a world first (bench/world.ts)`);
  const range = resolveRange({ tz }, last, Date.now(), Number(values.days ?? 30));
  if (!range.ok) throw new Error(`${range.field}: ${range.message}`);
  return {
    rt,
    opts: { runs: Number(values.runs ?? 7), range: { from: range.from, to: range.to, tz }, events: Number(events) },
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
  };
}

/** Prints results as one aligned table. */
export function printTable(results: BenchResult[], opts: BenchOptions): void {
  console.log(`analytics benches: ${opts.events.toLocaleString('en')} events, range ${opts.range.from} .. ${opts.range.to} (${opts.range.tz}), ${opts.runs} runs each`);
  const w = Math.max(4, ...results.map((r) => r.name.length));
  console.log(`${'case'.padEnd(w)}  ${'p50 ms'.padStart(9)}  ${'p90 ms'.padStart(9)}  ${'CPU ms'.padStart(9)}  runs  note`);
  for (const r of results) {
    console.log(`${r.name.padEnd(w)}  ${String(r.p50).padStart(9)}  ${String(r.p90).padStart(9)}  ${String(r.cpu ?? '').padStart(9)}  ${String(r.runs).padStart(4)}  ${r.note ?? ''}`);
  }
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (${os.cpus().length} cores)`);
}

/** True when the module at `metaUrl` is the script node was started with. */
export const isMain = (metaUrl: string) => !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);

/** Runs one report bench on its own: `node bin/run-ts.js bench/analytics/paths.ts --data DIR`. */
export async function runAlone(bench: (rt: Runtime, opts: BenchOptions) => Promise<BenchResult[]>): Promise<void> {
  const { rt, opts } = await openBench();
  try {
    printTable(await bench(rt, opts), opts);
  } finally {
    await rt.close();
  }
}
