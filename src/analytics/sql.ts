/**
 * SQL fragments the analytics queries share. Values are never pasted in: bounds and the timezone
 * travel as typed parameters ({from:Date}, {to:Date}, {tz:String}); only the database name (a plain
 * identifier checked by config) is interpolated.
 */

/**
 * The identity mirror reduced to its latest version per id; erased ids fall back to themselves. `FINAL`
 * keeps each id's highest version (ReplacingMergeTree(version), sorted by distinct_id, so this is a merge
 * of sorted parts, about half the cost of grouping by the id) and the filter applies after it, so an id
 * whose latest version is erased is left out even before the parts merge.
 */
export const personMap = (db: string) => `(
    SELECT distinct_id, person_id
    FROM ${db}.person_ids FINAL
    WHERE is_deleted = 0
  )`;

/**
 * The person an event belongs to: the merged person from the identity map, else the event's userId,
 * else its anonymous id. A LEFT JOIN miss yields '' (ClickHouse's default), hence nullIf.
 */
export const personOf = `coalesce(nullIf(pm.person_id, ''), if(e.user_id != '', e.user_id, e.distinct_id))`;

/**
 * The identity mirror as numbers: `d` = cityHash64(distinct_id) → `p` = cityHash64(person_id), latest
 * versions only and erased ids left out, as in personMap. For reports that only group or count people: joining millions of events on a
 * UInt64 and grouping by one costs about a third less than doing both on strings (4.2M events, 30 days of
 * the 10M world: 755 → 550 ms for a funnel's levels). Two people sharing a 64-bit hash would merge; among
 * hundreds of thousands the chance is about 1e-9.
 */
const personHashMap = (db: string) => `(
    SELECT cityHash64(distinct_id) AS d, if(person_id = '', 0, cityHash64(person_id)) AS p
    FROM ${db}.person_ids FINAL
    WHERE is_deleted = 0
  )`;

/** `personOf` as a hash, over a LEFT ANY JOIN of personHashMap aliased `pm` on `pm.d = cityHash64(e.distinct_id)`. */
const personHashOf = `if(pm.p != 0, pm.p, cityHash64(if(e.user_id != '', e.user_id, e.distinct_id)))`;

/**
 * How a report keys people: 'ids', the person id (for reports that name people or join a breakdown by
 * id), or 'hashes', a UInt64 hash of it (personHashMap: cheaper to join and group by, for reports that
 * only group or count people).
 */
export type PersonKey = 'ids' | 'hashes';

/** The person of rows aliased `e` (with distinct_id and user_id), and the identity join (alias `pm`) it needs. */
export const personJoin = (db: string, key: PersonKey): { person: string; join: string } =>
  key === 'hashes'
    ? { person: personHashOf, join: `LEFT ANY JOIN ${personHashMap(db)} AS pm ON pm.d = cityHash64(e.distinct_id)` }
    : { person: personOf, join: `LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id` };

/**
 * The person of every device (distinct_id, user_id) seen, keyed by `device` = cityHash64(distinct_id,
 * user_id) as in `behaviour_narrow` (migration 009): one row per device (from `person_firsts`, which
 * holds every device that sent a message), resolved as `personOf`, or as its hash with 'hashes'. Small
 * enough to join per event of the narrow copy on a UInt64, so a report groups its events by person once
 * and no event carries a string id. (Two devices sharing a 64-bit hash would merge; among millions of
 * devices the chance is about 1e-7.)
 */
export const devicePersons = (db: string, key: PersonKey) =>
  key === 'ids'
    ? `(
    SELECT cityHash64(e.distinct_id, e.user_id) AS device, ${personOf} AS person
    FROM (SELECT DISTINCT distinct_id, user_id FROM ${db}.person_firsts) AS e
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id
  )`
    : `(
    SELECT e.device AS device, if(pm.p != 0, pm.p, e.own) AS person
    FROM (
      -- one row per device, grouped by its number rather than by two strings: the id hash to look up, and
      -- the person it is when the identity map has no entry (its userId, else its anonymous id; personHashOf)
      SELECT cityHash64(distinct_id, user_id) AS device, any(cityHash64(distinct_id)) AS d,
        any(cityHash64(if(user_id != '', user_id, distinct_id))) AS own
      FROM ${db}.person_firsts
      GROUP BY device
    ) AS e
    LEFT ANY JOIN ${personHashMap(db)} AS pm ON pm.d = e.d
  )`;

/** Messages that are a person doing something (identify/alias/group are bookkeeping, not activity); use over resolvedEvents. */
export const isBehaviour = `type IN ('track', 'page', 'screen')`;

/** Day boundaries of the reporting timezone, as instants. */
export const bound = (param: 'prevFrom' | 'from' | 'to') => `toDateTime({${param}:Date}, {tz:String})`;

/**
 * Events before the end of the range with their person resolved (as `key` says). Alias it `e` and keep
 * the columns a query needs, so ClickHouse reads only those.
 */
export const resolvedEvents = (db: string, columns: string[], where: string, key: PersonKey) => {
  const p = personJoin(db, key);
  return `(
    SELECT ${[...columns.map((c) => `e.${c} AS ${c}`), `${p.person} AS person`].join(', ')}
    FROM ${db}.events AS e
    ${p.join}
    WHERE e.timestamp < ${bound('to')} AND (${where})
  )`;
};

/**
 * Completed orders before `to`, one row per order: a retried 'Order Completed' with the same order_id
 * counts once, at its first occurrence. An order without revenue is valued at the sum of its products.
 * Read from `order_events` (the order messages alone, fed by a materialized view, migration 005), so
 * only the first occurrences meet the identity join.
 */
export const completedOrders = (db: string) => `(
    SELECT
      e.oid AS oid,
      e.ts AS ts,
      ${personOf} AS buyer,
      e.amount AS amount,
      e.order_device AS order_device,
      e.order_products AS order_products,
      e.order_category AS order_category,
      e.order_currency AS order_currency
    FROM (
      SELECT oid, ts, first.1 AS distinct_id, first.2 AS user_id, first.3 AS amount, first.4 AS order_device,
        first.5 AS order_products, first.6 AS order_category, first.7 AS order_currency
      FROM (
        SELECT oid, min(timestamp) AS ts,
          argMin(tuple(distinct_id, user_id, ifNull(revenue, arraySum(x -> x.price * x.quantity, products)), device_type, products, category, currency), timestamp) AS first
        FROM ${db}.order_events
        GROUP BY oid
        HAVING ts < ${bound('to')}
      )
    ) AS e
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id
  )`;

/**
 * Completed orders as `completedOrders` without the person: one row per order whose first occurrence
 * (earliest message by timestamp, `ts`) lies in [`since`, `to`), `since` being 'from' or 'prevFrom',
 * with the device (`distinct_id`, `user_id`) it came from. The first occurrences are found from the
 * order keys, times and message ids alone (only orders with a message in the period), and only those
 * messages are then read whole, once each (`LIMIT 1 BY oid` drops a duplicate message not merged away
 * yet): carrying every message's products through an argMin cost three times as much. Resolve persons
 * afterwards if needed (personMap/personOf). `lean` leaves out the products, category, device type and currency.
 */
export const ordersSince = (db: string, since: 'from' | 'prevFrom', lean = false) => `(
    SELECT oid, timestamp AS ts, distinct_id, user_id, ifNull(revenue, arraySum(x -> x.price * x.quantity, products)) AS amount${lean ? '' : `,
      device_type AS order_device, products AS order_products, category AS order_category, currency AS order_currency`}
    FROM ${db}.order_events
    WHERE timestamp >= ${bound(since)} AND timestamp < ${bound('to')}
      AND (oid, timestamp, message_id) IN (
        SELECT oid, min(timestamp), argMin(message_id, timestamp)
        FROM ${db}.order_events
        WHERE oid IN (SELECT oid FROM ${db}.order_events WHERE timestamp >= ${bound(since)} AND timestamp < ${bound('to')})
        GROUP BY oid
      )
    LIMIT 1 BY oid
  )`;

/**
 * Per device and userId seen before `to` (any message): `first_seen`, and the first touch — `touch_ts` and
 * `first_touch`, the earliest non-empty utm_source ('' when none before `to`). Read from `person_firsts`
 * (migration 005) instead of every event. Alias it `e` and resolve persons with personMap/personOf.
 */
export const deviceFirsts = (db: string) => `(
    SELECT distinct_id, user_id, first_seen, touch.1 AS touch_ts, if(touch.1 < ${bound('to')}, touch.2, '') AS first_touch
    FROM (
      SELECT distinct_id, user_id, min(first_seen) AS first_seen, min(first_touch) AS touch
      FROM ${db}.person_firsts
      GROUP BY distinct_id, user_id
      HAVING first_seen < ${bound('to')}
    )
  )`;

/**
 * Devices (distinct_id, user_id) with behaviour in [`from`, `to`), folded per `keys` (expressions over
 * `slot`, the half hour, and `device_type`), from `activity_slots` (migration 005): every reporting
 * timezone's midnight falls on a half hour, so these bounds and days are exactly the events' own.
 * Alias it `e` and resolve persons with personMap/personOf.
 */
export const activeDevices = (db: string, from: string, keys: Record<string, string> = {}, columns = '') => {
  const k = Object.entries(keys);
  return `(
      SELECT distinct_id, user_id${k.map(([alias, expr]) => `, ${expr} AS ${alias}`).join('')}${columns ? `, ${columns}` : ''}
      FROM ${db}.activity_slots
      WHERE slot >= ${from} AND slot < ${bound('to')}
      GROUP BY distinct_id, user_id${k.map(([alias]) => `, ${alias}`).join('')}
    )`;
};
