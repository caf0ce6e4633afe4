import { devicePersons } from '../sql.ts';

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

/** Events between two instants given as SQL expressions in epoch ms, with `ms`, `distinct_id` and `user_id` (no person). */
export const rawEventsBetween = (db: string, columns: string[] /* expressions over `e`, with aliases */, fromMs: string, toMs: string, where: string) => `(
    SELECT ${[...columns, 'e.distinct_id AS distinct_id', 'e.user_id AS user_id', `toUnixTimestamp64Milli(e.timestamp) AS ms`].join(', ')}
    FROM ${db}.events AS e
    WHERE e.timestamp >= fromUnixTimestamp64Milli(${fromMs}, 'UTC') AND e.timestamp < fromUnixTimestamp64Milli(${toMs}, 'UTC') AND (${where})
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

/**
 * Rows aggregated per `device` by `perDevice` (a query over narrowBetween), with their person as a UInt64
 * hash (sql.ts `devicePersons`): group the result by person to count people.
 */
export const perDevicePerson = (db: string, perDevice: string) => `(
    SELECT d.*, dp.person AS person
    FROM (${perDevice}) AS d
    INNER JOIN ${devicePersons(db, 'hashes')} AS dp ON dp.device = d.device
  )`;

/**
 * narrowBetween's events with their person as a UInt64 hash (sql.ts `devicePersons`, joined per event
 * on the device number): group the result by person, once.
 */
export const narrowWithPerson = (db: string, columns: string[], events: string[], fromMs: string, toMs: string) => `(
    SELECT n.*, dp.person AS person
    FROM ${narrowBetween(db, columns, events, fromMs, toMs)} AS n
    INNER JOIN ${devicePersons(db, 'hashes')} AS dp ON dp.device = n.device
  )`;

const VIEWS = `('Product Viewed', 'Product Clicked')`;

/** A search's keyword as a number: its hash, 0 for a blank query (or any other event). */
const keywordKey = `if(event = 'Products Searched' AND keyword != '', cityHash64(keyword), toUInt64(0))`;

/**
 * One element of a person's time line as a single Int64 that sorts in time order: (ms·2 + 1 for a search,
 * 0 for a view)·2^20, plus the low 20 bits of the element's payload (keyword or product hash), so two
 * searches at one millisecond keep one order from run to run. A view at a search's instant sorts before
 * it. ms < 2^42 (until the year 2109) leaves the key inside Int64.
 */
const timelineKey = `bitOr(bitShiftLeft(toInt64(ms) * 2 + toInt64(event = 'Products Searched'), 20), toInt64(bitAnd(payload, 1048575)))`;
const keyMs = (k: string) => `bitShiftRight(${k}, 21)`;
/** the key that closes every time line: a search without keyword at the last representable ms (2^42 − 1) */
const CLOSING_KEY = `bitShiftLeft(toInt64(${2 ** 43 - 1}), 20)`;
const keyIsSearch = (k: string) => `bitAnd(bitShiftRight(${k}, 20), 1) = 1`;

/**
 * Every search in range (with a non-blank keyword) and its outcome, as one row per person's search, its
 * keyword as the hash `kh` (searchOutcomesSql joins the names back to its per-keyword rows).
 *
 * Per person, in time order: searches (any query: a blank one still ends the previous search's window),
 * product views/clicks and orders. Events are read from the narrow copy (`behaviour_narrow`, migration
 * 009: keyword and order products precomputed) and joined per event to their person's hash through the
 * device number (narrowWithPerson), so they are grouped by person once, with no string key.
 *
 * The time line is two plain arrays, not an array of tuples: the sort keys (timelineKey) and, in the same
 * order, the payloads (a search's keyword hash, a view's product hash). ClickHouse gathers and sorts
 * arrays of numbers several times faster than arrays of tuples (3.5M elements: 0.37 s against 0.8 s).
 * Everything per person is then a linear walk of the time line (fills and reverse cumulative sums), never
 * a lambda that carries the person's views into every search: ClickHouse copies captured arrays per element.
 * A search at t with the person's next search at n is
 * - clicked: a view/click at v with t < v ≤ t + click window and v < n
 * - purchased: an order at o with t < o ≤ t + attribution window containing a product clicked from it
 * - ordered: any order at o with t < o ≤ t + attribution window
 */
const searchOutcomes = (db: string) => `(
  SELECT person, o.1 AS at, o.2 AS kh, o.3 AS clicked, o.4 AS purchased, o.5 AS ordered
  FROM (
    SELECT
      person,
      -- per element of the time line: the latest search before it and the next one after it
      arrayFill((x, f) -> f, arrayMap((t, f) -> if(f, t, 0), ts, is_search), is_search) AS prev_search,
      arrayReverseFill((x, f) -> f, arrayMap((t, f) -> if(f, t, 0), ts, is_search), is_search) AS next_search,
      -- a view that is a click-through of the search before it, and one whose product an order in that search's window holds
      arrayMap((t, f, a, b) -> toUInt32(NOT f AND t > a AND t <= a + {clickMs:Int64} AND t < b), ts, is_search, prev_search, next_search) AS hit,
      -- (a lambda copies the arrays it captures once per element: without orders there is nothing to look up)
      if(empty(orders), arrayWithConstant(length(ts), toUInt32(0)),
         arrayMap((p, a, h) -> toUInt32(h = 1 AND arrayExists(x -> x.1 > a AND x.1 <= a + {windowMs:Int64} AND has(x.2, p), orders)), pays, prev_search, hit)) AS bought,
      -- counts from each element to the end; a search's own are its count less the next search's
      arrayReverse(arrayCumSum(arrayReverse(hit))) AS hits_after,
      arrayReverse(arrayCumSum(arrayReverse(bought))) AS bought_after,
      arrayPushBack(arrayPopFront(arrayReverseFill((x, f) -> f, hits_after, is_search)), 0) AS hits_next,
      arrayPushBack(arrayPopFront(arrayReverseFill((x, f) -> f, bought_after, is_search)), 0) AS bought_next,
      -- the searches with a keyword (the closing sentinel has none), each array filtered alone: zipping the
      -- whole time line into tuples first would build one tuple per view
      arrayMap((f, p) -> f AND p != 0, is_search, pays) AS keep,
      arrayZip(arrayFilter((x, c) -> c, ts, keep), arrayFilter((x, c) -> c, pays, keep),
               arrayFilter((x, c) -> c, hits_after, keep), arrayFilter((x, c) -> c, hits_next, keep),
               arrayFilter((x, c) -> c, bought_after, keep), arrayFilter((x, c) -> c, bought_next, keep)) AS searches,
      arrayMap(x -> (x.1, x.2, x.3 > x.4, x.5 > x.6,
                     arrayExists(o -> o.1 > x.1 AND o.1 <= x.1 + {windowMs:Int64}, orders)), searches) AS outs
    FROM (
      SELECT
        person, orders,
        -- searches and views in time order, closed by a sentinel search without keyword
        arrayPushBack(arraySort(k0), ${CLOSING_KEY}) AS keys,
        arrayPushBack(arraySort((p, k) -> k, p0, k0), toUInt64(0)) AS pays,
        arrayMap(k -> ${keyMs('k')}, keys) AS ts,
        arrayMap(k -> ${keyIsSearch('k')}, keys) AS is_search
      FROM (
        SELECT
          person,
          groupArrayIf(${timelineKey}, is_timeline) AS k0,
          groupArrayIf(payload, is_timeline) AS p0,
          groupArrayIf((ms, line_products), event = 'Order Completed') AS orders
        FROM (
          SELECT *,
            event = 'Products Searched' OR (event IN ${VIEWS} AND product_id != '') AS is_timeline,
            if(event = 'Products Searched', ${keywordKey}, cityHash64(product_id)) AS payload
          FROM ${narrowWithPerson(db, ['event', 'keyword', 'product_id', 'line_products'], ['Products Searched', 'Product Viewed', 'Product Clicked', 'Order Completed'],
            dayMs('from'), `${dayMs('to')} + {reachMs:Int64}`)}
        )
        GROUP BY person
        HAVING countIf(event = 'Products Searched' AND ms < ${dayMs('to')} AND keyword != '') > 0
      )
    )
  )
  ARRAY JOIN outs AS o
  WHERE o.1 < ${dayMs('to')} AND o.2 != 0
)`;

/**
 * The searches' outcomes summed three ways in one pass: per keyword (kind 'keyword', the top
 * {maxKeywords:UInt32} by searches), per day (kind 'day') and over the range (kind 'all').
 */
export const searchOutcomesSql = (db: string) => `
SELECT g.kind AS kind, k.name AS keyword, g.day AS day, g.searches AS searches, g.searchers AS searchers,
  g.clicked AS clicked, g.purchased AS purchased, g.ordered AS ordered, g.rows AS rows
FROM (
  SELECT
    multiIf(grouping(kh, date) = 1, 'keyword', grouping(kh, date) = 2, 'day', 'all') AS kind,
    kh, toString(date) AS day,
    count() AS searches, uniqExact(person) AS searchers,
    countIf(clicked) AS clicked, countIf(purchased) AS purchased, countIf(ordered) AS ordered,
    count() OVER (PARTITION BY kind) AS rows
  FROM (SELECT *, toDate(fromUnixTimestamp64Milli(at, 'UTC'), {tz:String}) AS date FROM ${searchOutcomes(db)})
  GROUP BY GROUPING SETS ((kh), (date), ())
) AS g
-- the keywords' names, by hash: the 'day' and 'all' rows (kh 0) find none and keep ''
LEFT ANY JOIN (
  SELECT ${keywordKey} AS h, any(keyword) AS name
  FROM ${narrowBetween(db, ['event', 'keyword'], ['Products Searched'], dayMs('from'), dayMs('to'))}
  WHERE keyword != ''
  GROUP BY h
) AS k ON k.h = g.kh
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
