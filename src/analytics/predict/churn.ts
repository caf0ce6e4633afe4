import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OlapStore } from '../../store/olap/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import { writeModelValues, type TagDef } from '../../tags/index.ts';
import { CHURN_FEATURES, featureRows } from './features.ts';
import { aucOf, calibration, fit, fitStandardisation, r4, score, standardiseRows, type CalibrationBin, type Standardisation } from './model.ts';
import { saveChurnRun } from './store.ts';

/**
 * Churn prediction (docs/analytics-predictions.md).
 *
 * Label: a person **churns** when they have no activity (no track, page or screen event) in the
 * `horizonDays` after a cut, among the people active in the `activeDays` before it. Activity rather than
 * orders: most shoppers go more than a month between orders without having left, while going quiet
 * altogether is what leaving looks like in the events.
 *
 * Training is time-based. With T the scoring moment and H the horizon: features as of T − H (the profile
 * tags as a build at that moment computes them, plus activity aggregates), labels from (T − H, T]. 30% of
 * those people (by a hash of their id) are held out to measure the model — AUC, the AUC of a recency-only
 * baseline (days since last active) and calibration by deciles — and the model is then refitted on all of
 * them and applies to everyone active in the `activeDays` before T, whose risk of going quiet in the next
 * H days becomes the model tag `churn_risk` (0…1). People quiet for longer than `activeDays` are not
 * scored (lifecycle already calls them churned) and lose any earlier value.
 */

export const CHURN_TAG = 'churn_risk';
export const CHURN_DEFAULTS = { horizonDays: 30, activeDays: 60, holdout: 0.3, l2: 1 } as const;
/** The fewest people, and of each class, a model is trained on. */
export const MIN_TRAINING = { persons: 50, perClass: 10 };

export class ChurnInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface ChurnDeps {
  olap: OlapStore;
  oltp: OltpStore;
  definitions(): Promise<ReadonlyMap<string, TagDef>>;
  timezone: string;
  log?: Pick<Logger, 'info'>;
}

export interface ChurnOptions {
  /** the scoring moment T (default: the latest event's time) */
  asOf?: Date;
  horizonDays?: number;
  activeDays?: number;
  trigger?: string;
  /** write churn_risk and save the run (default true) */
  save?: boolean;
}

export interface ChurnFeatureWeight { feature: string; label_zh: string; label_en: string; weight: number }

export interface ChurnReport {
  id: string;
  model: 'logistic';
  trigger: string;
  params: { horizonDays: number; activeDays: number; holdout: number; l2: number };
  /** the scoring moment T */
  asOf: string;
  /** the training cut T − H */
  trainAsOf: string;
  label: string;
  training: { persons: number; churned: number; churnRate: number; holdout: number };
  /** on the held-out people */
  auc: number;
  /** a recency-only baseline (days since last active) on the same people */
  baselineAuc: number;
  calibration: CalibrationBin[];
  /** coefficients on standardised features (refitted on everyone at the cut), strongest first */
  features: ChurnFeatureWeight[];
  scored: { persons: number; meanRisk: number; high: number; distribution: { from: number; to: number; count: number }[] };
  seconds: number;
  timings: Record<string, number>;
  startedAt: string;
  finishedAt: string;
}

/** What scoring again needs: the features in order, their standardisation and the coefficients. */
export interface SavedChurnModel extends Standardisation {
  features: string[];
  weights: number[];
  bias: number;
}

/** A stable pseudo-random unit per id (FNV-1a), so the hold-out does not change between runs. */
function unitOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return ((h ^ (h >>> 12)) >>> 0) / 4294967296;
}

async function latestEventTime(olap: OlapStore): Promise<Date | null> {
  const [r] = await olap.query<{ n: number; t: string }>(`SELECT count() AS n, toString(max(timestamp)) AS t FROM ${olap.db}.events`);
  return r && Number(r.n) > 0 ? new Date(`${r.t.replace(' ', 'T')}Z`) : null;
}

/** Trains on the cut T − H, measures on a hold-out, scores everyone active at T and writes churn_risk. */
export async function trainChurn(deps: ChurnDeps, o: ChurnOptions = {}): Promise<ChurnReport> {
  const started = new Date();
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (k: string) => ((timings[k] = (Date.now() - t) / 1000), (t = Date.now()));
  const params = { horizonDays: o.horizonDays ?? CHURN_DEFAULTS.horizonDays, activeDays: o.activeDays ?? CHURN_DEFAULTS.activeDays, holdout: CHURN_DEFAULTS.holdout, l2: CHURN_DEFAULTS.l2 };
  const asOf = o.asOf ?? (await latestEventTime(deps.olap));
  if (!asOf) throw new ChurnInputError('asOf', 'asOf: there are no events to learn from');
  const cut = new Date(asOf.getTime() - params.horizonDays * 86_400_000);
  const defs = await deps.definitions();

  const train = await featureRows(deps.olap, defs, { asOf: cut, labelTo: asOf, activeDays: params.activeDays, timezone: deps.timezone });
  lap('trainFeatures');
  const y: number[] = train.returned.map((r) => (r ? 0 : 1));
  const churned = y.reduce((a, b) => a + b, 0);
  if (train.ids.length < MIN_TRAINING.persons || churned < MIN_TRAINING.perClass || train.ids.length - churned < MIN_TRAINING.perClass) {
    throw new ChurnInputError('asOf', `asOf: ${train.ids.length} people were active in the ${params.activeDays} days before ${cut.toISOString()} (${churned} of them went quiet); training needs at least ${MIN_TRAINING.persons}, with ${MIN_TRAINING.perClass} of each kind`);
  }
  const d = train.features.length;

  // measure on a hold-out
  const isHeld = train.ids.map((id) => unitOf(id) < params.holdout);
  const fitIdx = [...train.ids.keys()].filter((i) => !isHeld[i]);
  const heldIdx = [...train.ids.keys()].filter((i) => isHeld[i]);
  const s1 = fitStandardisation(fitIdx.map((i) => train.x[i]!), d);
  const z1 = standardiseRows(train.x, s1);
  const m1 = fit(fitIdx.map((i) => z1[i]!), fitIdx.map((i) => y[i]!), params.l2);
  const heldScores = heldIdx.map((i) => score(m1, z1[i]!));
  const heldY = heldIdx.map((i) => y[i]!);
  const recency = train.features.findIndex((f) => f.name === 'days_since_active');
  const auc = aucOf(heldScores, heldY);
  const baselineAuc = recency < 0 ? NaN : aucOf(heldIdx.map((i) => (Number.isNaN(train.x[i]![recency]!) ? Infinity : train.x[i]![recency]!)), heldY);

  // the model that scores: refitted on everyone at the cut
  const s = fitStandardisation(train.x, d);
  const m = fit(standardiseRows(train.x, s), y, params.l2);
  lap('fit');

  const now = await featureRows(deps.olap, defs, { asOf, activeDays: params.activeDays, timezone: deps.timezone });
  lap('scoreFeatures');
  const zNow = standardiseRows(now.x, s); // same definitions, so the same features in the same order
  const risks = zNow.map((z) => r4(score(m, z)));
  const id = randomUUID();
  if (o.save !== false) await writeModelValues(deps.olap, CHURN_TAG, id, now.ids.map((personId, i) => ({ personId, num: risks[i]! })));
  lap('write');

  const distribution = Array.from({ length: 10 }, (_, b) => ({ from: b / 10, to: (b + 1) / 10, count: 0 }));
  for (const r of risks) distribution[Math.min(9, Math.floor(r * 10))]!.count++;
  const finished = new Date();
  const report: ChurnReport = {
    id, model: 'logistic', trigger: o.trigger ?? 'api', params,
    asOf: asOf.toISOString(), trainAsOf: cut.toISOString(),
    label: `no track, page or screen event in the ${params.horizonDays} days after the cut, among people active in the ${params.activeDays} days before it`,
    training: { persons: train.ids.length, churned, churnRate: r4(churned / train.ids.length), holdout: heldIdx.length },
    auc: r4(auc), baselineAuc: r4(baselineAuc),
    calibration: calibration(heldScores, heldY),
    features: train.features
      .map((f, j) => ({ feature: f.name, label_zh: f.zh, label_en: f.en, weight: Math.round(m.weights[j]! * 1000) / 1000 }))
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
    scored: { persons: now.ids.length, meanRisk: r4(risks.reduce((a, b) => a + b, 0) / Math.max(1, risks.length)), high: risks.filter((r) => r >= 0.5).length, distribution },
    seconds: (finished.getTime() - started.getTime()) / 1000, timings,
    startedAt: started.toISOString(), finishedAt: finished.toISOString(),
  };
  if (o.save !== false) {
    await saveChurnRun(deps.oltp, report, { features: train.features.map((f) => f.name), mean: s.mean, sd: s.sd, weights: [...m.weights], bias: m.bias });
  }
  deps.log?.info({ run: id, auc: report.auc, baselineAuc: report.baselineAuc, persons: report.scored.persons, seconds: report.seconds }, 'churn model trained');
  return report;
}

export { CHURN_FEATURES };
