-- Churn models (src/analytics/predict/churn.ts): each training run is a model_runs row (model 'churn');
-- this table keeps what explains and reproduces it — the report shown on the dashboard (AUC against the
-- recency-only baseline, calibration by deciles, strongest features, risk distribution) and the fitted
-- coefficients with their standardisation, enough to score again without refitting. The scores themselves
-- are the model tag churn_risk in ClickHouse tag_values.
CREATE TABLE churn_models (
  run_id        text PRIMARY KEY REFERENCES model_runs (id) ON DELETE CASCADE,
  as_of         timestamptz NOT NULL,
  train_as_of   timestamptz NOT NULL,
  horizon_days  integer NOT NULL,
  auc           double precision,
  baseline_auc  double precision,
  report        jsonb NOT NULL,
  model         jsonb NOT NULL
);
