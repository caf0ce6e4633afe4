// Loaded into the server under test (`node --import bench/recommend/probe.mjs …`) by serve.ts --probe:
// records every garbage collection (kind, pause) and the event-loop delay of each second, and prints
// them as one JSON line `hx-probe {...}` on stderr when the process exits. Plain JS so no loader is needed.
import { PerformanceObserver, constants, monitorEventLoopDelay, performance } from 'node:perf_hooks';

const KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
const gcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ at: Math.round(e.startTime), ms: Math.round(e.duration * 100) / 100, kind: KINDS[e.detail?.kind ?? e.kind] ?? 'other' });
}).observe({ entryTypes: ['gc'] });

const seconds = [];
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const timer = setInterval(() => {
  seconds.push({ at: Math.round(performance.now()), p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, heapMB: Math.round(process.memoryUsage().heapUsed / 1048576) });
  h.reset();
}, 1000);
timer.unref();

process.on('exit', () => {
  process.stderr.write(`hx-probe ${JSON.stringify({ timeOrigin: performance.timeOrigin, gcs, seconds })}\n`);
});
