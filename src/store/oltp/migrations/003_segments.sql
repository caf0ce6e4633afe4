-- Saved segments: dynamic ones keep their membership current from a rule; static ones hold a fixed
-- list (uploaded, or a frozen copy of a dynamic one). Members live in ClickHouse (segment_members).
CREATE TABLE segments (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  kind            text NOT NULL CHECK (kind IN ('dynamic', 'static')),
  rule            jsonb,
  webhook_url     text,
  webhook_secret  text,
  size            bigint NOT NULL DEFAULT 0,
  evaluated_at    timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz
);

-- Size after every evaluation: the segment's size over time.
CREATE TABLE segment_sizes (
  segment_id  text NOT NULL REFERENCES segments (id),
  at          timestamptz NOT NULL DEFAULT now(),
  size        bigint NOT NULL,
  entered     bigint NOT NULL,
  exited      bigint NOT NULL,
  source      text NOT NULL
);
CREATE INDEX segment_sizes_by_segment ON segment_sizes (segment_id, at);

-- Webhook deliveries, kept until delivered or given up (an outbox: a crash loses none).
CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  segment_id       text NOT NULL REFERENCES segments (id),
  url              text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
