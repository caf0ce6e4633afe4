-- Narrow copies of events that segment conditions read (src/segments/compile/leaves.ts), kept current by
-- materialized views on `events` and backfilled from the events already stored. Like the analytics
-- copies (005), rows stay keyed by distinct_id (and userId): persons are resolved through person_ids when
-- a condition reads them, so identity merges need no rewrite here. Each view is created before its
-- backfill, so an event inserted meanwhile may be copied twice (migrations run before the server
-- accepts events). Erasure deletes from them as from events (found in the schema: distinct_id, user_id).

-- Every named event (track, page, screen) by (event, timestamp): "did X / did X at least N times within
-- D days" is a range read of one event's window instead of a scan of every event.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.segment_event_times
(
    event         LowCardinality(String),
    timestamp     DateTime64(3, 'UTC'),
    distinct_id   String,
    user_id       String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (event, timestamp, distinct_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.segment_event_times_mv TO ${db}.segment_event_times AS
SELECT event, timestamp, distinct_id, user_id
FROM ${db}.events
WHERE event != '';

INSERT INTO ${db}.segment_event_times
SELECT event, timestamp, distinct_id, user_id
FROM ${db}.events
WHERE event != '';

-- Every identify message's traits, one row per top-level trait (its value as raw JSON): a trait condition
-- reads one trait's rows instead of finding the identify messages among all events and parsing them.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.segment_traits
(
    trait         LowCardinality(String),
    distinct_id   String,
    user_id       String,
    timestamp     DateTime64(3, 'UTC'),
    value         String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (trait, distinct_id, timestamp);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.segment_traits_mv TO ${db}.segment_traits AS
SELECT kv.1 AS trait, distinct_id, user_id, timestamp, kv.2 AS value
FROM ${db}.events
ARRAY JOIN JSONExtractKeysAndValuesRaw(traits) AS kv
WHERE type = 'identify';

INSERT INTO ${db}.segment_traits
SELECT kv.1 AS trait, distinct_id, user_id, timestamp, kv.2 AS value
FROM ${db}.events
ARRAY JOIN JSONExtractKeysAndValuesRaw(traits) AS kv
WHERE type = 'identify';
