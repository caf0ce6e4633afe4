-- The tag values again, sorted by person: `tag_values` is sorted by (tag, person) so that a segment or a
-- report reads one tag's range, which makes one person's values a lookup in each of ~80 tags' ranges of
-- every part (about 100 ms on the 10M-event world right after a build). This copy makes them one short
-- range (about 15 ms): the profile API, a live refresh's tombstones and a campaign's recipients read it.
-- Kept by a materialized view on every insert into `tag_values` (builds, refreshes, model runs,
-- tombstones), the same ReplacingMergeTree rules; erasure finds it by its person_id column. Not a
-- projection: a projection turns every DELETE on the table into a rebuild of it (20 s against 1–2 s).
-- shard: cityHash64(person_id)
CREATE TABLE IF NOT EXISTS ${db}.tag_values_by_person
(
    person_id      String,
    tag_code       LowCardinality(String),
    value_num      Nullable(Float64),
    value_str      String,
    value_list     Array(String),
    value_weights  Array(Float64),
    build_id       String,
    version        UInt64,
    is_deleted     UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (person_id, tag_code)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.tag_values_by_person_mv TO ${db}.tag_values_by_person AS
SELECT person_id, tag_code, value_num, value_str, value_list, value_weights, build_id, version, is_deleted
FROM ${db}.tag_values;

-- the values already stored: the latest row of each (tag, person), which is all a read by argMax needs
INSERT INTO ${db}.tag_values_by_person
SELECT person_id, tag_code, value_num, value_str, value_list, value_weights, build_id, version, is_deleted
FROM ${db}.tag_values FINAL;
