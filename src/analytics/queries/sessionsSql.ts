/**
 * How the paths and sessions reports cut a person's activity into sessions, as SQL.
 *
 * A session is the events of one person that share a `session_id`, when the client sent one; events
 * without a `session_id` are split by inactivity: a new session starts after more than 30 minutes
 * without a track/page/screen event (the gap is measured between the person's own events without a
 * session id, in time order). Only events inside the report's range are read, so a session crossing
 * the range's first or last midnight is cut there.
 *
 * Everything happens in one GROUP BY per (person, session_id): the person's events are collected into
 * one array sorted by time and split with `arraySplit` where the gap is exceeded. Lambdas never
 * capture an array (ClickHouse would copy it per element); neighbours are compared through
 * `arrayDifference` or a shifted copy instead.
 */
import { bound, devicePersons, isBehaviour, resolvedEvents } from '../sql.ts';

/** inactivity that ends a session without a session_id, in milliseconds */
export const SESSION_GAP_MS = 30 * 60_000;

/**
 * For the time-sorted events `arr` and their epoch ms `ms` (SQL expressions), where each session without a
 * session_id begins: the first event, and each one more than SESSION_GAP_MS after the one before it (for
 * arraySplit). `arr` is enumerated rather than `ms`, so a lambda in `ms` is not written, and computed, twice.
 */
export const gapStarts = (ms: string, arr: string) => `arrayMap((d, i) -> i = 1 OR d > ${SESSION_GAP_MS}, arrayDifference(${ms}), arrayEnumerate(${arr}))`;

/** what the sequences and views are made of: page/screen views, and the shop's product and list views */
export const PRODUCT_VIEW = 'Product Viewed';
export const LIST_VIEW = 'Product List Viewed';

/** A page or screen is named by its name, else its path; a track event by its event name. */
export const stepName = `if(type = 'track', toString(event), if(event != '', toString(event), if(page_path != '', page_path, '(none)')))`;

/** The events that are views: page and screen calls, and the product and product-list views. */
export const isView = `(type IN ('page', 'screen') OR (type = 'track' AND event IN ('${PRODUCT_VIEW}', '${LIST_VIEW}')))`;

/**
 * A view's page type: `product` for a product view, `product_list` for a list (category or search
 * results) view, else the page/screen name (else its path).
 */
export const pageTypeOf = `multiIf(type = 'track' AND event = '${PRODUCT_VIEW}', 'product', type = 'track' AND event = '${LIST_VIEW}', 'product_list', event != '', toString(event), page_path != '', page_path, '(none)')`;

/**
 * One row per session: `person` (a UInt64 hash of the person id, sql.ts `PersonKey`) and `items`, the session's events as tuples sorted by time. `item` is
 * the tuple expression of one event and must start with the event's time in milliseconds
 * (`toUnixTimestamp64Milli(timestamp)`); `columns` are the event columns it reads; `where` narrows
 * the events further (they are always inside [from, to) and behaviour; unprefixed column names); `having` may drop whole (person,
 * session_id) groups early, e.g. those without the anchor of a path report.
 */
export function sessionsSql(db: string, o: { item: string; columns: string[]; where?: string; having?: string }): string {
  const columns = [...new Set(['type', 'timestamp', 'session_id', ...o.columns])];
  return `(
    SELECT person, s AS items
    FROM (
      SELECT person, session_id,
        arraySort(groupArray(${o.item})) AS evs,
        if(session_id = '',
           arraySplit((x, st) -> st, evs, ${gapStarts('arrayMap(x -> x.1, evs)', 'evs')}),
           [evs]) AS sessions
      FROM ${resolvedEvents(db, columns, `e.timestamp >= ${bound('from')} AND e.${isBehaviour}`, 'hashes')}
      ${o.where ? `WHERE ${o.where}` : ''}
      GROUP BY person, session_id
      ${o.having ? `HAVING ${o.having}` : ''}
    )
    ARRAY JOIN sessions AS s
  )`;
}

/**
 * cityHash64 of the step name (`stepName`), taken over the narrow copy's LowCardinality
 * columns, so ClickHouse hashes each distinct name once rather than every event's string.
 */
const stepHash = `if(type = 'track' OR event != '', cityHash64(event), if(page_path != '', cityHash64(page_path), cityHash64('(none)')))`;

/**
 * The behaviour events of [from, to) from the narrow copy (`behaviour_narrow`, migration 009: numeric device
 * key, LowCardinality names), with the `columns` asked for, the `extra` expressions over them, and `person`,
 * the hash of the person (sql.ts `devicePersons`, joined per event on the device number). (The sessions
 * report, which needs the category, reads `events`.)
 */
const narrowRangeEvents = (db: string, columns: string[], extra: string[] = []) => `(
    SELECT ${[...columns.map((c) => `n.${c} AS ${c}`), ...extra, 'dp.person AS person'].join(', ')}
    FROM ${db}.behaviour_narrow AS n
    INNER JOIN ${devicePersons(db, 'hashes')} AS dp ON dp.device = n.device
    WHERE n.timestamp >= ${bound('from')} AND n.timestamp < ${bound('to')}
  )`;

/**
 * The sessions of [from, to) as plain arrays, for reports that only need each event's place in time and its
 * step name (paths, entry/exit pages): read from the narrow copy, each (person, session_id) gathers one Int64
 * sort key per event (`key`, an expression over the narrow columns, `nh` — the step name's hash, stepHash —
 * and the `extra` expressions, whose time in ms is `key >> msShift`) and the name hashes, sorts both by the key
 * (plain arrays gather and sort about twice as fast as arrays of tuples; a key should hold the name hash's
 * low bits, so equal keys hold equal names and the two arrays stay aligned however a sort orders ties) and
 * cuts them as sessionsSql does. One row per session: `sk`, the sorted keys, and `sn`, the name hashes in key
 * order. `having` may drop whole (person, session_id) groups early.
 */
export const keyedSessions = (db: string, o: { key: string; msShift: number; extra?: string[]; having?: string }) => `(
    SELECT sk, sn
    FROM (
      SELECT
        arraySort(k0) AS keys,
        arraySort((nm, k) -> k, n0, k0) AS nms,
        if(sid = 0, ${gapStarts(`arrayMap(k -> bitShiftRight(k, ${o.msShift}), keys)`, 'keys')}, arrayMap(i -> i = 1, arrayEnumerate(keys))) AS starts,
        arraySplit((x, st) -> st, keys, starts) AS ks,
        arraySplit((x, st) -> st, nms, starts) AS ns
      FROM (
        SELECT person, if(session_id = '', toUInt64(0), cityHash64(session_id)) AS sid, groupArray(${o.key}) AS k0, groupArray(nh) AS n0
        FROM ${narrowRangeEvents(db, ['type', 'timestamp', 'session_id', 'event', 'page_path'], [`${stepHash} AS nh`, ...(o.extra ?? [])])}
        GROUP BY person, sid
        ${o.having ? `HAVING ${o.having}` : ''}
      )
    )
    ARRAY JOIN ks AS sk, ns AS sn
  )`;

/**
 * Every name a step can have, as a superset read from the narrow copy's LowCardinality columns alone (a
 * track's event, a page's name or path in [from, to)): (hashes, names), the hashes as stepHash's, to name
 * counted hashes with `transform` at the end, which is cheaper than naming each event.
 */
export const stepNames = (db: string) => `(
  SELECT (groupArray(cityHash64(name)), groupArray(name)) FROM (
    SELECT DISTINCT toString(event) AS name FROM ${db}.behaviour_narrow WHERE timestamp >= ${bound('from')} AND timestamp < ${bound('to')}
    UNION ALL
    SELECT DISTINCT toString(page_path) FROM ${db}.behaviour_narrow WHERE timestamp >= ${bound('from')} AND timestamp < ${bound('to')} AND type != 'track'
    UNION ALL
    SELECT '(none)'
  )
)`;
