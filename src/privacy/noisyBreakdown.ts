import { breakdownSql, NO_VALUE, type Breakdown } from '../analytics/breakdown.ts';
import { addDays, daysBetween } from '../analytics/dates.ts';
import type { BreakdownMetric, MetricBreakdown } from '../analytics/queries/breakdownReport.ts';
import { headline, personPeriodsSql, relativeChange } from '../analytics/queries/overview.ts';
import type { Timezone } from '../analytics/timezones.ts';
import type { OlapStore } from '../store/olap/index.ts';
import { withoutSmallGroups } from './groups.ts';
import { ReportNoise, type NoiseMarker } from './noise.ts';

/**
 * A headline metric broken down with differential-privacy noise (docs/privacy.md, "Differential privacy").
 * The same groups and definitions as the exact breakdown (src/analytics/queries/breakdownReport.ts), but each
 * person's orders and GMV are clipped per period before they are summed (`ordersClip`, `gmvClip`), so one
 * person moves a sum by at most the clip. Noisy cells, per group shown and for the total: the active people
 * of both periods (the `people` columns, which the minimum group size is checked on, exactly, first), and
 * the metric's parts in both periods — GMV and orders for AOV, buyers for conversion. A person is in one
 * group of a tag breakdown and in any of a segment breakdown's; the budget is split accordingly.
 */

export interface NoisyBreakdownParams {
  from: string;
  to: string;
  tz: Timezone;
  metric: BreakdownMetric;
  breakdown: Breakdown;
  dp: { epsilon: number; gmvClip: number; ordersClip: number };
  minGroupSize: number;
}

interface ClippedRow {
  grp: string;
  active_users: string; prev_active_users: string;
  new_users: string; prev_new_users: string;
  buyers: string; prev_buyers: string;
  orders: string; prev_orders: string;
  gmv: string; prev_gmv: string;
}

// the headline columns of breakdownReport.ts with each person's orders and GMV clipped
const clippedColumns = `
  countIf(active_cur) AS active_users,
  countIf(active_prev) AS prev_active_users,
  countIf(first_seen >= {from:Date}) AS new_users,
  countIf(first_seen >= {prevFrom:Date} AND first_seen < {from:Date}) AS prev_new_users,
  countIf(orders_cur > 0) AS buyers,
  countIf(orders_prev > 0) AS prev_buyers,
  sum(least(orders_cur, {ordersClip:UInt32})) AS orders,
  sum(least(orders_prev, {ordersClip:UInt32})) AS prev_orders,
  sum(least(gmv_cur, {gmvClip:Float64})) AS gmv,
  sum(least(gmv_prev, {gmvClip:Float64})) AS prev_gmv`;

// a tag's groups add up to the total; segments may overlap, so then the total is counted on its own
const groupsSql = (db: string, bd: string, overlapping: boolean) => `
SELECT 0 AS total, if(ifNull(bd.grp, '') = '', '${NO_VALUE}', assumeNotNull(bd.grp)) AS grp, ${clippedColumns}
FROM ${personPeriodsSql(db, 'ids')} AS x
LEFT JOIN ${bd} AS bd ON bd.person_id = x.person
GROUP BY grp${overlapping ? `
UNION ALL
SELECT 1 AS total, '' AS grp, ${clippedColumns} FROM ${personPeriodsSql(db, 'ids')}` : ''}`;

/** The parts each metric is computed from: people counts and clipped sums. */
const PARTS: Record<BreakdownMetric, { counts: ('buyers' | 'new_users')[]; sums: ('orders' | 'gmv')[] }> = {
  gmv: { counts: [], sums: ['gmv'] },
  orders: { counts: [], sums: ['orders'] },
  aov: { counts: [], sums: ['gmv', 'orders'] },
  buyers: { counts: ['buyers'], sums: [] },
  activeUsers: { counts: [], sums: [] },
  conversion: { counts: ['buyers'], sums: [] },
  newUsers: { counts: ['new_users'], sums: [] },
};

export async function noisyMetricBreakdown(olap: OlapStore, p: NoisyBreakdownParams): Promise<MetricBreakdown & { suppressedGroups: number; privacy: NoiseMarker }> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const prevFrom = addDays(p.from, -days);
  const bd = breakdownSql(olap.db, p.breakdown);
  const params = { from: p.from, to: p.to, prevFrom, tz: p.tz, ordersClip: p.dp.ordersClip, gmvClip: p.dp.gmvClip, ...bd.params };
  const overlapping = p.breakdown.by !== 'tag';
  const rows = await olap.query<ClippedRow & { total: string | number }>(groupsSql(olap.db, bd.sql, overlapping), params);
  const exact = (r: ClippedRow) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'grp' ? v : Number(v)])) as unknown as Record<Exclude<keyof ClippedRow, 'grp'>, number> & { grp: string };
  const sumOf = (list: ClippedRow[]) => {
    const keys = ['active_users', 'prev_active_users', 'new_users', 'prev_new_users', 'buyers', 'prev_buyers', 'orders', 'prev_orders', 'gmv', 'prev_gmv'] as const;
    return { grp: '', ...Object.fromEntries(keys.map((k) => [k, list.reduce((a, r) => a + Number(r[k]), 0)])) } as ReturnType<typeof exact>;
  };
  const total = overlapping ? exact(rows.find((r) => Number(r.total) === 1)!) : sumOf(rows);
  const value = (r: typeof total, prev: '' | 'prev_') =>
    headline(0, r[`${prev}active_users`], r[`${prev}new_users`], r[`${prev}buyers`], r[`${prev}orders`], r[`${prev}gmv`])[p.metric];
  // as in the exact report: groups with nothing in either period are left out
  const all = rows.filter((r) => Number(r.total) === 0).map(exact).filter((g) => value(g, '') !== 0 || value(g, 'prev_') !== 0);
  // the minimum group size on exact counts, before any noise (as the exact report checks it)
  const kept = withoutSmallGroups(all, (g) => Math.min(...[g.active_users, g.prev_active_users].filter((n) => n > 0), Infinity), p.minGroupSize);
  const groups = kept.groups ?? [];
  const parts = PARTS[p.metric];
  const perRow = 2 * (1 + parts.counts.length + parts.sums.length);
  // a tag puts each person in one group (its top value for a ranked tag): their group's cells and the
  // total's; segments may overlap, so then every group's
  const noise = new ReportNoise(
    { epsilon: p.dp.epsilon },
    perRow * (1 + (p.breakdown.by === 'tag' ? Math.min(1, groups.length) : groups.length)),
    parts.sums.map((what) => ({ what, clip: what === 'gmv' ? p.dp.gmvClip : p.dp.ordersClip })),
    p.minGroupSize,
  );
  const noisy = (r: typeof total) => {
    const out = { ...r };
    for (const c of ['active_users', ...parts.counts] as const) {
      out[c] = noise.count(r[c]);
      out[`prev_${c}`] = noise.count(r[`prev_${c}`]);
    }
    for (const s of parts.sums) {
      out[s] = noise.sum(s, r[s], s === 'gmv' ? 2 : 0);
      out[`prev_${s}`] = noise.sum(s, r[`prev_${s}`], s === 'gmv' ? 2 : 0);
    }
    const cur = headline(0, out.active_users, out.new_users, out.buyers, out.orders, out.gmv);
    const prev = headline(0, out.prev_active_users, out.prev_new_users, out.prev_buyers, out.prev_orders, out.prev_gmv);
    return { current: cur[p.metric], previous: prev[p.metric], change: relativeChange(cur, prev)[p.metric], people: out.active_users, previousPeople: out.prev_active_users };
  };
  const t = noisy(total);
  const additive = p.metric !== 'aov' && p.metric !== 'conversion';
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    previousRange: { from: prevFrom, to: p.from },
    metric: p.metric,
    total: { current: t.current, previous: t.previous, change: t.change },
    groups: groups
      .map((g) => {
        const v = noisy(g);
        return { group: g.grp, ...v, share: additive ? (t.current ? v.current / t.current : 0) : null };
      })
      .sort((a, b) => b.current - a.current || b.previous - a.previous || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)),
    suppressedGroups: kept.suppressedGroups,
    privacy: noise.marker(),
  };
}
