/**
 * One scripted step that builds the big world later benchmarks run on: generate a shop, import it into a
 * data dir, report time and peak memory. `--data DIR` keeps the result (default: a temp dir, removed).
 *
 *   node bin/run-ts.js bench/world.ts [--users 125000] [--days 90] [--seed 1] [--data DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { testConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { writeWorld } from '../src/world/index.ts';
import { runImport } from '../src/world/importers/run.ts';

const { values } = parseArgs({
  options: { users: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' } },
});
const users = Number(values.users ?? 125_000);
const days = Number(values.days ?? 90);
const keep = Boolean(values.data);
const dataDir = path.resolve(values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-world-')));
const worldDir = path.join(dataDir, 'world');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const line = (o: object) => console.log(JSON.stringify({ bench: 'world', ...o }));

let t = Date.now();
const summary = await writeWorld({ users, days, seed: values.seed ?? '1', future: 0, out: worldDir });
const genSeconds = (Date.now() - t) / 1000;
line({ step: 'generate', users, days, events: summary.events, seconds: genSeconds, eventsPerSec: Math.round(Number(summary.lines) / genSeconds), peakRssMB: Math.round(peakRss / 2 ** 20) });

// the importers log each step at debug level; report the peak RSS inside each step, to say where memory goes
let stepPeak = 0;
const stepSampler = setInterval(() => (stepPeak = Math.max(stepPeak, process.memoryUsage().rss)), 100);
const log = pino({ level: 'debug' }, {
  write(msg: string) {
    const m = JSON.parse(msg) as { phase?: string; seconds?: number };
    if (m.phase) line({ step: 'import-phase', phase: m.phase, seconds: Math.round((m.seconds ?? 0) * 100) / 100, peakRssMB: Math.round(stepPeak / 2 ** 20) });
    stepPeak = 0;
  },
});
const rt = await openRuntime(testConfig({ dataDir, logLevel: 'debug' }), { command: 'bench', log });
try {
  await runImport(rt, path.join(worldDir, 'catalog', 'items.jsonl'), 'items-jsonl');
  t = Date.now();
  const r = await runImport(rt, path.join(worldDir, 'events.jsonl'), 'segment-jsonl');
  const seconds = (Date.now() - t) / 1000;
  line({ step: 'import', rows: r.rows, imported: r.imported, rejected: r.rejected, duplicates: r.duplicates, seconds, rowsPerSec: Math.round(r.rows / seconds), peakRssMB: Math.round(peakRss / 2 ** 20) });
} finally {
  await rt.close();
  clearInterval(sampler);
  clearInterval(stepSampler);
}
line({ step: 'total', peakRssMB: Math.round(peakRss / 2 ** 20), limitMB: 4096, pass: peakRss <= 4 * 2 ** 30, dataDir: keep ? dataDir : '(removed)' });
if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
