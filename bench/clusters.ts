/**
 * Clustering and lookalike figures on an imported world (make one with bench/world.ts --data DIR):
 *   1. a full tag build as of the world's horizon, when the dir has none yet (or with --build);
 *   2. the clustering run as the API does it (features → k by silhouette over 3…8 → cluster_id written →
 *      run saved), --runs times, with its parts timed separately too;
 *   3. a lookalike seeded with everyone tagged price_sensitive;
 *   4. the logistic kernel: Newton (what lookalike uses) against plain gradient descent on the same rows.
 * Target: clustering 100k people ≤ 30 s on 2 cores.
 *
 *   node bin/run-ts.js bench/clusters.ts --data DIR [--as-of ISO] [--build] [--runs 2]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { CLUSTER_FEATURES, PROFILE_FEATURES, loadFeatures, sampleIndices, standardise } from '../src/segments/features.ts';
import { chooseK, runClustering } from '../src/segments/cluster/index.ts';
import { fitLogistic, lookalike } from '../src/segments/lookalike/index.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, 'as-of': { type: 'string' }, build: { type: 'boolean' }, runs: { type: 'string' } } });
if (!values.data) throw new Error('usage: bench/clusters.ts --data DIR (an imported world; see bench/world.ts)');
const dataDir = path.resolve(values.data);
const line = (o: object) => console.log(JSON.stringify({ bench: 'clusters', ...o }));
const secs = (t: number) => Math.round((performance.now() - t) / 10) / 100;

function horizon(): Date | undefined {
  if (values['as-of']) return new Date(values['as-of']);
  const summary = path.join(dataDir, 'world', 'truth', 'summary.json');
  return fs.existsSync(summary) ? new Date(JSON.parse(fs.readFileSync(summary, 'utf8')).horizon as string) : undefined;
}

const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
try {
  await rt.tags.live.stop();
  const db = rt.olap.db;
  const [{ n: built }] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${db}.tag_values WHERE tag_code = 'consent_personalization'`);
  if (values.build || Number(built) === 0) {
    const r = await rt.tags.build({ asOf: horizon(), trigger: 'bench' });
    line({ step: 'tag-build', persons: r.persons, tags: r.tags, seconds: r.seconds });
  }
  const [last] = await rt.oltp.query<{ as_of: Date; trigger: string }>(`SELECT as_of, trigger FROM tag_builds WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1`);
  line({ step: 'tags', lastBuildAsOf: last ? new Date(last.as_of).toISOString() : null, trigger: last?.trigger ?? null });

  // the parts, timed one by one
  let t = performance.now();
  const m = await loadFeatures(rt.olap, [...CLUSTER_FEATURES, ...PROFILE_FEATURES]);
  const loadSeconds = secs(t);
  t = performance.now();
  const points = standardise(m, CLUSTER_FEATURES.map((_, j) => j));
  const standardiseSeconds = secs(t);
  t = performance.now();
  const choice = chooseK(points, { kMin: 3, kMax: 8, seed: 1 });
  line({ step: 'cluster-parts', persons: m.n, features: CLUSTER_FEATURES.length, loadSeconds, standardiseSeconds, chooseAndFitSeconds: secs(t), k: choice.fit.k, silhouette: Math.round(choice.silhouette * 1e4) / 1e4, fullFitIterations: choice.fit.iterations });

  for (let i = 1; i <= Number(values.runs ?? 2); i++) {
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    t = performance.now();
    const run = await runClustering({ olap: rt.olap, oltp: rt.oltp }, { trigger: 'bench' });
    clearInterval(sampler);
    const seconds = secs(t);
    // the work is linear in people (fit sample and silhouette sample are capped), so scale to 100k
    const per100k = Math.round((seconds * 100_000) / run.persons * 10) / 10;
    line({
      step: 'cluster-run', run: i, persons: run.persons, k: run.k, silhouette: run.silhouette, seconds, per100kSeconds: per100k, peakRssMB: Math.round(peak / 2 ** 20),
      target: '100k people <= 30 s', pass: run.persons >= 50_000 ? per100k <= 30 : null,
      clusters: run.clusters.map((c) => `${c.id}:${c.size}:${c.name_en}`),
    });
  }

  t = performance.now();
  const look = await lookalike({ olap: rt.olap, definitions: () => rt.tags.taxonomy.definitions() }, { seedTag: { code: 'price_sensitive', value: 'true' }, top: 1000 });
  line({ step: 'lookalike', seeds: look.seeds, scored: look.scored, returned: look.selected.length, seconds: secs(t) });

  // logistic kernel on a lookalike-sized training set (up to 30k rows × 22 features); the label is a
  // linear rule of three features, so both methods have the same optimum to reach
  const Z = standardise(m);
  const X = sampleIndices(m.n, 30_000, 4).map((i) => Z[i]!);
  const y = X.map((x) => (x[0]! - x[4]! + 0.5 * x[6]! > 0.8 ? 1 : 0));
  t = performance.now();
  const newton = fitLogistic(X, y, { l2: 1 });
  const newtonSeconds = secs(t);
  const loss = (w: ArrayLike<number>, b: number) => {
    let s = 0;
    for (let r = 0; r < X.length; r++) {
      let z = b;
      for (let j = 0; j < w.length; j++) z += w[j]! * X[r]![j]!;
      s += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y[r]! * z;
    }
    let p = 0;
    for (let j = 0; j < w.length; j++) p += w[j]! * w[j]!;
    return s + 0.5 * p;
  };
  const target = loss(newton.weights, newton.bias);
  // plain full-batch gradient descent with a fixed step, until within 0.1% of Newton's loss (or 1,000 epochs)
  t = performance.now();
  const d = X[0]!.length;
  const w = new Float64Array(d);
  let b = 0;
  let epochs = 0;
  for (; epochs < 1_000 && loss(w, b) > target * 1.001; epochs++) {
    const g = new Float64Array(d);
    let gb = 0;
    for (let r = 0; r < X.length; r++) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j]! * X[r]![j]!;
      const e = 1 / (1 + Math.exp(-z)) - y[r]!;
      for (let j = 0; j < d; j++) g[j] += e * X[r]![j]!;
      gb += e;
    }
    for (let j = 0; j < d; j++) w[j] -= (1 / X.length) * 4 * (g[j]! + w[j]!);
    b -= (1 / X.length) * 4 * gb;
  }
  line({ step: 'logistic-kernel', rows: X.length, features: d, newton: { seconds: newtonSeconds, iterations: newton.iterations }, gradientDescent: { seconds: secs(t), epochs, lossOverNewton: Math.round((loss(w, b) / target) * 1000) / 1000 } });
} finally {
  await rt.close();
}
