-- Current tag values, one row per (tag, person). Full builds and incremental refreshes both insert;
-- the highest version wins, and a tombstone (is_deleted = 1) removes a value a newer build no longer
-- produces. A value is stored in the column its tag's value type uses (number/boolean in value_num;
-- enum/string/date in value_str; ranked lists in value_list with value_weights).
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.tag_values
(
    tag_code       LowCardinality(String),
    person_id      String,
    value_num      Nullable(Float64),
    value_str      String,
    value_list     Array(String),
    value_weights  Array(Float64),
    build_id       String,
    version        UInt64,
    is_deleted     UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (tag_code, person_id)
-- small granules: one person's values are a short read in each tag's key range (a profile lookup)
SETTINGS index_granularity = 1024;

-- A dated copy of every full build's values: a tag's history and drift are read from here.
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.tag_snapshots
(
    snapshot_date  Date,
    build_id       String,
    tag_code       LowCardinality(String),
    person_id      String,
    value_num      Nullable(Float64),
    value_str      String,
    value_list     Array(String),
    value_weights  Array(Float64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(snapshot_date)
ORDER BY (tag_code, snapshot_date, person_id)
TTL snapshot_date + INTERVAL 400 DAY;
