// Benchmark: generate a synthetic world to a temporary directory and report throughput.
// Usage: npx tsx bench/generate.ts [--users N=30000] [--days D=90] [--future F=0] [--seed S] [--out DIR] [--keep]
// (30k users × 90 days ≈ 2.7M events; 200k users ≈ 18M events, ~11 GB on disk).
// Prints one JSON line: {"bench":"generate","events":N,"seconds":S,"eventsPerSec":R,"rssMB":M}.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeWorld } from '../src/world/index.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '30000' },
    days: { type: 'string', default: '90' },
    future: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const out = values.out ?? (await mkdtemp(join(tmpdir(), 'hx-world-')));
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 250);
const t0 = performance.now();
const summary = await writeWorld({
  users: Number(values.users), days: Number(values.days), future: Number(values.future), seed: Number(values.seed), out,
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
const events = Number(summary.lines) + Number(summary.futureLines);
console.log(JSON.stringify({
  bench: 'generate', users: Number(values.users), days: Number(values.days), events,
  seconds: Math.round(seconds * 100) / 100, eventsPerSec: Math.round(events / seconds), rssMB: Math.round(peakRss / 2 ** 20),
}));
if (!values.keep && !values.out) await rm(out, { recursive: true, force: true });
