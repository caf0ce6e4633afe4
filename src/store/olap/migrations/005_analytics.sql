-- Precomputed inputs of the analytics reports, kept current by materialized views on `events` and
-- backfilled from the events already stored. Rows stay keyed by distinct_id (and userId): persons are
-- resolved through person_ids when a report reads them, so identity merges need no rewrite here.
-- Each view is created before its backfill, so an event inserted meanwhile is counted twice at worst,
-- which these tables absorb (minimums; orders and reviews are deduplicated by key when read).
-- Erasure deletes from them as from events (src/privacy/erasables/olap.ts).

-- Per device and userId: when it was first seen (any message) and its first touch, the earliest
-- (timestamp, utm_source) with a non-empty utm_source — (2299-12-31, '') when never tagged.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.person_firsts
(
    distinct_id   String,
    user_id       String,
    first_seen    SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    first_touch   SimpleAggregateFunction(min, Tuple(DateTime64(3, 'UTC'), String))
)
ENGINE = AggregatingMergeTree
ORDER BY (distinct_id, user_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.person_firsts_mv TO ${db}.person_firsts AS
SELECT
    distinct_id,
    user_id,
    min(timestamp) AS first_seen,
    min(if(utm_source != '', tuple(timestamp, toString(utm_source)), tuple(toDateTime64('2299-12-31 00:00:00', 3, 'UTC'), ''))) AS first_touch
FROM ${db}.events
GROUP BY distinct_id, user_id;

INSERT INTO ${db}.person_firsts
SELECT
    distinct_id,
    user_id,
    min(timestamp) AS first_seen,
    min(if(utm_source != '', tuple(timestamp, toString(utm_source)), tuple(toDateTime64('2299-12-31 00:00:00', 3, 'UTC'), ''))) AS first_touch
FROM ${db}.events
GROUP BY distinct_id, user_id;

-- Every 'Order Completed' message with the columns the order reports read; `oid` is the order_id (the
-- message id when there is none). A retried order has several rows: readers keep its first (sql.ts).
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.order_events
(
    oid           String,
    message_id    String,
    distinct_id   String,
    user_id       String,
    timestamp     DateTime64(3, 'UTC'),
    revenue       Nullable(Float64),
    products      Array(Tuple(product_id String, category String, brand String, price Float64, quantity UInt32)),
    device_type   LowCardinality(String),
    category      String,
    currency      LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (oid, timestamp, message_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.order_events_mv TO ${db}.order_events AS
SELECT if(order_id != '', order_id, message_id) AS oid, message_id, distinct_id, user_id, timestamp, revenue, products, device_type, category, currency
FROM ${db}.events
WHERE type = 'track' AND event = 'Order Completed';

INSERT INTO ${db}.order_events
SELECT if(order_id != '', order_id, message_id) AS oid, message_id, distinct_id, user_id, timestamp, revenue, products, device_type, category, currency
FROM ${db}.events
WHERE type = 'track' AND event = 'Order Completed';

-- Every 'Product Reviewed' message with its review key (properties.review_id, else the message id) and
-- text (properties.review_body) taken out of the JSON once, at insert.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.review_events
(
    review_key    String,
    message_id    String,
    distinct_id   String,
    user_id       String,
    timestamp     DateTime64(3, 'UTC'),
    product_id    String,
    category      String,
    brand         String,
    rating        Nullable(UInt8),
    body          String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
ORDER BY (review_key, timestamp, message_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.review_events_mv TO ${db}.review_events AS
SELECT
    if(JSONExtractString(properties, 'review_id') != '', JSONExtractString(properties, 'review_id'), message_id) AS review_key,
    message_id, distinct_id, user_id, timestamp, product_id, category, brand, rating,
    JSONExtractString(properties, 'review_body') AS body
FROM ${db}.events
WHERE type = 'track' AND event = 'Product Reviewed';

INSERT INTO ${db}.review_events
SELECT
    if(JSONExtractString(properties, 'review_id') != '', JSONExtractString(properties, 'review_id'), message_id) AS review_key,
    message_id, distinct_id, user_id, timestamp, product_id, category, brand, rating,
    JSONExtractString(properties, 'review_body') AS body
FROM ${db}.events
WHERE type = 'track' AND event = 'Product Reviewed';

-- Behaviour (track/page/screen) per half hour (UTC), device and userId: every reporting timezone's day
-- starts on a half hour, so "active on a day / in a range" reads these about ten times fewer rows.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.activity_slots
(
    slot          DateTime('UTC'),
    distinct_id   String,
    user_id       String,
    device_type   LowCardinality(String),
    events        UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(slot)
ORDER BY (slot, distinct_id, user_id, device_type);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.activity_slots_mv TO ${db}.activity_slots AS
SELECT toStartOfInterval(timestamp, INTERVAL 30 MINUTE) AS slot, distinct_id, user_id, device_type, count() AS events
FROM ${db}.events
WHERE type IN ('track', 'page', 'screen')
GROUP BY slot, distinct_id, user_id, device_type;

INSERT INTO ${db}.activity_slots
SELECT toStartOfInterval(timestamp, INTERVAL 30 MINUTE) AS slot, distinct_id, user_id, device_type, count() AS events
FROM ${db}.events
WHERE type IN ('track', 'page', 'screen')
GROUP BY slot, distinct_id, user_id, device_type;
