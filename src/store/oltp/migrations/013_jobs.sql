-- Scheduled jobs: one row per run of a job for its time slot (slot = floor(epoch ms / the job's period)).
-- The primary key is the claim: the leader inserts the row, on the session that holds the leader lock,
-- before the run starts, so no (job, slot) runs twice — not even across a fail-over (src/jobs/runner.ts).
CREATE TABLE job_runs (
  job          text NOT NULL,
  slot         bigint NOT NULL,
  trigger      text NOT NULL CHECK (trigger IN ('startup', 'schedule')),
  node         text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  error        text,
  PRIMARY KEY (job, slot)
);
CREATE INDEX job_runs_started ON job_runs (started_at);
