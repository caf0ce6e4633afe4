-- Every stored event's messageId, sorted by it: the ingestion writer asks here which messageIds of a flush
-- are already stored (src/ingest/writer.ts). The same question asked of `events` (sorted by person and time,
-- with a bloom filter per granule on message_id) reads nearly the whole column once a flush holds a few
-- thousand ids, since almost every granule's filter then admits one of them by chance: 195 ms for 2,000
-- ids on the 10M-event world. Here the primary index finds each id's granule of 256 rows in each part,
-- and small compressed blocks keep that read small: 24–56 ms (fewer parts, less).
-- Not partitioned: an id may be in any month, and every part is one more granule read per id.
-- Kept by a materialized view on every insert into `events`, backfilled from the events already stored.
-- Erasure finds the table by its distinct_id and user_id columns (a messageId may name its sender);
-- retention of events removes its expired rows (src/privacy/retentionCopies.ts), so a messageId is
-- remembered exactly as long as its event is.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.message_ids
(
    message_id    String,
    timestamp     DateTime64(3, 'UTC'),
    distinct_id   String,
    user_id       String
)
ENGINE = MergeTree
ORDER BY message_id
SETTINGS index_granularity = 256, min_compress_block_size = 4096, max_compress_block_size = 16384;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.message_ids_mv TO ${db}.message_ids AS
SELECT message_id, timestamp, distinct_id, user_id
FROM ${db}.events;

-- the events already stored
INSERT INTO ${db}.message_ids
SELECT message_id, timestamp, distinct_id, user_id
FROM ${db}.events;
