-- Event properties that built-in tags read, kept in columns of their own (src/tags/compile/fields.ts,
-- PROMOTED): a tag reading a property otherwise parses the JSON of `properties` for every row read. The live
-- refresh of a few hundred people reads whole granules of `events` (8,192 rows, each holding about a hundred
-- people), so that parse ran over far more rows than the people's own: on the 10M-event world 500 people's
-- real-time tags took 2.05 s parsing `dwell_seconds` and `recipient` from the JSON, 1.09 s reading these.
-- MATERIALIZED: computed from `properties` when a row is inserted (by whichever path), never sent by
-- inserts and left out of `SELECT *`; rows stored before this migration have it computed once by the
-- mutation below, and until it reaches a part, reads compute it from `properties`.
-- Each column holds exactly what the JSON read it replaces gives; the JSON is only parsed in rows whose
-- text names the property at all (a fast substring search), which keeps the cost to bulk imports small.
ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS prop_dwell_seconds Nullable(Float64)
    MATERIALIZED if(position(properties, '"dwell_seconds"') > 0 AND simpleJSONHas(properties, 'dwell_seconds'), simpleJSONExtractFloat(properties, 'dwell_seconds'), NULL);

ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS prop_recipient String
    MATERIALIZED if(position(properties, '"recipient"') > 0, JSONExtractRaw(properties, 'recipient'), '');

ALTER TABLE ${db}.events MATERIALIZE COLUMN prop_dwell_seconds;

ALTER TABLE ${db}.events MATERIALIZE COLUMN prop_recipient;
