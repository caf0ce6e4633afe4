import type { OltpStore } from '../../store/oltp/index.ts';
import type { ChurnReport, SavedChurnModel } from './churn.ts';

/** Saves a churn run: its model_runs row and its report and coefficients, in one transaction. */
export async function saveChurnRun(oltp: OltpStore, r: ChurnReport, model: SavedChurnModel): Promise<void> {
  await oltp.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO model_runs (id, model, trigger, params, features, persons, seconds, started_at, finished_at)
       VALUES ($1, 'churn', $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.trigger, JSON.stringify(r.params), JSON.stringify(model.features), r.scored.persons, r.seconds, r.startedAt, r.finishedAt],
    );
    await tx.query(
      `INSERT INTO churn_models (run_id, as_of, train_as_of, horizon_days, auc, baseline_auc, report, model) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.asOf, r.trainAsOf, r.params.horizonDays, finite(r.auc), finite(r.baselineAuc), JSON.stringify(r), JSON.stringify(model)],
    );
  });
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** The latest churn run's report and model, or null when none has run. */
export async function latestChurnRun(oltp: OltpStore): Promise<{ report: ChurnReport; model: SavedChurnModel } | null> {
  const [r] = await oltp.query<{ report: ChurnReport | string; model: SavedChurnModel | string }>(
    `SELECT c.report, c.model FROM churn_models c JOIN model_runs m ON m.id = c.run_id
     ORDER BY m.finished_at DESC, m.id DESC LIMIT 1`,
  );
  return r ? { report: json(r.report), model: json(r.model) } : null;
}
