-- Message channels and content (src/campaigns/channels, src/campaigns/content, docs/channels.md).

-- The in-app inbox: one row per in-app message, polled by the shop front end (GET /v1/inbox/:userId) and
-- marked read there. `id` is the campaign message id, so a retried delivery writes the row once.
CREATE TABLE inbox_messages (
  id           text PRIMARY KEY,
  person_id    text NOT NULL,
  user_id      text NOT NULL,
  campaign_id  text,
  journey_id   text,
  locale       text NOT NULL,
  title        text NOT NULL,
  body         text NOT NULL,
  -- the tracked landing link (/t/c/…)
  url          text,
  -- { code, value, category?, expiresAt } when the message carries a coupon
  coupon       jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  read_at      timestamptz
);
CREATE INDEX inbox_messages_person ON inbox_messages (person_id, created_at DESC);

-- The coupon each message carries (src/campaigns/content/coupons.ts): issued once through the loyalty
-- coupons on the message's first render, found again by message id when it is rendered or sent again.
CREATE TABLE message_coupons (
  message_id  text PRIMARY KEY,
  code        text NOT NULL,
  -- { code, value, category?, expiresAt } as the message shows it
  coupon      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
