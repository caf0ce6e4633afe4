/**
 * Recommendation accuracy on a generated shop with its future horizon (docs/recommend.md): generate a
 * seeded world whose history ends `--future` days before today (the ingestion pipeline refuses events
 * dated more than a day ahead, so the future window must already be past), import its catalog, history
 * and future, build the tags as of the horizon (nothing after it reaches them), then train every model
 * as of the horizon and score the home-page lists against what people bought afterwards.
 *
 *   node bin/run-ts.js bench/recommend/world.ts [--users 3000] [--days 60] [--future 30] [--seed 7] [--data DIR] [--json]
 *
 * With `--data DIR` an existing data dir is reused (the world is imported only when the dir is new).
 * The functions are exported for test/recommend/world.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { testConfig } from '../../src/config.ts';
import { evaluate, table, type EvalReport } from '../../src/recommend/eval/run.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { writeWorld } from '../../src/world/index.ts';
import { runImport } from '../../src/world/importers/run.ts';

export interface RecWorld {
  dir: string;
  horizon: Date;
  summary: Record<string, unknown>;
}

const DAY = 86_400_000;

/** a world whose future window ended at least two days ago */
export async function makeWorld(o: { users: number; days: number; future: number; seed: number; out: string }): Promise<RecWorld> {
  const start = new Date(Date.now() - (o.days + o.future + 2) * DAY).toISOString().slice(0, 10);
  await writeWorld({ users: o.users, days: o.days, future: o.future, seed: o.seed, startDate: start, out: o.out });
  const summary = JSON.parse(fs.readFileSync(path.join(o.out, 'truth', 'summary.json'), 'utf8')) as Record<string, unknown>;
  return { dir: o.out, horizon: new Date(String(summary.horizon)), summary };
}

/** imports catalog, history and future into a fresh runtime and builds the tags as of the horizon */
export async function importWorld(rt: Runtime, world: RecWorld, log: (m: string) => void = () => {}): Promise<void> {
  await rt.tags.live.stop();
  await runImport(rt, path.join(world.dir, 'catalog', 'items.jsonl'), 'items-jsonl', {});
  const a = await runImport(rt, path.join(world.dir, 'events.jsonl'), 'segment-jsonl', {});
  const b = await runImport(rt, path.join(world.dir, 'future', 'events.jsonl'), 'segment-jsonl', {});
  log(`imported ${a.imported} history and ${b.imported} future events (${b.rejected} future rows rejected)`);
  const t = await rt.tags.build({ asOf: world.horizon, trigger: 'bench' });
  log(`built ${t.tags} tags as of the horizon in ${t.seconds.toFixed(1)} s`);
}

export async function evalWorld(rt: Runtime, world: RecWorld, log: (m: string) => void = () => {}): Promise<EvalReport> {
  return evaluate(rt, { cut: world.horizon, ks: [10, 20], target: 'buy', log });
}

async function main() {
  const { values } = parseArgs({
    options: { users: { type: 'string' }, days: { type: 'string' }, future: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
  });
  const tmp = values.data ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'hx-rec-bench-'));
  const dataDir = values.data ?? path.join(tmp!, 'db');
  const worldDir = values.data ? path.join(values.data, 'world') : path.join(tmp!, 'world');
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const fresh = !fs.existsSync(path.join(dataDir, 'clickhouse'));
    const world = fresh || !fs.existsSync(path.join(worldDir, 'truth', 'summary.json'))
      ? await makeWorld({ users: Number(values.users ?? 3000), days: Number(values.days ?? 60), future: Number(values.future ?? 30), seed: Number(values.seed ?? 7), out: worldDir })
      : (() => {
          const summary = JSON.parse(fs.readFileSync(path.join(worldDir, 'truth', 'summary.json'), 'utf8')) as Record<string, unknown>;
          return { dir: worldDir, horizon: new Date(String(summary.horizon)), summary };
        })();
    const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
    try {
      if (fresh) await importWorld(rt, world, log);
      const report = await evalWorld(rt, world, log);
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${table(report)}\ntraining: ${report.training.seconds.toFixed(1)} s ${JSON.stringify(report.training.timings)}\n`);
    } finally {
      await rt.close();
    }
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
