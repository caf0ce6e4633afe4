-- A narrow copy of the behaviour events (track, page, screen) for the reports that follow each person's
-- events in order (search, carts, paths, sessions), kept current by a materialized view on `events` and
-- backfilled from the events already stored. Sorted by (event, timestamp), so a report reads exactly the
-- events and days it needs, and keyed for speed: `device` is cityHash64(distinct_id, user_id), the
-- device-and-userId pair the analytics tables fold by, so reports group by a number and resolve persons
-- once per device (src/analytics/sql.ts devicePersons); names are LowCardinality; the search keyword and
-- the products of an order line are worked out once, at insert. distinct_id and user_id stay as columns
-- for erasure (found in the schema, src/privacy/erasables/olap.ts). Like `events`, a ReplacingMergeTree
-- whose sorting key ends in message_id, so a duplicate that slipped past the writer merges away in both.
-- The view is created before the backfill: migrations run before the server accepts events.
-- shard: cityHash64(distinct_id)
CREATE TABLE IF NOT EXISTS ${db}.behaviour_narrow
(
    event          LowCardinality(String),
    timestamp      DateTime64(3, 'UTC'),
    type           LowCardinality(String),
    device         UInt64,
    message_id     String,
    distinct_id    String,
    user_id        String,
    session_id     String,
    page_path      LowCardinality(String),
    product_id     LowCardinality(String),
    price          Nullable(Float64),
    quantity       Nullable(UInt32),
    keyword        String,
    line_products  Array(UInt64)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (event, timestamp, device, message_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.behaviour_narrow_mv TO ${db}.behaviour_narrow AS
SELECT
    event, timestamp, type, cityHash64(distinct_id, user_id) AS device, message_id, distinct_id, user_id,
    session_id, page_path, product_id, price, quantity,
    if(type = 'track' AND event = 'Products Searched', lowerUTF8(trimBoth(replaceRegexpAll(query, '[[:space:]]+', ' '))), '') AS keyword,
    if(type = 'track' AND event = 'Order Completed',
       arrayMap(x -> cityHash64(x), arrayFilter(x -> x != '', if(empty(products.product_id), [product_id], products.product_id))), []) AS line_products
FROM ${db}.events
WHERE type IN ('track', 'page', 'screen');

INSERT INTO ${db}.behaviour_narrow
SELECT
    event, timestamp, type, cityHash64(distinct_id, user_id) AS device, message_id, distinct_id, user_id,
    session_id, page_path, product_id, price, quantity,
    if(type = 'track' AND event = 'Products Searched', lowerUTF8(trimBoth(replaceRegexpAll(query, '[[:space:]]+', ' '))), '') AS keyword,
    if(type = 'track' AND event = 'Order Completed',
       arrayMap(x -> cityHash64(x), arrayFilter(x -> x != '', if(empty(products.product_id), [product_id], products.product_id))), []) AS line_products
FROM ${db}.events
WHERE type IN ('track', 'page', 'screen');
