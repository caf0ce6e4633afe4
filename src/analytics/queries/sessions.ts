import type { OlapStore } from '../../store/olap/index.ts';
import { datesIn } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { isView, pageTypeOf, sessionsSql } from './sessionsSql.ts';

/**
 * Sessions and browsing for [from, to) in a reporting timezone: how many sessions, how deep people
 * browse, how long they stay on a page, how many leave after one page — overall, per day, by page type
 * and by category.
 *
 * Definitions (docs/analytics-sessions.md):
 * - session: queries/sessionsSql.ts (session_id, else 30 minutes of inactivity); only sessions with at
 *   least one view count here
 * - view: a page or screen call, a 'Product Viewed' or a 'Product List Viewed'
 * - browse depth: views per session; bounce: a session with exactly one view; bounce rate = bounces /
 *   sessions
 * - dwell time of a view: seconds until the session's next view; the last view of a session has none
 *   (so a bounce has none); averages are over the views that have one
 * - session duration: seconds from the session's first to its last event of any kind
 * - a session's day is the day (in `tz`) of its first event
 * - page type: `product`, `product_list`, or the page/screen name (else its path)
 * - category: the view's category cut to `categoryLevel` levels of its '/' path ('(none)' when absent)
 * - per page type and category: views, sessions (with at least one such view), entries (first view),
 *   exits (last view), bounces (entries that were the only view), average dwell
 */

export interface SessionsParams {
  from: string;
  to: string;
  tz: Timezone;
  /** 1…3: how many levels of the category path to group by */
  categoryLevel: number;
  /** longest lists of page types and categories */
  limit: number;
}

export interface SessionTotals {
  sessions: number;
  persons: number;
  views: number;
  /** views per session */
  depth: number;
  bounces: number;
  bounceRate: number;
  /** seconds; null when no view has a next one */
  avgDwell: number | null;
  /** seconds */
  avgDuration: number;
}

export interface SessionDay { date: string; sessions: number; views: number; depth: number; bounceRate: number; avgDwell: number | null; avgDuration: number }
export interface SessionGroup { name: string; views: number; sessions: number; entries: number; exits: number; bounces: number; bounceRate: number; exitRate: number; avgDwell: number | null }
export interface DepthBucket { depth: string; sessions: number }

export interface Sessions {
  range: { from: string; to: string; tz: Timezone };
  totals: SessionTotals;
  trend: SessionDay[];
  pageTypes: SessionGroup[];
  categories: SessionGroup[];
  /** sessions by views: 1, 2, 3, 4, 5, 6–10, 11–20, 21+ */
  depthHistogram: DepthBucket[];
}

export const DEPTH_BUCKETS = ['1', '2', '3', '4', '5', '6-10', '11-20', '21+'] as const;

/**
 * One row per view with its session's facts; grouping sets over them give every table at once. A
 * session is identified by (person, its first event's time), hashed with cityHash64 so that the
 * distinct counts work on 64-bit keys (exact but for hash collisions, about 1 in 10^10 at a million sessions).
 */
const sessionsReportSql = (db: string) => `
WITH views AS (
  SELECT
    pkey,
    skey,
    start,
    duration,
    nviews,
    v.2 AS page_type,
    v.3 AS cat,
    i,
    dwell
  FROM (
    SELECT
      cityHash64(person) AS pkey,
      cityHash64(person, items[1].1) AS skey,
      items[1].1 AS start,
      (items[-1].1 - items[1].1) / 1000 AS duration,
      arrayMap(x -> (x.1, x.3, x.4), arrayFilter(x -> x.2 = 1, items)) AS vs,
      length(vs) AS nviews,
      arrayPushBack(arrayMap(d -> toNullable(d / 1000), arrayPopFront(arrayDifference(arrayMap(x -> x.1, vs)))), NULL) AS dwells
    FROM ${sessionsSql(db, {
      // names only for views: the other events need just their time and the flag
      item: `(toUnixTimestamp64Milli(timestamp), toUInt8(${isView}) AS is_view, if(is_view, ${pageTypeOf}, ''), if(NOT is_view OR category = '', '(none)', arrayStringConcat(arraySlice(splitByChar('/', category), 1, {level:UInt8}), '/')))`,
      columns: ['event', 'page_path', 'category'],
    })}
    WHERE nviews > 0
  )
  ARRAY JOIN vs AS v, dwells AS dwell, arrayEnumerate(vs) AS i
)
SELECT
  multiIf(isNotNull(page_type), 'page_type', isNotNull(cat), 'category', isNotNull(day), 'day', isNotNull(bucket), 'depth', 'total') AS kind,
  toString(multiIf(kind = 'page_type', page_type, kind = 'category', cat, kind = 'day', toString(day), kind = 'depth', bucket, '')) AS name,
  count() AS views,
  uniqExact(skey) AS sessions,
  uniqExactIf(pkey, i = 1) AS persons,
  countIf(i = 1) AS entries,
  countIf(i = nviews) AS exits,
  countIf(nviews = 1) AS bounces,
  sumIf(duration, i = 1) AS duration_sum,
  avg(dwell) AS avg_dwell
FROM (
  SELECT *, toDate(fromUnixTimestamp64Milli(start), {tz:String}) AS day,
    multiIf(nviews <= 5, toString(nviews), nviews <= 10, '6-10', nviews <= 20, '11-20', '21+') AS bucket
  FROM views
)
GROUP BY GROUPING SETS ((), (day), (page_type), (cat), (bucket))
SETTINGS group_by_use_nulls = 1`;

interface Row { kind: string; name: string; views: number; sessions: number; persons: number; entries: number; exits: number; bounces: number; duration_sum: number; avg_dwell: number | null }

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const dwellOf = (x: number | null) => (x === null || Number.isNaN(Number(x)) ? null : round(Number(x)));

export async function sessions(olap: OlapStore, p: SessionsParams): Promise<Sessions> {
  const params = { from: p.from, to: p.to, tz: p.tz, level: p.categoryLevel };
  const rows = await olap.query<Row>(sessionsReportSql(olap.db), params);
  const t = rows.find((r) => r.kind === 'total');
  const n = (x: unknown) => Number(x ?? 0);
  const totalSessions = n(t?.entries);
  const totals: SessionTotals = {
    sessions: totalSessions,
    persons: n(t?.persons),
    views: n(t?.views),
    depth: totalSessions ? round(n(t?.views) / totalSessions) : 0,
    bounces: n(t?.bounces),
    bounceRate: totalSessions ? n(t?.bounces) / totalSessions : 0,
    avgDwell: t ? dwellOf(t.avg_dwell) : null,
    avgDuration: totalSessions ? round(n(t?.duration_sum) / totalSessions) : 0,
  };
  const byDay = new Map(rows.filter((r) => r.kind === 'day').map((r) => [r.name, r]));
  const trend = datesIn(p.from, p.to).map((date) => {
    const r = byDay.get(date);
    const s = n(r?.entries);
    return { date, sessions: s, views: n(r?.views), depth: s ? round(n(r?.views) / s) : 0, bounceRate: s ? n(r?.bounces) / s : 0, avgDwell: r ? dwellOf(r.avg_dwell) : null, avgDuration: s ? round(n(r?.duration_sum) / s) : 0 };
  });
  const group = (kind: string) =>
    rows
      .filter((r) => r.kind === kind)
      .map((r) => ({
        name: r.name,
        views: n(r.views),
        sessions: n(r.sessions),
        entries: n(r.entries),
        exits: n(r.exits),
        bounces: n(r.bounces),
        bounceRate: n(r.entries) ? n(r.bounces) / n(r.entries) : 0,
        exitRate: n(r.views) ? n(r.exits) / n(r.views) : 0,
        avgDwell: dwellOf(r.avg_dwell),
      }))
      .sort((a, b) => b.views - a.views || (a.name < b.name ? -1 : 1))
      .slice(0, p.limit);
  const counts = new Map(rows.filter((r) => r.kind === 'depth').map((r) => [r.name, n(r.entries)]));
  return {
    range: { from: p.from, to: p.to, tz: p.tz },
    totals,
    trend,
    pageTypes: group('page_type'),
    categories: group('category'),
    depthHistogram: DEPTH_BUCKETS.map((depth) => ({ depth, sessions: counts.get(depth) ?? 0 })),
  };
}
