import type { OlapStore } from '../../store/olap/index.ts';
import { breakdownSql, NO_VALUE, type Breakdown } from '../breakdown.ts';
import { addDays, daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { headline, headlineColumns, personPeriodsSql, relativeChange, type Headline, type HeadlineRow } from './overview.ts';

/**
 * One headline metric of the overview broken down by a person attribute (device, channel, city tier,
 * a tag or segments — src/analytics/breakdown.ts), for [from, to) and the previous period of the same
 * length. The metrics mean exactly what they mean in the overview; a person is in the group of their
 * current breakdown value (today's tag value or membership, not the value they had back then), or in
 * `(none)` when they have none. With segments a person in several is counted in each, so the groups
 * may add up to more than the total.
 */

export const BREAKDOWN_METRICS = ['gmv', 'orders', 'aov', 'buyers', 'activeUsers', 'conversion', 'newUsers'] as const;
export type BreakdownMetric = (typeof BREAKDOWN_METRICS)[number];

export interface MetricBreakdownParams { from: string; to: string; tz: Timezone; metric: BreakdownMetric; breakdown: Breakdown }

export interface MetricValue { current: number; previous: number; change: number | null }
export interface MetricGroup extends MetricValue {
  group: string;
  /** the group's share of the total's current value (additive metrics only; null for aov and conversion) */
  share: number | null;
  /** people active in the group in the range and in the previous period (what the minimum group size is checked against) */
  people: number;
  previousPeople: number;
}

export interface MetricBreakdown {
  range: { from: string; to: string; tz: Timezone; days: number };
  previousRange: { from: string; to: string };
  metric: BreakdownMetric;
  total: MetricValue;
  /** largest current value first */
  groups: MetricGroup[];
}

const RATIOS: BreakdownMetric[] = ['aov', 'conversion'];

// a tag's group column is Nullable (a number tag's value goes through toString), so a LEFT JOIN miss is
// NULL rather than '': both mean "no value"
const groupsSql = (db: string, bd: string) => `
SELECT if(ifNull(bd.grp, '') = '', '${NO_VALUE}', assumeNotNull(bd.grp)) AS grp, ${headlineColumns}
FROM ${personPeriodsSql(db, 'ids')} AS x
LEFT JOIN ${bd} AS bd ON bd.person_id = x.person
GROUP BY grp`;

const totalSql = (db: string) => `SELECT ${headlineColumns} FROM ${personPeriodsSql(db, 'hashes')}`;

function headlines(r: HeadlineRow): { cur: Headline; prev: Headline } {
  const n = (x: unknown) => Number(x ?? 0);
  return {
    cur: headline(n(r.users), n(r.active_users), n(r.new_users), n(r.buyers), n(r.orders), n(r.gmv)),
    prev: headline(n(r.prev_users), n(r.prev_active_users), n(r.prev_new_users), n(r.prev_buyers), n(r.prev_orders), n(r.prev_gmv)),
  };
}

function sumRows(rows: HeadlineRow[]): HeadlineRow {
  const out = { users: 0, prev_users: 0, active_users: 0, prev_active_users: 0, new_users: 0, prev_new_users: 0, buyers: 0, prev_buyers: 0, orders: 0, prev_orders: 0, gmv: 0, prev_gmv: 0 };
  for (const r of rows) for (const k of Object.keys(out) as (keyof HeadlineRow)[]) out[k] += Number(r[k]);
  return out;
}

function valueOf(r: HeadlineRow, metric: BreakdownMetric): MetricValue {
  const { cur, prev } = headlines(r);
  return { current: cur[metric], previous: prev[metric], change: relativeChange(cur, prev)[metric] };
}

export async function metricBreakdown(olap: OlapStore, p: MetricBreakdownParams): Promise<MetricBreakdown> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const prevFrom = addDays(p.from, -days);
  const bd = breakdownSql(olap.db, p.breakdown);
  const params = { from: p.from, to: p.to, prevFrom, tz: p.tz, ...bd.params };
  // a tag puts each person in one group, so the groups sum to the total; segments may overlap
  const [rows, tot] = await Promise.all([
    olap.query<HeadlineRow & { grp: string }>(groupsSql(olap.db, bd.sql), params),
    p.breakdown.by === 'segment' ? olap.query<HeadlineRow>(totalSql(olap.db), params).then((r) => r[0]!) : null,
  ]);
  const total = valueOf(tot ?? sumRows(rows), p.metric);
  const additive = !RATIOS.includes(p.metric);
  const groups = rows
    .map((r) => {
      const v = valueOf(r, p.metric);
      return { group: r.grp, ...v, share: additive ? (total.current ? v.current / total.current : 0) : null, people: Number(r.active_users ?? 0), previousPeople: Number(r.prev_active_users ?? 0) };
    })
    // people merely known (no activity in either period) would make empty rows
    .filter((g) => g.current !== 0 || g.previous !== 0)
    .sort((a, b) => b.current - a.current || b.previous - a.previous || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    previousRange: { from: prevFrom, to: p.from },
    metric: p.metric,
    total,
    groups,
  };
}
