/**
 * Churn model training as POST /api/v1/analytics/predictions/churn/train runs it — features as of T − 30
 * days, the fit and its hold-out measures, features as of T, scoring — at T = the latest event (target:
 * ≤ 60 s on the 10M-event world). Nothing is written (`save: false`), so the world's churn_risk values and
 * saved runs are left as they are. Also the repurchase list for the week after the latest event.
 *
 *   node bin/run-ts.js bench/analytics/churn.ts --data DIR [--runs 3]
 */
import { repurchase, trainChurn } from '../../src/analytics/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const deps = { olap: rt.olap, oltp: rt.oltp, definitions: () => rt.tags.taxonomy.definitions(), timezone: rt.config.timezone };
  const rows = [
    await timeRuns('churn: train + score (no write)', Math.min(opts.runs, 3), () => trainChurn(deps, { save: false, trigger: 'bench' }),
      (r) => `${r.training.persons} trained, ${r.scored.persons} scored; AUC ${r.auc} vs recency ${r.baselineAuc}; steps ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}; target ≤ 60000 ms`),
  ];
  const week = opts.range.to; // the day after the latest event
  rows.push(await timeRuns(`repurchase: due in the week from ${week}`, opts.runs, () => repurchase(rt.olap, { from: week, tz: opts.range.tz }),
    (r) => `${r.withCycle} with a cycle, ${r.due} due, ${r.overdue} overdue`));
  return rows;
}

if (isMain(import.meta.url)) await runAlone(bench);
