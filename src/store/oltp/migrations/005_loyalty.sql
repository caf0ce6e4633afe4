-- Loyalty (src/loyalty, docs/loyalty.md): the points ledger, earning rules, member tiers and coupons.
--
-- The ledger is append-only: every change of a balance is one signed entry (earn, redeem, expire, adjust,
-- reverse) and the trigger below refuses UPDATE. Two tables are derived from it and kept in step inside
-- the same statement: the account (balance, lifetime points, tier) and the lots (what is left of each
-- positive entry, consumed first-expiring-first and expired when their time comes). So, at every commit,
-- balance = sum(ledger points) = sum(lot remaining) ≥ 0.
--
-- Each ledger operation is one PL/pgSQL function call (one round trip) of as few statements as it can
-- be. Anything that reads before it writes (spending, reversing, capped earning, expiry) first locks the
-- account row (SELECT … FOR UPDATE); every later statement of a VOLATILE function takes a fresh
-- snapshot, so it reads what the previous holder of the lock committed. Concurrent operations on one
-- account therefore run one after another on a Postgres server, and PGlite (one connection) runs the
-- same functions serially. An uncapped earning reads nothing: it is one statement whose unique index
-- makes it happen once and whose account upsert adds to the latest committed balance.

CREATE TABLE loyalty_accounts (
  user_id          text PRIMARY KEY,
  balance          bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  lifetime_points  bigint NOT NULL DEFAULT 0,
  tier             text,
  tier_since       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_ledger (
  id           bigserial PRIMARY KEY,
  user_id      text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust', 'reverse')),
  -- signed: positive for earn and upward adjustments, negative otherwise
  points       bigint NOT NULL,
  -- the earning rule (earn, reverse), else ''
  rule_code    text NOT NULL DEFAULT '',
  -- what caused the entry, unique per kind and rule: an order id, a review id, 'lot:<id>' for expiry …
  source_key   text,
  -- the entry this one refers to (the earning a reversal takes back, the lot an expiry closes)
  ref_id       bigint,
  -- money behind an earning (order revenue), for GMV-based tiers and stats
  amount       numeric(14, 2),
  -- when the points of a positive entry expire (NULL: never)
  expires_at   timestamptz,
  -- business time (the event's time); created_at is when the row was written
  occurred_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  operator     text,
  reason       text,
  details      jsonb NOT NULL DEFAULT '{}'
);
-- exactly once per source: an order retried five times earns once, a refund reverses once
CREATE UNIQUE INDEX loyalty_ledger_source ON loyalty_ledger (kind, rule_code, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX loyalty_ledger_user ON loyalty_ledger (user_id, id DESC);
CREATE INDEX loyalty_ledger_user_rule ON loyalty_ledger (user_id, rule_code, occurred_at) WHERE kind = 'earn';
CREATE INDEX loyalty_ledger_ref ON loyalty_ledger (ref_id) WHERE ref_id IS NOT NULL;

CREATE FUNCTION loyalty_ledger_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'loyalty_ledger is append-only (UPDATE refused)';
END
$$;
CREATE TRIGGER loyalty_ledger_append_only BEFORE UPDATE ON loyalty_ledger FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_no_update();

-- What is left of each positive entry. Spending takes from the lot that expires first (with one expiry
-- period for everything, that is first-in-first-out); expiry closes what is left at expires_at.
-- (entry_id is the ledger entry's id; no foreign key: both rows are written by one statement)
CREATE TABLE loyalty_lots (
  entry_id    bigint PRIMARY KEY,
  user_id     text NOT NULL,
  remaining   bigint NOT NULL CHECK (remaining >= 0),
  earned_at   timestamptz NOT NULL,
  expires_at  timestamptz
);
CREATE INDEX loyalty_lots_open ON loyalty_lots (user_id, expires_at, entry_id) WHERE remaining > 0;
CREATE INDEX loyalty_lots_due ON loyalty_lots (expires_at) WHERE remaining > 0;

-- Earning rules, configured through the API: kind says what earns, params how much, caps limit abuse.
CREATE TABLE loyalty_rules (
  code         text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('order_spend', 'review', 'share_visit', 'sign_in', 'birthday', 'fission')),
  name_zh      text NOT NULL,
  name_en      text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  params       jsonb NOT NULL DEFAULT '{}',
  daily_cap    bigint,
  monthly_cap  bigint,
  updated_by   text NOT NULL DEFAULT 'system',
  updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO loyalty_rules (code, kind, name_zh, name_en, params, daily_cap, monthly_cap) VALUES
  ('order_spend', 'order_spend', '消费积分', 'Points per yuan spent', '{"pointsPerUnit": 1, "categoryMultipliers": {}}', NULL, NULL),
  ('review', 'review', '评价积分', 'Review written', '{"points": 10, "minLength": 15}', 30, 200),
  ('share_visit', 'share_visit', '分享回流积分', 'Share that brought a visit', '{"points": 5}', 25, 200),
  ('sign_in', 'sign_in', '每日签到', 'Daily sign-in', '{"points": 2, "event": "Signed In"}', 2, 60),
  ('birthday', 'birthday', '生日礼', 'Birthday bonus', '{"points": 100}', NULL, 100);
-- a fission (裂变) campaign: every `invites` different people brought in through one's shares earn a reward
INSERT INTO loyalty_rules (code, kind, name_zh, name_en, active, params, daily_cap, monthly_cap) VALUES
  ('invite_friends', 'fission', '邀请好友得积分', 'Invite friends', false, '{"invites": 3, "points": 50}', NULL, 500);

-- Member tiers: a person holds the highest tier whose threshold their rolling points or rolling GMV meets.
CREATE TABLE loyalty_tiers (
  code        text PRIMARY KEY,
  rank        integer NOT NULL UNIQUE,
  name_zh     text NOT NULL,
  name_en     text NOT NULL,
  min_points  bigint,
  min_gmv     numeric(14, 2),
  -- order points of a member in this tier are multiplied by this
  points_multiplier  numeric(4, 2) NOT NULL DEFAULT 1,
  benefits    jsonb NOT NULL DEFAULT '[]',
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO loyalty_tiers (code, rank, name_zh, name_en, min_points, min_gmv, points_multiplier, benefits) VALUES
  ('bronze', 0, '青铜会员', 'Bronze', 0, 0, 1, '["积分累计"]'),
  ('silver', 1, '白银会员', 'Silver', 1000, 1000, 1.2, '["购物积分 1.2 倍", "生日券"]'),
  ('gold', 2, '黄金会员', 'Gold', 5000, 5000, 1.5, '["购物积分 1.5 倍", "生日券", "每月免运费券"]'),
  ('platinum', 3, '铂金会员', 'Platinum', 20000, 20000, 2, '["购物积分 2 倍", "专属客服", "每月免运费券", "新品优先购"]');

-- Every upgrade and downgrade, with the figures that decided it.
CREATE TABLE loyalty_tier_changes (
  id              bigserial PRIMARY KEY,
  user_id         text NOT NULL,
  from_tier       text,
  to_tier         text NOT NULL,
  direction       text NOT NULL CHECK (direction IN ('initial', 'upgrade', 'downgrade')),
  rolling_points  bigint NOT NULL,
  rolling_gmv     numeric(14, 2) NOT NULL,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX loyalty_tier_changes_user ON loyalty_tier_changes (user_id, id DESC);
CREATE INDEX loyalty_tier_changes_at ON loyalty_tier_changes (at DESC);

-- Coupon templates: what a coupon gives (amount off, percent off, 满减 threshold, free shipping), how
-- long it is valid, how many one person may hold, and how many may be issued in all (stock).
CREATE TABLE coupon_templates (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('amount_off', 'percent_off', 'threshold', 'free_shipping')),
  amount          numeric(12, 2),
  percent         numeric(5, 2),
  min_spend       numeric(12, 2) NOT NULL DEFAULT 0,
  max_discount    numeric(12, 2),
  valid_from      timestamptz,
  valid_until     timestamptz,
  valid_days      integer,
  per_user_limit  integer NOT NULL DEFAULT 1 CHECK (per_user_limit > 0),
  stock           integer CHECK (stock >= 0),
  issued          integer NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (stock IS NULL OR issued <= stock)
);

-- One row per issuing: to a user, a segment or for a campaign.
CREATE TABLE coupon_issues (
  id           text PRIMARY KEY,
  template_id  text NOT NULL REFERENCES coupon_templates (id),
  target       text NOT NULL CHECK (target IN ('user', 'segment', 'campaign')),
  target_ref   text NOT NULL,
  requested    integer NOT NULL,
  issued       integer NOT NULL,
  over_limit   integer NOT NULL,
  out_of_stock integer NOT NULL,
  issued_by    text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coupon_issues_template ON coupon_issues (template_id, at DESC);

-- Issued coupons. A code is redeemed at most once (the UPDATE only matches an issued, valid coupon).
CREATE TABLE coupons (
  code          text PRIMARY KEY,
  template_id   text NOT NULL REFERENCES coupon_templates (id),
  issue_id      text NOT NULL REFERENCES coupon_issues (id),
  user_id       text NOT NULL,
  status        text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'redeemed')),
  issued_at     timestamptz NOT NULL,
  valid_from    timestamptz NOT NULL,
  valid_until   timestamptz,
  redeemed_at   timestamptz,
  order_id      text,
  order_amount  numeric(14, 2),
  discount      numeric(12, 2)
);
CREATE INDEX coupons_template ON coupons (template_id, status);
CREATE INDEX coupons_user ON coupons (user_id, template_id);
CREATE INDEX coupons_redeemed ON coupons (template_id, redeemed_at) WHERE status = 'redeemed';

-- Influence (src/loyalty/social): the latest scores from the share graph, one row per person who shared
-- or was shared with; replaced as a whole by each computation.
CREATE TABLE loyalty_influence (
  user_id      text PRIMARY KEY,
  score        double precision NOT NULL,
  rank         integer NOT NULL,
  shares       integer NOT NULL,
  visits       integer NOT NULL,
  orders       integer NOT NULL,
  revenue      numeric(14, 2) NOT NULL,
  is_kol       boolean NOT NULL,
  computed_at  timestamptz NOT NULL
);
CREATE INDEX loyalty_influence_rank ON loyalty_influence (rank);

-- ---------------------------------------------------------------------------------------------------
-- Ledger operations. Each returns (status, entry_id, points, balance).

-- Closes every lot of the (locked) account that has expired at p_now: one expire entry per lot, dated at
-- the lot's expiry. Returns the points expired.
CREATE FUNCTION loyalty_expire_locked(p_user text, p_now timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE lot record; total bigint := 0;
BEGIN
  FOR lot IN SELECT entry_id, remaining, expires_at FROM loyalty_lots
      WHERE user_id = p_user AND remaining > 0 AND expires_at <= p_now ORDER BY expires_at, entry_id LOOP
    INSERT INTO loyalty_ledger (user_id, kind, points, source_key, ref_id, occurred_at)
      VALUES (p_user, 'expire', -lot.remaining, 'lot:' || lot.entry_id, lot.entry_id, lot.expires_at);
    UPDATE loyalty_lots SET remaining = 0 WHERE entry_id = lot.entry_id;
    total := total + lot.remaining;
  END LOOP;
  IF total > 0 THEN
    UPDATE loyalty_accounts SET balance = balance - total, updated_at = now() WHERE user_id = p_user;
  END IF;
  RETURN total;
END
$$;

-- Takes p_points from the (locked) account: lots first-expiring first (the lot p_first before all), the
-- entry written with the lots it touched, the balance lowered; one statement. The caller has checked the
-- balance. Returns the entry id and the new balance.
CREATE FUNCTION loyalty_take_locked(
  p_user text, p_kind text, p_points bigint, p_rule text, p_key text, p_ref bigint, p_first bigint, p_occurred timestamptz,
  p_details jsonb, p_operator text, p_reason text, OUT entry_id bigint, OUT balance bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  WITH open AS (
    SELECT o.entry_id, o.remaining,
           sum(o.remaining) OVER (ORDER BY (o.entry_id = p_first) IS TRUE DESC, o.expires_at NULLS LAST, o.entry_id) AS upto
    FROM loyalty_lots o WHERE o.user_id = p_user AND o.remaining > 0
  ), take AS (
    SELECT open.entry_id, LEAST(open.remaining, p_points - (open.upto - open.remaining)) AS n FROM open WHERE open.upto - open.remaining < p_points
  ), upd AS (
    UPDATE loyalty_lots l SET remaining = l.remaining - take.n FROM take WHERE l.entry_id = take.entry_id RETURNING l.entry_id, take.n
  ), e AS (
    INSERT INTO loyalty_ledger (user_id, kind, points, rule_code, source_key, ref_id, occurred_at, operator, reason, details)
    SELECT p_user, p_kind, -p_points, p_rule, p_key, p_ref, p_occurred, p_operator, p_reason,
           p_details || jsonb_build_object('lots', coalesce((SELECT jsonb_agg(jsonb_build_object('lot', upd.entry_id, 'points', upd.n) ORDER BY upd.entry_id) FROM upd), '[]'))
    RETURNING loyalty_ledger.id
  ), a AS (
    UPDATE loyalty_accounts SET balance = loyalty_accounts.balance - p_points, updated_at = now() WHERE loyalty_accounts.user_id = p_user
    RETURNING loyalty_accounts.balance
  )
  SELECT (SELECT e.id FROM e), (SELECT a.balance FROM a) INTO entry_id, balance;
END
$$;

-- Adds points (kind earn or adjust) once per (kind, rule, source key). With caps, the account is locked
-- and the rule's earnings over [day_from, day_to) and [month_from, month_to) clamp the points. Status:
-- ok | duplicate | capped.
CREATE FUNCTION loyalty_credit(
  p_user text, p_kind text, p_points bigint, p_rule text, p_key text, p_occurred timestamptz, p_expires timestamptz,
  p_amount numeric, p_details jsonb, p_operator text, p_reason text,
  p_day_from timestamptz, p_day_to timestamptz, p_day_cap bigint,
  p_month_from timestamptz, p_month_to timestamptz, p_month_cap bigint, p_now timestamptz
) RETURNS TABLE (status text, entry_id bigint, points bigint, balance bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE bal bigint; n bigint := p_points; used bigint; id bigint;
BEGIN
  IF p_day_cap IS NOT NULL OR p_month_cap IS NOT NULL THEN
    INSERT INTO loyalty_accounts (user_id) VALUES (p_user) ON CONFLICT (user_id) DO NOTHING;
    PERFORM 1 FROM loyalty_accounts WHERE user_id = p_user FOR UPDATE;
    IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.kind = p_kind AND l.rule_code = p_rule AND l.source_key = p_key) THEN
      RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, 0::bigint, (SELECT a.balance FROM loyalty_accounts a WHERE a.user_id = p_user);
      RETURN;
    END IF;
    IF p_day_cap IS NOT NULL THEN
      SELECT coalesce(sum(l.points), 0) INTO used FROM loyalty_ledger l
        WHERE l.user_id = p_user AND l.kind = 'earn' AND l.rule_code = p_rule AND l.occurred_at >= p_day_from AND l.occurred_at < p_day_to;
      n := LEAST(n, GREATEST(p_day_cap - used, 0));
    END IF;
    IF p_month_cap IS NOT NULL THEN
      SELECT coalesce(sum(l.points), 0) INTO used FROM loyalty_ledger l
        WHERE l.user_id = p_user AND l.kind = 'earn' AND l.rule_code = p_rule AND l.occurred_at >= p_month_from AND l.occurred_at < p_month_to;
      n := LEAST(n, GREATEST(p_month_cap - used, 0));
    END IF;
    IF n <= 0 THEN
      RETURN QUERY SELECT 'capped'::text, NULL::bigint, 0::bigint, (SELECT a.balance FROM loyalty_accounts a WHERE a.user_id = p_user);
      RETURN;
    END IF;
  END IF;
  WITH e AS (
    INSERT INTO loyalty_ledger (user_id, kind, points, rule_code, source_key, amount, expires_at, occurred_at, operator, reason, details)
    VALUES (p_user, p_kind, n, p_rule, p_key, p_amount, p_expires, p_occurred, p_operator, p_reason,
            CASE WHEN n < p_points THEN p_details || jsonb_build_object('capped_from', p_points) ELSE p_details END)
    ON CONFLICT (kind, rule_code, source_key) WHERE source_key IS NOT NULL DO NOTHING
    RETURNING loyalty_ledger.id
  ), lot AS (
    INSERT INTO loyalty_lots (entry_id, user_id, remaining, earned_at, expires_at) SELECT e.id, p_user, n, p_occurred, p_expires FROM e
  ), a AS (
    INSERT INTO loyalty_accounts (user_id, balance, lifetime_points) SELECT p_user, n, n FROM e
    ON CONFLICT (user_id) DO UPDATE SET balance = loyalty_accounts.balance + EXCLUDED.balance,
      lifetime_points = loyalty_accounts.lifetime_points + EXCLUDED.lifetime_points, updated_at = now()
    RETURNING loyalty_accounts.balance
  )
  SELECT (SELECT e.id FROM e), (SELECT a.balance FROM a) INTO id, bal;
  IF id IS NULL THEN
    RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, 0::bigint, coalesce((SELECT a.balance FROM loyalty_accounts a WHERE a.user_id = p_user), 0);
    RETURN;
  END IF;
  -- points dated longer ago than the expiry period expire at once
  IF p_expires IS NOT NULL AND p_expires <= p_now THEN
    PERFORM 1 FROM loyalty_accounts WHERE user_id = p_user FOR UPDATE;
    bal := bal - loyalty_expire_locked(p_user, p_now);
  END IF;
  RETURN QUERY SELECT (CASE WHEN n < p_points THEN 'capped' ELSE 'ok' END)::text, id, n, bal;
END
$$;

-- Takes points away (kind redeem or adjust) once per source key, never below zero. Status: ok |
-- duplicate | insufficient.
CREATE FUNCTION loyalty_debit(
  p_user text, p_kind text, p_points bigint, p_key text, p_occurred timestamptz, p_details jsonb,
  p_operator text, p_reason text, p_now timestamptz
) RETURNS TABLE (status text, entry_id bigint, points bigint, balance bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE bal bigint; id bigint;
BEGIN
  -- no account, no points: nothing to lock
  SELECT a.balance INTO bal FROM loyalty_accounts a WHERE a.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, 0::bigint, 0::bigint;
    RETURN;
  END IF;
  IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.kind = p_kind AND l.rule_code = '' AND l.source_key = p_key) THEN
    RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, 0::bigint, bal;
    RETURN;
  END IF;
  bal := bal - loyalty_expire_locked(p_user, p_now);
  IF bal < p_points THEN
    RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, 0::bigint, bal;
    RETURN;
  END IF;
  SELECT t.entry_id, t.balance INTO id, bal FROM loyalty_take_locked(p_user, p_kind, p_points, '', p_key, NULL, NULL, p_occurred, p_details, p_operator, p_reason) t;
  RETURN QUERY SELECT 'ok'::text, id, -p_points, bal;
END
$$;

-- Takes back up to p_points of the earning (rule, earn key) once per refund key: from that earning's
-- own lot first, then first-expiring. What was already spent beyond the balance is recorded as the
-- shortfall; the balance never goes below zero. Status: ok | duplicate | no_earning | settled.
CREATE FUNCTION loyalty_reverse(
  p_user text, p_rule text, p_earn_key text, p_key text, p_points bigint, p_occurred timestamptz, p_details jsonb, p_now timestamptz
) RETURNS TABLE (status text, entry_id bigint, points bigint, balance bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE bal bigint; earned record; done bigint; want bigint; take bigint; id bigint;
BEGIN
  SELECT a.balance INTO bal FROM loyalty_accounts a WHERE a.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_earning'::text, NULL::bigint, 0::bigint, 0::bigint;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.kind = 'reverse' AND l.rule_code = p_rule AND l.source_key = p_key) THEN
    RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, 0::bigint, bal;
    RETURN;
  END IF;
  SELECT l.id, l.points INTO earned FROM loyalty_ledger l WHERE l.kind = 'earn' AND l.rule_code = p_rule AND l.source_key = p_earn_key AND l.user_id = p_user;
  IF earned.id IS NULL THEN
    RETURN QUERY SELECT 'no_earning'::text, NULL::bigint, 0::bigint, bal;
    RETURN;
  END IF;
  SELECT coalesce(sum((l.details->>'requested')::bigint), 0) INTO done FROM loyalty_ledger l WHERE l.kind = 'reverse' AND l.ref_id = earned.id;
  want := LEAST(p_points, earned.points - done);
  IF want <= 0 THEN
    RETURN QUERY SELECT 'settled'::text, NULL::bigint, 0::bigint, bal;
    RETURN;
  END IF;
  bal := bal - loyalty_expire_locked(p_user, p_now);
  take := LEAST(want, bal);
  SELECT t.entry_id, t.balance INTO id, bal FROM loyalty_take_locked(p_user, 'reverse', take, p_rule, p_key, earned.id, earned.id, p_occurred,
    p_details || jsonb_build_object('requested', want, 'shortfall', want - take), NULL, NULL) t;
  RETURN QUERY SELECT 'ok'::text, id, -take, bal;
END
$$;

-- Expires what is due on one account (the sweep calls it per account). Returns the points expired.
CREATE FUNCTION loyalty_expire(p_user text, p_now timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM loyalty_accounts WHERE user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  RETURN loyalty_expire_locked(p_user, p_now);
END
$$;
