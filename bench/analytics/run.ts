/**
 * Runs every report bench in bench/analytics/ (each <report>.ts exporting `bench`, see lib.ts) against
 * one imported world and prints one table:
 *
 *   node bin/run-ts.js bench/analytics/run.ts --data DIR [--runs 7] [--days 30] [--tz Asia/Shanghai] [--only overview,paths]
 *
 * Make a world with bench/world.ts (or `huaxiang generate` + `huaxiang import`), e.g. from /tmp/hx-world10m.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openBench, printTable, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const files = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'lib.ts' && f !== 'run.ts' && !f.endsWith('.test.ts')).sort();

const { rt, opts, only } = await openBench();
const results: BenchResult[] = [];
try {
  for (const f of files) {
    const report = f.replace(/\.ts$/, '');
    if (only && !only.includes(report)) continue;
    const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { bench?: (rt: Runtime, opts: BenchOptions) => Promise<BenchResult[]> };
    if (typeof mod.bench !== 'function') continue;
    try {
      results.push(...(await mod.bench(rt, opts)));
    } catch (err) {
      results.push({ name: `${report}: failed`, p50: NaN, p90: NaN, runs: 0, note: (err as Error).message.split('\n')[0] });
    }
  }
} finally {
  await rt.close();
}
printTable(results, opts);
