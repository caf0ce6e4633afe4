-- Event-triggered journeys (src/campaigns/journeys, docs/journeys.md): definitions, one state row per
-- journey × person (where the person is, when a wait ends, what it awaits, how often they entered),
-- and per-step counters.

CREATE TABLE journeys (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused')),
  -- entry, start, steps, exitOn, reentry, holdout, description (src/campaigns/journeys/definition.ts)
  definition  jsonb NOT NULL,
  created_by  text NOT NULL,
  -- the shop-local date a daily (date-trait) entry last ran
  last_daily  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per (journey, person): the current or last pass. `entry` counts the person's entries;
-- `status` is waiting (at a wait step until wake_at, or until the awaited event), done or exited.
-- `version` guards against two writers advancing the same person at once. Times are epoch
-- milliseconds (bigint): a batch of thousands of states is written in one statement, and integers
-- cost the embedded Postgres a fraction of what parsing timestamps does; for the same reason there is no
-- foreign key to journeys (its check per row doubled a batch's write; journeys are never deleted).
CREATE TABLE journey_states (
  journey_id   text NOT NULL,
  person_id    text NOT NULL,
  user_id      text NOT NULL,
  entry        integer NOT NULL,
  -- 'journey' or 'control' (held out: walked and recorded, never sent)
  arm          text NOT NULL,
  locale       text NOT NULL DEFAULT 'zh-CN',
  step_id      text,
  status       text NOT NULL CHECK (status IN ('waiting', 'done', 'exited')),
  wake_at      bigint,
  awaiting     text,
  entered_at   bigint NOT NULL,
  step_at      bigint NOT NULL,
  finished_at  bigint,
  exit_reason  text,
  version      integer NOT NULL,
  PRIMARY KEY (journey_id, person_id)
);
CREATE INDEX journey_states_due ON journey_states (wake_at) WHERE status = 'waiting';
CREATE INDEX journey_states_person ON journey_states (person_id);

-- How many people reached, left, and (send steps) were held out at each step; added to per batch.
CREATE TABLE journey_step_counts (
  journey_id  text NOT NULL REFERENCES journeys (id) ON DELETE CASCADE,
  step_id     text NOT NULL,
  entered     bigint NOT NULL DEFAULT 0,
  completed   bigint NOT NULL DEFAULT 0,
  held_out    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (journey_id, step_id)
);
