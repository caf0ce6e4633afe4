-- Safe views: what the analysts' SQL console (POST /api/v1/sql, src/dataout/sql.ts) may read, and what the
-- exports (src/dataout/exports.ts) select. A separate database, `<db>_safe`, so the console's check is one
-- rule: every table a query touches is one of these views. No personal data: the events view leaves out
-- the encrypted PII, the email/phone match hashes, the masked IP, the user agent, full URLs and referrers
-- (query strings carry emails and tokens) and the free-form properties/context/traits JSON; the profiles
-- view keeps only traits that are not personal (see src/dataout/pii.ts for the list of personal keys).
CREATE DATABASE IF NOT EXISTS ${db}_safe;

-- Every id (anonymousId or userId) and the person it belongs to now; erased ids are left out.
CREATE VIEW IF NOT EXISTS ${db}_safe.identities AS
SELECT distinct_id, argMax(person_id, version) AS person_id
FROM ${db}.person_ids
GROUP BY distinct_id
HAVING argMax(is_deleted, version) = 0;

-- Behaviour events with the person each belongs to (the identity map, else userId, else the device id).
CREATE VIEW IF NOT EXISTS ${db}_safe.events AS
SELECT
    e.message_id AS message_id, e.type AS type, e.event AS event,
    coalesce(nullIf(pm.person_id, ''), if(e.user_id != '', e.user_id, e.distinct_id)) AS person_id,
    e.distinct_id AS distinct_id, e.anonymous_id AS anonymous_id, e.user_id AS user_id,
    e.timestamp AS timestamp, e.received_at AS received_at, e.session_id AS session_id,
    e.product_id AS product_id, e.order_id AS order_id, e.category AS category, e.brand AS brand,
    e.price AS price, e.quantity AS quantity, e.revenue AS revenue, e.discount AS discount,
    e.coupon AS coupon, e.currency AS currency, e.query AS query, e.rating AS rating,
    e.share_to AS share_to, e.products AS products, e.page_path AS page_path,
    e.utm_source AS utm_source, e.utm_medium AS utm_medium, e.utm_campaign AS utm_campaign,
    e.device_type AS device_type, e.os_name AS os_name, e.locale AS locale, e.timezone AS timezone,
    e.library AS library
FROM ${db}.events AS e
LEFT JOIN (
    SELECT distinct_id, argMax(person_id, version) AS person_id
    FROM ${db}.person_ids
    GROUP BY distinct_id
    HAVING argMax(is_deleted, version) = 0
) AS pm ON pm.distinct_id = e.distinct_id;

-- Current tag values, one row per (tag, person); `updated_at` is when the value was written.
CREATE VIEW IF NOT EXISTS ${db}_safe.tags AS
SELECT tag_code, person_id, value_num, value_str, value_list, value_weights, build_id,
       fromUnixTimestamp64Milli(toInt64(version), 'UTC') AS updated_at
FROM ${db}.tag_values FINAL
WHERE is_deleted = 0;

-- Who is in each saved segment now, and since when.
CREATE VIEW IF NOT EXISTS ${db}_safe.segment_members AS
SELECT segment_id, person_id, argMax(changed_at, version) AS since
FROM ${db}.segment_members
GROUP BY segment_id, person_id
HAVING argMax(is_member, version) = 1;

-- Every entry into and exit from a segment.
CREATE VIEW IF NOT EXISTS ${db}_safe.segment_changes AS
SELECT segment_id, person_id, change, at, source
FROM ${db}.segment_changes;

-- The item catalog (no personal data), latest row per item.
CREATE VIEW IF NOT EXISTS ${db}_safe.items AS
SELECT item_id, title, title_en, category, category_id, brand, price, currency, launched_at, source, updated_at
FROM ${db}.items FINAL;

-- One row per person: ids, activity, the traits that are not personal (latest value per key, as a JSON
-- object), current tag values (a JSON object: tag code → value; booleans as 1/0) and segments.
CREATE VIEW IF NOT EXISTS ${db}_safe.profiles AS
WITH
    ev AS (
        SELECT
            coalesce(nullIf(pm.person_id, ''), if(e.user_id != '', e.user_id, e.distinct_id)) AS person_id,
            e.distinct_id AS distinct_id, e.user_id AS user_id, e.type AS type, e.event AS event,
            e.timestamp AS timestamp, e.traits AS traits, e.revenue AS revenue
        FROM ${db}.events AS e
        LEFT JOIN (
            SELECT distinct_id, argMax(person_id, version) AS person_id
            FROM ${db}.person_ids
            GROUP BY distinct_id
            HAVING argMax(is_deleted, version) = 0
        ) AS pm ON pm.distinct_id = e.distinct_id
    ),
    activity AS (
        SELECT person_id,
               arraySort(groupUniqArrayIf(distinct_id, distinct_id != person_id)) AS other_ids,
               min(timestamp) AS first_seen, max(timestamp) AS last_seen,
               countIf(type IN ('track', 'page', 'screen')) AS events,
               countIf(type = 'track' AND event = 'Order Completed') AS orders
        FROM ev GROUP BY person_id
    ),
    trait_values AS (
        SELECT person_id, kv.1 AS k, argMax(kv.2, timestamp) AS v
        FROM (SELECT person_id, timestamp, arrayJoin(JSONExtractKeysAndValuesRaw(traits)) AS kv FROM ev WHERE type = 'identify' AND traits != '')
        WHERE lower(replaceRegexpAll(kv.1, '[_\\-]', '')) NOT IN
              ('email', 'phone', 'mobile', 'idnumber', 'idcard', 'address', 'name', 'firstname', 'lastname', 'birthday', 'username')
        GROUP BY person_id, k
    ),
    trait_objects AS (
        SELECT person_id, concat('{', arrayStringConcat(arraySort(groupArray(concat(toJSONString(k), ':', v))), ','), '}') AS traits
        FROM trait_values GROUP BY person_id
    ),
    tag_objects AS (
        SELECT person_id,
               concat('{', arrayStringConcat(arraySort(groupArray(concat(toJSONString(toString(tag_code)), ':',
                   multiIf(length(value_list) > 0, toJSONString(value_list), value_num IS NOT NULL, toJSONString(assumeNotNull(value_num)), toJSONString(value_str))))), ','), '}') AS tags
        FROM ${db}.tag_values FINAL
        WHERE is_deleted = 0
        GROUP BY person_id
    ),
    memberships AS (
        SELECT person_id, arraySort(groupArray(segment_id)) AS segments
        FROM (
            SELECT segment_id, person_id FROM ${db}.segment_members
            GROUP BY segment_id, person_id HAVING argMax(is_member, version) = 1
        )
        GROUP BY person_id
    )
SELECT
    a.person_id AS person_id, a.other_ids AS other_ids, a.first_seen AS first_seen, a.last_seen AS last_seen,
    a.events AS events, a.orders AS orders,
    if(t.person_id = '', '{}', t.traits) AS traits,
    if(g.person_id = '', '{}', g.tags) AS tags,
    m.segments AS segments
FROM activity AS a
LEFT JOIN trait_objects AS t ON t.person_id = a.person_id
LEFT JOIN tag_objects AS g ON g.person_id = a.person_id
LEFT JOIN memberships AS m ON m.person_id = a.person_id;
