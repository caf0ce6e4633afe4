-- Who is in each saved segment now: one row per (segment, person), latest version wins; is_member = 0
-- records an exit. Rule conditions on membership ("in segment X") read this table.
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.segment_members
(
    segment_id   String,
    person_id    String,
    is_member    UInt8,
    version      UInt64,
    changed_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (segment_id, person_id);

-- Every entry and exit, for a segment's history and its webhooks.
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.segment_changes
(
    segment_id   String,
    person_id    String,
    change       LowCardinality(String),
    at           DateTime64(3, 'UTC'),
    source       LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (segment_id, at, person_id);
