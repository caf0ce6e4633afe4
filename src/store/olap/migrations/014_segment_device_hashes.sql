-- The device of each row of the segment conditions' copies as the 64-bit hash the rule sets hold
-- (cityHash64 of distinct_id), so that a condition over everyone resolves a device to its person by an
-- integer lookup in the embedded engine's in-memory identity map (src/identity/engineMap.ts, keyed by the
-- same hash) without reading and hashing the id text of every row: on the 10M-event world that was most
-- of a trait condition's time (115,704 rows a trait: reading the ids and hashing them about 8 ms, looking
-- the text up another 4 ms). MATERIALIZED: computed at insert by whichever path writes the rows; rows
-- stored before have it computed once by the mutations below, and until then reads compute it.
ALTER TABLE ${db}.segment_traits ADD COLUMN IF NOT EXISTS distinct_hash UInt64 MATERIALIZED cityHash64(distinct_id);

ALTER TABLE ${db}.segment_event_times ADD COLUMN IF NOT EXISTS distinct_hash UInt64 MATERIALIZED cityHash64(distinct_id);

ALTER TABLE ${db}.segment_traits MATERIALIZE COLUMN distinct_hash;

ALTER TABLE ${db}.segment_event_times MATERIALIZE COLUMN distinct_hash;
