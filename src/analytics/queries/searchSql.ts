import { devicePersons, personMap, personOf } from '../sql.ts';

/**
 * SQL pieces of the search report (queries/search.ts). Values travel as typed parameters; only the
 * database name is interpolated.
 */

/** A query as a keyword: whitespace runs collapsed to one space, trimmed, lower-cased. */
export const keywordOf = (col = 'query') => `lowerUTF8(trimBoth(replaceRegexpAll(${col}, '[[:space:]]+', ' ')))`;

/** The same normalisation in TypeScript (ClickHouse's [[:space:]] is ASCII whitespace; trimBoth trims spaces). */
export function normaliseKeyword(q: string): string {
  return q.replace(/[\t\n\v\f\r ]+/g, ' ').replace(/^ | $/g, '').toLowerCase();
}

/**
 * The result count a search reported, when it did: the first numeric one of `result_count`,
 * `results_count`, `num_results` (properties of Products Searched; the Segment spec names none).
 */
export const RESULT_COUNT_KEYS = ['result_count', 'results_count', 'num_results'] as const;
export const resultCountOf = `coalesce(${RESULT_COUNT_KEYS.map((k) => `JSONExtract(properties, '${k}', 'Nullable(Float64)')`).join(', ')})`;

/** Epoch milliseconds of a reporting day's midnight in {tz}. */
export const dayMs = (param: 'from' | 'to') => `(toInt64(toUnixTimestamp(toDateTime({${param}:Date}, {tz:String}))) * 1000)`;

/**
 * Events with their person resolved (as sql.ts `resolvedEvents`), between two instants given as SQL
 * expressions in epoch ms: the report follows a search past the range's end by its windows.
 */
export const eventsBetween = (db: string, columns: string[], fromMs: string, toMs: string, where: string) => `(
    SELECT ${[...columns.map((c) => `e.${c} AS ${c}`), `toUnixTimestamp64Milli(e.timestamp) AS ms`, `${personOf} AS person`].join(', ')}
    FROM ${db}.events AS e
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id
    WHERE e.timestamp >= fromUnixTimestamp64Milli(${fromMs}, 'UTC') AND e.timestamp < fromUnixTimestamp64Milli(${toMs}, 'UTC') AND (${where})
  )`;

 /**
 * The same without person resolution, for queries that aggregate per (distinct_id, user_id) first and
 * resolve persons afterwards with `perPerson`: the identity join then touches one row per id, not per event.
 */
export const rawEventsBetween = (db: string, columns: string[] /* expressions over `e`, with aliases */, fromMs: string, toMs: string, where: string) => `(
    SELECT ${[...columns, 'e.distinct_id AS distinct_id', 'e.user_id AS user_id', `toUnixTimestamp64Milli(e.timestamp) AS ms`].join(', ')}
    FROM ${db}.events AS e
    WHERE e.timestamp >= fromUnixTimestamp64Milli(${fromMs}, 'UTC') AND e.timestamp < fromUnixTimestamp64Milli(${toMs}, 'UTC') AND (${where})
  )`;

/**
 * Rows aggregated per (distinct_id, user_id) by `perId`, with the person they belong to (as sql.ts
 * `personOf`: the identity map, else the userId, else the distinct id). Group the result by person.
 */
export const perPerson = (db: string, perId: string) => `(
    SELECT d.*, coalesce(nullIf(pm.person_id, ''), if(d.user_id != '', d.user_id, d.distinct_id)) AS person
    FROM (${perId}) AS d
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = d.distinct_id
  )`;

/**
 * Track events of `behaviour_narrow` (migration 009: sorted by event and time, numeric device key,
 * keyword and order products worked out at insert) named in `events`, between two instants given as SQL
 * expressions in epoch ms, with `ms` and `device` and the `columns` asked for.
 */
export const narrowBetween = (db: string, columns: string[], events: string[], fromMs: string, toMs: string) => `(
    SELECT ${[...columns, 'device', 'toUnixTimestamp64Milli(timestamp) AS ms'].join(', ')}
    FROM ${db}.behaviour_narrow
    WHERE event IN (${events.map((e) => `'${e}'`).join(', ')}) AND type = 'track'
      AND timestamp >= fromUnixTimestamp64Milli(${fromMs}, 'UTC') AND timestamp < fromUnixTimestamp64Milli(${toMs}, 'UTC')
  )`;

/** Rows aggregated per `device` by `perDevice` (a query over narrowBetween), with their person: group the result by person. */
export const perDevicePerson = (db: string, perDevice: string) => `(
    SELECT d.*, dp.person AS person
    FROM (${perDevice}) AS d
    INNER JOIN ${devicePersons(db)} AS dp ON dp.device = d.device
  )`;

const VIEWS = `('Product Viewed', 'Product Clicked')`;

/**
 * Every search in range (with a non-blank keyword) and its outcome, as one row per person's search.
 *
 * Per person, sorted by time: searches (any query: a blank one still ends the previous search's window),
 * product views/clicks and orders. Events are read from the narrow copy (`behaviour_narrow`, migration
 * 009: keyword and order products precomputed), gathered per device (a number) and only then resolved
 * to persons, so the identity join sees one row per device.
 * Everything per person is a linear walk of one time line (fills and reverse cumulative sums), never a
 * lambda that carries the person's views into every search: ClickHouse copies captured arrays per element.
 * A search at t with the person's next search at n is
 * - clicked: a view/click at v with t < v ≤ t + click window and v < n
 * - purchased: an order at o with t < o ≤ t + attribution window containing a product clicked from it
 * - ordered: any order at o with t < o ≤ t + attribution window
 */
const searchOutcomes = (db: string) => `(
  SELECT person, o.1 AS at, o.2 AS keyword, o.3 AS clicked, o.4 AS purchased, o.5 AS ordered
  FROM (
    SELECT
      person,
      -- per element of the time line: the latest search before it and the next one after it
      arrayFill((x, f) -> f, arrayMap(v -> if(v.2 = 1, v.1, 0), tl), is_search) AS prev_search,
      arrayReverseFill((x, f) -> f, arrayMap(v -> if(v.2 = 1, v.1, 0), tl), is_search) AS next_search,
      -- a view that is a click-through of the search before it, and one whose product an order in that search's window holds
      arrayMap((v, a, b) -> toUInt32(v.2 = 0 AND v.1 > a AND v.1 <= a + {clickMs:Int64} AND v.1 < b), tl, prev_search, next_search) AS hit,
      -- (a lambda copies the arrays it captures once per element: without orders there is nothing to look up)
      if(empty(orders), arrayWithConstant(length(tl), toUInt32(0)),
         arrayMap((v, a, h) -> toUInt32(h = 1 AND arrayExists(x -> x.1 > a AND x.1 <= a + {windowMs:Int64} AND has(x.2, v.3), orders)), tl, prev_search, hit)) AS bought,
      -- counts from each element to the end; a search's own are its count less the next search's
      arrayReverse(arrayCumSum(arrayReverse(hit))) AS hits_after,
      arrayReverse(arrayCumSum(arrayReverse(bought))) AS bought_after,
      arrayPushBack(arrayPopFront(arrayReverseFill((x, f) -> f, hits_after, is_search)), 0) AS hits_next,
      arrayPushBack(arrayPopFront(arrayReverseFill((x, f) -> f, bought_after, is_search)), 0) AS bought_next,
      arrayFilter((v, f) -> f AND v.1.3 = 0, arrayZip(tl, hits_after, hits_next, bought_after, bought_next), is_search) AS searches,
      arrayMap(x -> (x.1.1, x.1.4, x.2 > x.3, x.4 > x.5,
                     arrayExists(o -> o.1 > x.1.1 AND o.1 <= x.1.1 + {windowMs:Int64}, orders)), searches) AS outs
    FROM (
      SELECT
        person,
        -- searches (kind 1, with their keyword) and views (kind 0, with the product hash) in time order,
        -- closed by a sentinel search (hash 1); a view at a search's instant sorts before it
        arrayPushBack(arraySort(groupArrayArray(d_tl)), (toInt64(9223372036854775807), toUInt8(1), toUInt64(1), '')) AS tl,
        arrayMap(v -> v.2 = 1, tl) AS is_search,
        groupArrayArray(d_orders) AS orders
      FROM ${perDevicePerson(db, `
        SELECT device,
          groupArrayIf((ms, toUInt8(event = 'Products Searched'), if(event = 'Products Searched', toUInt64(0), cityHash64(product_id)), keyword),
                       event = 'Products Searched' OR (event IN ${VIEWS} AND product_id != '')) AS d_tl,
          groupArrayIf((ms, line_products), event = 'Order Completed') AS d_orders
        FROM ${narrowBetween(db, ['event', 'keyword', 'product_id', 'line_products'], ['Products Searched', 'Product Viewed', 'Product Clicked', 'Order Completed'],
          dayMs('from'), `${dayMs('to')} + {reachMs:Int64}`)}
        GROUP BY device`)}
      GROUP BY person
      HAVING countIf(arrayExists(x -> x.2 = 1 AND x.1 < ${dayMs('to')} AND x.4 != '', d_tl)) > 0
    )
  )
  ARRAY JOIN outs AS o
  WHERE o.1 < ${dayMs('to')} AND o.2 != ''
)`;

/**
 * The searches' outcomes summed three ways in one pass: per keyword (kind 'keyword', the top
 * {maxKeywords:UInt32} by searches), per day (kind 'day') and over the range (kind 'all').
 */
export const searchOutcomesSql = (db: string) => `
SELECT
  multiIf(grouping(keyword, date) = 1, 'keyword', grouping(keyword, date) = 2, 'day', 'all') AS kind,
  keyword, toString(date) AS day,
  count() AS searches, uniqExact(person) AS searchers,
  countIf(clicked) AS clicked, countIf(purchased) AS purchased, countIf(ordered) AS ordered,
  count() OVER (PARTITION BY kind) AS rows
FROM (SELECT *, toDate(fromUnixTimestamp64Milli(at, 'UTC'), {tz:String}) AS date FROM ${searchOutcomes(db)})
GROUP BY GROUPING SETS ((keyword), (date), ())
ORDER BY kind, searches DESC, keyword, day
LIMIT {maxKeywords:UInt32} BY kind`;

/** Search events in range without persons (cheap): the day and keyword of each. */
const searchEvents = (db: string) => `(
  SELECT toDate(fromUnixTimestamp64Milli(ms, 'UTC'), {tz:String}) AS day, keyword
  FROM ${narrowBetween(db, ['keyword'], ['Products Searched'], dayMs('from'), dayMs('to'))}
)`;

/**
 * Daily searches of the {trendKeywords:UInt32} most searched keywords, plus one row (keyword '', day '')
 * counting the searches with a blank query.
 */
export const keywordTrendsSql = (db: string) => `
SELECT keyword, toString(day) AS day, count() AS searches
FROM ${searchEvents(db)}
WHERE keyword IN (SELECT keyword FROM ${searchEvents(db)} WHERE keyword != '' GROUP BY keyword ORDER BY count() DESC, keyword LIMIT {trendKeywords:UInt32})
GROUP BY keyword, day
UNION ALL
SELECT '' AS blank_keyword, '' AS blank_day, countIf(keyword = '') AS blank FROM ${searchEvents(db)}`;

/**
 * Zero-result searches by keyword: the searches that reported a result count (`counted`) and those
 * whose count was 0 (`zero`), top {limit:UInt32} by zero-result searches, with the totals on every row.
 * This reads the JSON properties of the range, so it is a query of its own.
 */
export const zeroResultsSql = (db: string) => `
SELECT keyword, count() AS searches, countIf(results = 0) AS zero, countIf(results IS NOT NULL) AS counted,
  sum(count()) OVER () AS total_searches, sum(countIf(results = 0)) OVER () AS total_zero, sum(countIf(results IS NOT NULL)) OVER () AS total_counted
FROM (
  SELECT ${keywordOf()} AS keyword, ${resultCountOf} AS results
  FROM ${rawEventsBetween(db, ['e.query AS query', 'e.properties AS properties'], dayMs('from'), dayMs('to'), `e.type = 'track' AND e.event = 'Products Searched'`)}
)
WHERE keyword != ''
GROUP BY keyword
ORDER BY zero DESC, searches DESC, keyword
LIMIT {limit:UInt32}`;
