/** Predictions: purchase-cycle repurchase and the churn model (docs/analytics-predictions.md). */
export { repurchase, CONFIDENCES, REPURCHASE_RULES, type Repurchase, type RepurchaseParams, type DuePerson, type DueCategory, type Confidence } from './repurchase.ts';
export {
  trainChurn, ChurnInputError, CHURN_TAG, CHURN_DEFAULTS, CHURN_FEATURES, MIN_TRAINING,
  type ChurnDeps, type ChurnOptions, type ChurnReport, type SavedChurnModel, type ChurnFeatureWeight,
} from './churn.ts';
export { latestChurnRun } from './store.ts';
export type { CalibrationBin } from './model.ts';
