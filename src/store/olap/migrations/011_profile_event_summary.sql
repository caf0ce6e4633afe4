-- A person's events summed per (id, type, event, month): what the profile API shows of them — the count of
-- each event, the first and last time seen, and the identify messages' traits in time order — read in a
-- few dozen rows instead of every event the person ever sent (on the 10M-event world one profile's read of
-- `events` took 9–12 ms of the embedded engine across every monthly part; this table 3–5 ms).
-- Kept by a materialized view on every insert into `events`. Rows stay keyed by distinct_id, so identity
-- merges need no rewrite: the profile reads every id of the person. Erasure finds the table by its
-- distinct_id column; retention of events removes whole months here and recounts the month the cutoff
-- falls in (src/privacy/retention.ts). The identify traits keep the sealed `pii` tokens as `events` does.
-- Each row of an insert is counted once: like a count over `events` before ClickHouse merges duplicates,
-- a message stored twice despite the writer's messageId check counts twice.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.profile_event_summary
(
    distinct_id   String,
    type          LowCardinality(String),
    event         LowCardinality(String),
    month         Date,
    events        SimpleAggregateFunction(sum, UInt64),
    first_at      SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_at       SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    identifies    SimpleAggregateFunction(groupArrayArray, Array(Tuple(DateTime64(3, 'UTC'), String, String)))
)
ENGINE = AggregatingMergeTree
ORDER BY (distinct_id, type, event, month)
SETTINGS index_granularity = 256;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.profile_event_summary_mv TO ${db}.profile_event_summary AS
SELECT distinct_id, type, event, toStartOfMonth(timestamp) AS month, count() AS events, min(timestamp) AS first_at,
       max(timestamp) AS last_at, groupArrayIf((timestamp, traits, pii), type = 'identify') AS identifies
FROM ${db}.events
GROUP BY distinct_id, type, event, month;

-- the events already stored (about 6 s on the 10M-event world)
INSERT INTO ${db}.profile_event_summary
SELECT distinct_id, type, event, toStartOfMonth(timestamp) AS month, count() AS events, min(timestamp) AS first_at,
       max(timestamp) AS last_at, groupArrayIf((timestamp, traits, pii), type = 'identify') AS identifies
FROM ${db}.events
GROUP BY distinct_id, type, event, month;
