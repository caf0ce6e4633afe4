/**
 * SQL fragments the analytics queries share. Values are never pasted in: bounds and the timezone
 * travel as typed parameters ({from:Date}, {to:Date}, {tz:String}); only the database name (a plain
 * identifier checked by config) is interpolated.
 */

/** The identity mirror reduced to its latest version per id; erased ids fall back to themselves. */
export const personMap = (db: string) => `(
    SELECT distinct_id, argMax(person_id, version) AS person_id
    FROM ${db}.person_ids
    GROUP BY distinct_id
    HAVING argMax(is_deleted, version) = 0
  )`;

/**
 * The person an event belongs to: the merged person from the identity map, else the event's userId,
 * else its anonymous id. A LEFT JOIN miss yields '' (ClickHouse's default), hence nullIf.
 */
export const personOf = `coalesce(nullIf(pm.person_id, ''), if(e.user_id != '', e.user_id, e.distinct_id))`;

/** Messages that are a person doing something (identify/alias/group are bookkeeping, not activity); use over resolvedEvents. */
export const isBehaviour = `type IN ('track', 'page', 'screen')`;

/** Day boundaries of the reporting timezone, as instants. */
export const bound = (param: 'prevFrom' | 'from' | 'to') => `toDateTime({${param}:Date}, {tz:String})`;

/**
 * Events before the end of the range with their person resolved. Alias it `e` and keep the columns a
 * query needs, so ClickHouse reads only those.
 */
export const resolvedEvents = (db: string, columns: string[], where = 'true') => `(
    SELECT ${[...columns.map((c) => `e.${c} AS ${c}`), `${personOf} AS person`].join(', ')}
    FROM ${db}.events AS e
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id
    WHERE e.timestamp < ${bound('to')} AND (${where})
  )`;

/**
 * Completed orders, one row per order: a retried 'Order Completed' with the same order_id counts once,
 * at its first occurrence. An order without revenue is valued at the sum of its products.
 */
export const completedOrders = (db: string) => `(
    SELECT
      if(order_id != '', order_id, message_id) AS oid,
      min(timestamp) AS ts,
      argMin(person, timestamp) AS buyer,
      argMin(ifNull(revenue, arraySum(x -> x.price * x.quantity, products)), timestamp) AS amount,
      argMin(device_type, timestamp) AS order_device,
      argMin(products, timestamp) AS order_products,
      argMin(category, timestamp) AS order_category,
      argMin(currency, timestamp) AS order_currency
    FROM ${resolvedEvents(db, ['message_id', 'order_id', 'timestamp', 'revenue', 'products', 'device_type', 'category', 'currency'], `e.type = 'track' AND e.event = 'Order Completed'`)}
    GROUP BY oid
  )`;
