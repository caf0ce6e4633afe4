-- Online experiments (src/experiments/): arms split units (people) by a stable hash of the experiment id
-- and the unit, so no assignment is stored; what an arm does (a recommendation strategy, a campaign
-- variant) is up to the module running it. Results are computed from recorded events.
CREATE TABLE experiments (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  -- who runs it: 'recommendations', 'campaigns', …
  kind         text NOT NULL,
  -- [{name, weight, strategy?}] — the first arm is the control
  arms         jsonb NOT NULL,
  window_days  integer NOT NULL DEFAULT 7,
  created_at   timestamptz NOT NULL DEFAULT now(),
  stopped_at   timestamptz
);
