import { devicePersons, type PersonKey } from '../sql.ts';
import { dayMs, narrowBetween, perDevicePerson } from './searchSql.ts';

/**
 * SQL pieces of the carts report (queries/carts.ts). Values travel as typed parameters; only the
 * database name is interpolated. Instants are epoch milliseconds.
 *
 * A cart is a person's run of Product Added / Product Removed events with no order between them and
 * no gap longer than the window ({windowMs:Int64}), holding at least one add. It starts (its time, which
 * places it in a range) with its first event: the first add or remove after an order, after a silence
 * longer than the window, or the person's first. So whether a cart starts in a range depends only on the
 * event before it, which lies within the window before the range: the read starts there. It is
 * - purchased: the person's next order comes within the window after the cart's last add/remove
 * - emptied: otherwise, when every line added was removed again
 * - open: otherwise, while the window since its last add/remove has not passed by the latest event ({latestMs:Int64})
 * - abandoned: otherwise
 * A line's net quantity and value are what was added (price × quantity) less what was removed; the
 * cart holds the lines with a net quantity above zero, and its value is theirs.
 */

/** a run of removes only is no cart: its first add is this far-away instant, never in range */
const NO_ADD = '9223372036854775807';

/**
 * A cart line's product as a number: cityHash64 of the product id (0 for none), taken over the narrow
 * copy's LowCardinality column so each distinct id is hashed once; productIdsSql names the few reported.
 */
const productHash = `if(product_id = '', toUInt64(0), cityHash64(product_id))`;

/**
 * An array of tuples sorted by their first element (the SQL expression `sorted`, given the alias `alias`)
 * cut into runs of equal first elements (a UInt64), for summing per key with array functions: on the 10M
 * world about a third of the CPU of sumMap's keyed merge, and cheaper than another GROUP BY level.
 */
const runsByKey = (sorted: string, alias: string) =>
  `arraySplit((x, cut) -> cut, ${sorted} AS ${alias}, arrayMap((k, prev) -> k != prev, arrayMap(x -> x.1, ${alias}), arraySlice(arrayPushFront(arrayMap(x -> x.1, ${alias}), toUInt64(0)), 1, length(${alias}))))`;

/** where the cart events of carts starting at or after `startMs` (or {sinceMs:Int64}) begin: the earlier start, less the window */
const readStart = (startMs: string) => `(least(${startMs}, {sinceMs:Int64}) - {windowMs:Int64})`;

/** the person's latest consent.marketing ('true', 'false', or '' when never given) passes {consent:String} */
const consentOk = (col: string) => `(${col} = 'true' OR ({consent:String} = 'not_refused' AND ${col} != 'false'))`;

/**
 * One row per cart starting in [startMs, endMs) or, for the recoverable people, at or after
 * {sinceMs:Int64}: person, start, first add, last add/remove, the next order, status, value, lines
 * (product hash, net quantity, net value), whether it is recoverable, and whether it is in the report's range
 * (`in_range`). Cart events are read from the earlier of both starts, less the window (readStart).
 *
 * Cart events come from the narrow copy (`behaviour_narrow`, migration 009), with the messages carrying a
 * consent.marketing trait (from all time, read from `events`), each joined to its person through its device
 * number (sql.ts `devicePersons`, one row per device) and grouped by person once. `persons`: 'ids' gives
 * `person` as the person id (the recoverable people are named), 'hashes' as a UInt64 hash of it
 * (cheaper to join and group by, for the summary, which only counts). An event's kind is 0 add,
 * 1 remove, 2 order, 3 consent (sorting by (time, kind) puts an order after an add at the same instant).
 * A person's sorted array is cut where each cart starts (`arraySplit` over "starts a cart"), and each cart
 * becomes one row with array functions alone (first add, last event, its lines netted per product on its
 * own small array with runsByKey): no GROUP BY after the person's, which cost about 10% more CPU.
 */
export const cartsSql = (db: string, startMs: string, endMs: string, persons: PersonKey) => `(
  SELECT person, start_ms, first_ms, last_ms, order_ms, lines, value, status, in_range, recoverable
  FROM (
    SELECT person,
      -- the cart's own events (a segment may end with the order that closed it)
      arrayFilter(e -> e.2 != 2, seg) AS ce,
      ce[1].1 AS start_ms,
      arrayFirstIndex(e -> e.2 = 0, ce) AS first_add,
      if(first_add > 0, ce[first_add].1, ${NO_ADD}) AS first_ms,
      ce[-1].1 AS last_ms,
      seg_orders[1] AS order_ms,
      -- the cart's events as (product, ±quantity, ±value), netted per product; the lines are those left with a quantity
      arrayFilter(l -> l.2 > 0, arrayMap(g -> (g[1].1, arraySum(x -> x.2, g), arraySum(x -> x.3, g)),
        ${runsByKey('arraySort(x -> x.1, arrayMap(e -> (e.3, if(e.2 = 0, e.5, -e.5), if(e.2 = 0, e.4, -e.4)), ce))', 'signed')})) AS lines,
      arraySum(l -> l.3, lines) AS value,
      multiIf(order_ms > 0 AND order_ms - last_ms <= {windowMs:Int64}, 'purchased', empty(lines), 'emptied',
              last_ms + {windowMs:Int64} > {latestMs:Int64}, 'open', 'abandoned') AS status,
      start_ms >= ${startMs} AND start_ms < ${endMs} AS in_range,
      start_ms >= {sinceMs:Int64} AND status = 'abandoned' AND order_ms = 0 AND consent_ok AS recoverable
    FROM (
      SELECT person, consent_ok,
        -- the person's time line cut where each cart starts: one segment per cart (and maybe one of orders first)
        arraySplit((e, f) -> f, evs, starts) AS segs,
        -- each event's next order (0 when none follows): the same for every event of a cart, since no order
        -- falls inside one, and an order at a cart event's instant sorts after it
        arraySplit((t, f) -> f, arrayReverseFill(t -> t > 0, arrayMap(e -> if(e.2 = 2, e.1, 0), evs)), starts) AS next_orders
      FROM (
        SELECT person, evs, consent_ok,
          -- each event beside the one before it (a lambda indexing evs would copy the whole array per element)
          arrayMap((e, prev, i) -> e.2 != 2 AND (i = 1 OR prev.2 = 2 OR e.1 - prev.1 > {windowMs:Int64}),
                   evs, arrayPushFront(arrayPopBack(evs), evs[1]), arrayEnumerate(evs)) AS starts
        FROM (
          SELECT person, arraySort(groupArrayIf((ms, kind, product_hash, value, qty), kind < 3)) AS evs,
            -- the person's latest consent.marketing, judged once per person
            toUInt8(${consentOk('argMaxIf(marketing, ms, kind = 3)')}) AS consent_ok
          FROM (
            SELECT u.*, dp.person AS person
            FROM (
              SELECT device, ms, multiIf(event = 'Product Added', 0, event = 'Product Removed', 1, 2) AS kind, ${productHash} AS product_hash,
                ifNull(price, 0) * ifNull(quantity, 1) AS value, toInt64(ifNull(quantity, 1)) AS qty, '' AS marketing
              FROM ${narrowBetween(db, ['event', 'product_id', 'price', 'quantity'], ['Product Added', 'Product Removed', 'Order Completed'], readStart(startMs), '4102444800000')}
              UNION ALL
              SELECT cityHash64(distinct_id, user_id), toUnixTimestamp64Milli(timestamp), 3, toUInt64(0), 0, 0, JSONExtractRaw(traits, 'consent', 'marketing')
              FROM ${db}.events
              WHERE traits != '' AND JSONHas(traits, 'consent', 'marketing')
            ) AS u
            INNER JOIN ${devicePersons(db, persons)} AS dp ON dp.device = u.device
          )
          GROUP BY person
          HAVING arrayExists(e -> e.2 = 0 AND ((e.1 >= ${startMs} AND e.1 < ${endMs}) OR e.1 >= {sinceMs:Int64}), evs)
        )
      )
    )
    -- one row per cart
    ARRAY JOIN segs AS seg, next_orders AS seg_orders
  )
  WHERE notEmpty(ce) AND first_ms != ${NO_ADD} AND (in_range OR start_ms >= {sinceMs:Int64})
)`;

const inRange = [dayMs('from'), dayMs('to')] as const;

/**
 * The report in one pass over the carts: counts and values by status of the carts started in range, time
 * from first add to the order of purchased ones (median, and counts per bucket of {edges:Array(Int64)}),
 * per day of the first add (`daily`: days with carts, purchased and abandoned; one map keyed by the Date, whose
 * number keys aggregate faster than text), the abandoned lines per product (`items`: product hashes with carts, quantity and
 * value), and the recoverable people.
 */
export const cartSummarySql = (db: string) => `
SELECT
  countIf(in_range) AS carts,
  countIf(in_range AND status = 'purchased') AS purchased,
  countIf(in_range AND status = 'abandoned') AS abandoned,
  countIf(in_range AND status = 'open') AS open,
  countIf(in_range AND status = 'emptied') AS emptied,
  sumIf(value, in_range) AS total_value,
  sumIf(value, in_range AND status = 'purchased') AS purchased_value,
  sumIf(value, in_range AND status = 'abandoned') AS abandoned_value,
  quantileExactIf(0.5)(order_ms - first_ms, in_range AND status = 'purchased') AS median_ms,
  sumMapIf([toUInt32(arrayCount(e -> order_ms - first_ms >= e, {edges:Array(Int64)}))], [toUInt64(1)], in_range AND status = 'purchased') AS buckets,
  sumMapIf([day], [toUInt64(1)], [toUInt64(status = 'purchased')], [toUInt64(status = 'abandoned')], in_range) AS daily,
  -- the abandoned lines per product, as (product hash, carts, quantity, value): the lines gathered into one array,
  -- sorted by product and cut where it changes (runsByKey);
  -- the hash as text, since JSON carries a UInt64 inside an array as a bare number that JavaScript would round
  arrayMap(g -> (toString(g[1].1), length(g), arraySum(x -> x.2, g), arraySum(x -> x.3, g)),
    ${runsByKey("arraySort(x -> x.1, groupArrayArrayIf(lines, in_range AND status = 'abandoned'))", 'ab')}) AS items,
  uniqExactIf(person, recoverable) AS recoverable_people,
  sumIf(value, recoverable) AS recoverable_value
FROM (
  SELECT *, toDate(fromUnixTimestamp64Milli(start_ms, 'UTC'), {tz:String}) AS day
  FROM ${cartsSql(db, ...inRange, 'hashes')}
)`;

/**
 * The product ids behind some cart lines' hashes ({hashes:Array(String)}, as decimal strings): the distinct
 * ids of the cart events the summary reads (cartSummarySql's read start), hashed once each.
 */
export const productIdsSql = (db: string) => `
SELECT toString(cityHash64(product_id)) AS hash, toString(product_id) AS product_id
FROM (
  SELECT DISTINCT product_id FROM ${db}.behaviour_narrow
  WHERE event IN ('Product Added', 'Product Removed') AND timestamp >= fromUnixTimestamp64Milli(${readStart(inRange[0])}, 'UTC')
)
WHERE hash IN {hashes:Array(String)}`;

/** Catalog products by the hashes of their ids ({hashes:Array(String)}, as decimal strings), with their titles. */
export const itemsByHashSql = (db: string) => `
SELECT toString(cityHash64(item_id)) AS hash, item_id, argMax(title, updated_at) AS title, argMax(title_en, updated_at) AS title_en
FROM ${db}.items WHERE hash IN {hashes:Array(String)}
GROUP BY item_id`;

/** Add-to-cart rate: persons who viewed a product in range, and how many of them also added one in range. */
export const addToCartSql = (db: string) => `
SELECT countIf(viewed) AS viewers, countIf(viewed AND added) AS viewers_added, countIf(added) AS adders
FROM (
  SELECT person, max(d_viewed) AS viewed, max(d_added) AS added
  FROM ${perDevicePerson(db, `
    SELECT device, max(event = 'Product Viewed') AS d_viewed, max(event = 'Product Added') AS d_added
    FROM ${narrowBetween(db, ['event'], ['Product Viewed', 'Product Added'], ...inRange)}
    GROUP BY device`)}
  GROUP BY person
)`;

/**
 * The newest event's instant (epoch ms; 0 when there are none): carts still inside their window are open.
 * `max(timestamp)` alone is answered from the parts' min/max of the partition column (3.6 ms on the 10M
 * world); a max over a converted value reads every row (60 ms).
 */
export const latestMsSql = (db: string) => `SELECT toInt64(ifNull(toUnixTimestamp64Milli(max(timestamp)), 0)) AS latest FROM ${db}.events`;

/**
 * Recoverable people: an abandoned cart started at or after {sinceMs:Int64}, no order since that cart's
 * last add/remove, and marketing consent — the latest `consent.marketing` trait they gave is true
 * ({consent:String} = 'given'), or is not false ('not_refused'). Value: their recoverable carts' values.
 */
export const recoverableSql = (db: string) => `
SELECT person, sum(value) AS value, max(last_ms) AS last_ms
FROM ${cartsSql(db, '{sinceMs:Int64}', '{sinceMs:Int64}', 'ids')}
WHERE recoverable
GROUP BY person
ORDER BY person`;
