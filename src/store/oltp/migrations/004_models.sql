-- Runs of the model jobs (src/segments/cluster/, later churn and others): what ran, with which
-- parameters, and what it found. The per-person outputs live in ClickHouse tag_values as model tags
-- (e.g. cluster_id); these tables keep what explains them.
CREATE TABLE model_runs (
  id           text PRIMARY KEY,
  model        text NOT NULL,
  trigger      text NOT NULL,
  params       jsonb NOT NULL,
  -- the features the model read, in order
  features     jsonb NOT NULL,
  persons      integer NOT NULL,
  k            integer,
  silhouette   double precision,
  -- every candidate tried: [{k, silhouette, inertia}]
  candidates   jsonb NOT NULL DEFAULT '[]',
  seconds      double precision NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_runs_latest ON model_runs (model, finished_at DESC);

-- One row per cluster of a k-means run: size, centroid (standardised), the features that distinguish it
-- and the suggested bilingual name.
CREATE TABLE model_clusters (
  run_id          text NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  cluster         integer NOT NULL,
  size            integer NOT NULL,
  share           double precision NOT NULL,
  name_zh         text NOT NULL,
  name_en         text NOT NULL,
  centroid        jsonb NOT NULL,
  distinguishing  jsonb NOT NULL,
  PRIMARY KEY (run_id, cluster)
);
