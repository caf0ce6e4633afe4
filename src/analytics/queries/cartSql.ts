import { dayMs, eventsBetween } from './searchSql.ts';

/**
 * SQL pieces of the carts report (queries/carts.ts). Values travel as typed parameters; only the
 * database name is interpolated. Instants are epoch milliseconds.
 *
 * A cart is a person's run of Product Added / Product Removed events with no order between them and
 * no gap longer than the window ({windowMs:Int64}): it starts with an add after an order, after a
 * silence longer than the window, or with the person's first add. It is
 * - purchased: the person's next order comes within the window after the cart's last add/remove
 * - emptied: otherwise, when every line added was removed again
 * - open: otherwise, while the window since its last add/remove has not passed by the latest event ({latestMs:Int64})
 * - abandoned: otherwise
 * A line's net quantity and value are what was added (price × quantity) less what was removed; the
 * cart holds the lines with a net quantity above zero, and its value is theirs.
 */

/** a run of removes only is no cart: its first add is this far-away instant, never in range */
const NO_ADD = '9223372036854775807';

/** kind of a cart-relevant event; sorting by (time, kind) puts an order after an add at the same instant */
const kindOf = `multiIf(event = 'Product Added', 0, event = 'Product Removed', 1, 2)`;

/**
 * One row per cart whose first add is in [{startMs}, {endMs}): person, first/last add-or-remove,
 * the next order, status, value and lines (product, net quantity, net value). A person's whole cart
 * history is read: a run of adds and removes may reach back any distance, and only its first add says
 * whether it started in range.
 */
export const cartsSql = (db: string, startMs: string, endMs: string) => `(
  SELECT
    person, cart_no,
    min(first_ms) AS first_ms, max(last_ms) AS last_ms,
    arrayFirst(t -> t >= last_ms, any(order_times)) AS order_ms,
    sumIf(net_value, net_qty > 0) AS value,
    groupArrayIf((product_id, net_qty, net_value), net_qty > 0) AS lines,
    multiIf(order_ms > 0 AND order_ms - last_ms <= {windowMs:Int64}, 'purchased', empty(lines), 'emptied',
            last_ms + {windowMs:Int64} > {latestMs:Int64}, 'open', 'abandoned') AS status
  FROM (
    SELECT person, cart_no, ev.3 AS product_id,
      if(countIf(ev.2 = 0) > 0, minIf(ev.1, ev.2 = 0), ${NO_ADD}) AS first_ms, max(ev.1) AS last_ms,
      sumIf(ev.5, ev.2 = 0) - sumIf(ev.5, ev.2 = 1) AS net_qty,
      sumIf(ev.4, ev.2 = 0) - sumIf(ev.4, ev.2 = 1) AS net_value,
      any(order_times) AS order_times
    FROM (
      SELECT person,
        arraySort(groupArray((ms, kind, product_id, value, qty))) AS evs,
        arrayFilter(t -> t >= 0, arrayMap(x -> if(x.2 = 2, x.1, -1), evs)) AS order_times,
        arrayCumSum(arrayMap(i -> toUInt32(evs[i].2 != 2 AND (i = 1 OR evs[i - 1].2 = 2 OR evs[i].1 - evs[i - 1].1 > {windowMs:Int64})), arrayEnumerate(evs))) AS cart_nos
      FROM (
        SELECT person, ms, ${kindOf} AS kind, product_id,
          ifNull(price, 0) * ifNull(quantity, 1) AS value, toInt64(ifNull(quantity, 1)) AS qty
        FROM ${eventsBetween(db, ['event', 'product_id', 'price', 'quantity'], '0', '4102444800000',
          `e.type = 'track' AND e.event IN ('Product Added', 'Product Removed', 'Order Completed')`)}
      )
      GROUP BY person
      HAVING countIf(kind = 0 AND ms >= ${startMs} AND ms < ${endMs}) > 0
    )
    ARRAY JOIN evs AS ev, cart_nos AS cart_no
    WHERE ev.2 != 2
    GROUP BY person, cart_no, product_id
  )
  GROUP BY person, cart_no
  HAVING first_ms >= ${startMs} AND first_ms < ${endMs}
)`;

const inRange = [dayMs('from'), dayMs('to')] as const;

/**
 * The carts started in range, summed: counts and values by status, time from first add to the order of
 * purchased carts (median, and counts per bucket of {edges:Array(Int64)}), and per day of the first add.
 */
export const cartSummarySql = (db: string) => `
SELECT
  count() AS carts,
  countIf(status = 'purchased') AS purchased,
  countIf(status = 'abandoned') AS abandoned,
  countIf(status = 'open') AS open,
  countIf(status = 'emptied') AS emptied,
  sum(value) AS total_value,
  sumIf(value, status = 'purchased') AS purchased_value,
  sumIf(value, status = 'abandoned') AS abandoned_value,
  quantileExactIf(0.5)(order_ms - first_ms, status = 'purchased') AS median_ms,
  sumMapIf([toUInt32(arrayCount(e -> order_ms - first_ms >= e, {edges:Array(Int64)}))], [toUInt64(1)], status = 'purchased') AS buckets,
  sumMap([day], [toUInt64(1)]) AS daily_carts,
  sumMapIf([day], [toUInt64(1)], status = 'purchased') AS daily_purchased,
  sumMapIf([day], [toUInt64(1)], status = 'abandoned') AS daily_abandoned
FROM (
  SELECT *, toString(toDate(fromUnixTimestamp64Milli(first_ms, 'UTC'), {tz:String})) AS day
  FROM ${cartsSql(db, ...inRange)}
)`;

/** The products most often left in abandoned carts: carts, net quantity and value, with the catalog title when known. */
export const abandonedItemsSql = (db: string) => `
SELECT a.product_id AS product_id, a.carts AS carts, a.quantity AS quantity, a.value AS value, ifNull(i.title, '') AS title, ifNull(i.title_en, '') AS title_en
FROM (
  SELECT line.1 AS product_id, count() AS carts, sum(line.2) AS quantity, sum(line.3) AS value
  FROM ${cartsSql(db, ...inRange)}
  ARRAY JOIN lines AS line
  WHERE status = 'abandoned' AND line.1 != ''
  GROUP BY product_id
  ORDER BY carts DESC, value DESC, product_id
  LIMIT {limit:UInt32}
) AS a
LEFT JOIN (
  SELECT item_id, argMax(title, updated_at) AS title, argMax(title_en, updated_at) AS title_en
  FROM ${db}.items GROUP BY item_id
) AS i ON i.item_id = a.product_id
ORDER BY carts DESC, value DESC, product_id`;

/** Add-to-cart rate: persons who viewed a product in range, and how many of them also added one in range. */
export const addToCartSql = (db: string) => `
SELECT countIf(viewed) AS viewers, countIf(viewed AND added) AS viewers_added, countIf(added) AS adders
FROM (
  SELECT person, max(event = 'Product Viewed') AS viewed, max(event = 'Product Added') AS added
  FROM ${eventsBetween(db, ['event'], ...inRange, `e.type = 'track' AND e.event IN ('Product Viewed', 'Product Added')`)}
  GROUP BY person
)`;

/** The newest event's instant (epoch ms; 0 when there are none): carts still inside their window are open. */
export const latestMsSql = (db: string) => `SELECT toInt64(ifNull(max(toUnixTimestamp64Milli(timestamp)), 0)) AS latest FROM ${db}.events`;

/**
 * Recoverable people: an abandoned cart started since {sinceMs:Int64}, no order since that cart's last
 * add/remove, and marketing consent — the latest `consent.marketing` trait they gave is true
 * ({consent:String} = 'given'), or is not false ('not_refused').
 */
export const recoverableSql = (db: string) => `
SELECT c.person AS person, max(c.value) AS value, max(c.last_ms) AS last_ms
FROM ${cartsSql(db, '{sinceMs:Int64}', '4102444800000')} AS c
LEFT JOIN (
  SELECT person, argMaxIf(JSONExtractRaw(traits, 'consent', 'marketing'), ms, JSONHas(traits, 'consent', 'marketing')) AS marketing
  FROM ${eventsBetween(db, ['traits'], '0', '4102444800000', `e.traits != ''`)}
  GROUP BY person
) AS k ON k.person = c.person
WHERE c.status = 'abandoned'
  AND c.order_ms = 0
  AND (k.marketing = 'true' OR ({consent:String} = 'not_refused' AND k.marketing != 'false'))
GROUP BY person
ORDER BY person`;
