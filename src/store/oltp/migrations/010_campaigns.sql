-- Precision marketing (src/campaigns, docs/campaigns.md): campaign definitions with their change history,
-- and the message table that is at once the delivery queue and the per-message log.

CREATE TABLE campaigns (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  owner         text NOT NULL,
  status        text NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'done', 'cancelled')),
  channel       text NOT NULL,
  -- Audience, Goal, Variant[], ExperimentSettings, Schedule, Budget (src/campaigns/types.ts)
  audience      jsonb NOT NULL,
  goal          jsonb NOT NULL,
  variants      jsonb NOT NULL,
  experiment    jsonb NOT NULL,
  schedule      jsonb NOT NULL,
  budget        jsonb NOT NULL DEFAULT '{}',
  send_time_optimisation boolean NOT NULL DEFAULT false,
  -- the next time the scheduler starts a run (scheduled and recurring campaigns)
  next_run_at   timestamptz,
  -- the variant chosen by the automatic winner rule
  winner        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_due ON campaigns (next_run_at) WHERE status = 'scheduled';

-- Every change of a campaign: who, what, before and after (append-only).
CREATE TABLE campaign_changes (
  id           bigserial PRIMARY KEY,
  campaign_id  text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  actor        text NOT NULL,
  action       text NOT NULL,
  before       jsonb,
  after        jsonb,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaign_changes_campaign ON campaign_changes (campaign_id, id);

-- One row per message to one person: queued → sending → sent/delivered/failed, or suppressed with a
-- reason; opened_at/clicked_at set by the tracking endpoints. The id (campaign run or journey step +
-- person) is the dedup key: a message is stored once, so nobody gets the same message twice.
-- `dedup_key` repeats it for readers that name it; only the primary key is indexed.
CREATE TABLE campaign_messages (
  id            text PRIMARY KEY,
  dedup_key     text NOT NULL,
  campaign_id   text,
  journey_id    text,
  step_id       text,
  person_id     text NOT NULL,
  user_id       text NOT NULL,
  channel       text NOT NULL,
  arm           text NOT NULL,
  locale        text NOT NULL DEFAULT 'zh-CN',
  content       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'suppressed', 'sending', 'sent', 'delivered', 'failed')),
  reason        text,
  attempts      integer NOT NULL DEFAULT 0,
  not_before    timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error    text,
  provider_id   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz,
  opened_at     timestamptz,
  clicked_at    timestamptz
);
CREATE INDEX campaign_messages_due ON campaign_messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX campaign_messages_campaign ON campaign_messages (campaign_id, status);
CREATE INDEX campaign_messages_person ON campaign_messages (person_id, sent_at);

-- A person's channel subscriptions: an unsubscribe (link, API or import) is a row with subscribed = false.
CREATE TABLE channel_subscriptions (
  person_id   text NOT NULL,
  channel     text NOT NULL,
  subscribed  boolean NOT NULL,
  source      text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, channel)
);
