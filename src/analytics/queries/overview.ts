import type { OlapStore } from '../../store/olap/index.ts';
import { addDays, datesIn, daysBetween } from '../dates.ts';
import { activeDevices, bound, ordersSince, personJoin, type PersonKey } from '../sql.ts';
import type { Timezone } from '../timezones.ts';

/**
 * The shop at a glance for [from, to) in a reporting timezone: headline numbers against the previous
 * period of the same length, a daily trend, top categories, and splits by device and acquisition channel.
 *
 * Definitions (docs/analytics.md):
 * - person: identity-merged (person_ids), else userId, else anonymousId
 * - users: persons seen (any message) before `to`; active users: persons with a track/page/screen in
 *   range; new users: persons whose first message is in range
 * - orders: 'Order Completed' deduplicated by order_id (first occurrence wins); GMV: their revenue
 *   (the products' price × quantity when revenue is absent); AOV = GMV / orders
 * - conversion: buyers (persons with an order in range) / active users
 * - channel: the person's first non-empty utm_source (first touch), '(none)' when never tagged
 */

export interface OverviewParams {
  /** first day, YYYY-MM-DD, inclusive */
  from: string;
  /** day after the last, YYYY-MM-DD, exclusive */
  to: string;
  tz: Timezone;
}

export interface Headline {
  users: number;
  activeUsers: number;
  newUsers: number;
  buyers: number;
  orders: number;
  gmv: number;
  aov: number;
  conversion: number;
}

export interface TrendPoint { date: string; activeUsers: number; orders: number; gmv: number }
export interface CategoryRow { category: string; gmv: number; orders: number }
export interface DeviceRow { deviceType: string; users: number; orders: number; gmv: number }
export interface ChannelRow { channel: string; activeUsers: number; newUsers: number; buyers: number; orders: number; gmv: number }

export interface Overview {
  range: { from: string; to: string; tz: Timezone; days: number };
  previousRange: { from: string; to: string };
  /** the most used currency of the range's orders ('CNY' when none says) */
  currency: string;
  current: Headline;
  previous: Headline;
  /** relative change (current − previous) / previous; null when previous is 0 */
  change: Record<keyof Headline, number | null>;
  trend: TrendPoint[];
  topCategories: CategoryRow[];
  devices: DeviceRow[];
  channels: ChannelRow[];
}

/** '' (never recorded) is reported as this, for devices, channels and categories alike. */
export const NONE = '(none)';

/** headlineColumns as they come back */
export interface HeadlineRow {
  users: number; prev_users: number;
  active_users: number; prev_active_users: number;
  new_users: number; prev_new_users: number;
  buyers: number; prev_buyers: number;
  orders: number; prev_orders: number;
  gmv: number; prev_gmv: number;
}

interface PeopleRow extends HeadlineRow { channel: string }

/** far past any event: the "never" of a fold by minimum */
const NEVER = `toDateTime64('2299-12-31 00:00:00', 3, 'UTC')`;

/**
 * One row per person seen before `to`: first message, first-touch channel, whether active in the
 * current and previous period, and their orders and GMV in each. Reports group it by channel (here)
 * or by a breakdown (breakdownReport.ts). First message and first touch come precomputed per device
 * (person_firsts), activity from half-hour rollups (activity_slots), orders from order_events (first
 * occurrences in the two periods, sql.ts ordersSince): the three are stacked and folded per device in
 * one aggregation, so persons are resolved once, on one row per device, and no join matches rows of
 * the three. `persons` (sql.ts `PersonKey`): the person id, to join a breakdown by it, or its hash where
 * people are only counted.
 */
export const personPeriodsSql = (db: string, persons: PersonKey) => `(
  SELECT
    ${personJoin(db, persons).person} AS person,
    min(e.first_seen) AS first_seen,
    argMinIf(e.first_touch, e.touch_ts, e.first_touch != '') AS first_touch,
    max(e.active_cur) AS active_cur,
    max(e.active_prev) AS active_prev,
    sum(e.orders_cur) AS orders_cur,
    sum(e.gmv_cur) AS gmv_cur,
    sum(e.orders_prev) AS orders_prev,
    sum(e.gmv_prev) AS gmv_prev
  FROM (
    SELECT distinct_id, user_id, min(first_seen) AS first_seen, touch.1 AS touch_ts,
      if(touch.1 < ${bound('to')}, touch.2, '') AS first_touch,
      min(touch_any) AS touch,
      max(cur) AS active_cur, max(prev) AS active_prev,
      sum(o_cur) AS orders_cur, sum(g_cur) AS gmv_cur, sum(o_prev) AS orders_prev, sum(g_prev) AS gmv_prev
    FROM (
      SELECT distinct_id, user_id, first_seen, first_touch AS touch_any, 0 AS cur, 0 AS prev,
        0 AS o_cur, toFloat64(0) AS g_cur, 0 AS o_prev, toFloat64(0) AS g_prev
      FROM ${db}.person_firsts
      UNION ALL
      SELECT distinct_id, user_id, ${NEVER}, tuple(${NEVER}, ''), max(slot >= ${bound('from')}), max(slot < ${bound('from')}), 0, 0, 0, 0
      FROM ${db}.activity_slots
      WHERE slot >= ${bound('prevFrom')} AND slot < ${bound('to')}
      GROUP BY distinct_id, user_id
      UNION ALL
      SELECT distinct_id, user_id, ${NEVER}, tuple(${NEVER}, ''), 0, 0,
        countIf(ts >= ${bound('from')}), sumIf(amount, ts >= ${bound('from')}), countIf(ts < ${bound('from')}), sumIf(amount, ts < ${bound('from')})
      FROM ${ordersSince(db, 'prevFrom', true)}
      GROUP BY distinct_id, user_id
    )
    GROUP BY distinct_id, user_id
    HAVING first_seen < ${bound('to')}
  ) AS e
  ${personJoin(db, persons).join}
  GROUP BY person
)`;

/** The headline columns of a group of personPeriodsSql rows, both periods. */
export const headlineColumns = `
  count() AS users,
  countIf(first_seen < ${bound('from')}) AS prev_users,
  countIf(active_cur) AS active_users,
  countIf(active_prev) AS prev_active_users,
  countIf(first_seen >= ${bound('from')}) AS new_users,
  countIf(first_seen >= ${bound('prevFrom')} AND first_seen < ${bound('from')}) AS prev_new_users,
  countIf(orders_cur > 0) AS buyers,
  countIf(orders_prev > 0) AS prev_buyers,
  sum(orders_cur) AS orders,
  sum(orders_prev) AS prev_orders,
  sum(gmv_cur) AS gmv,
  sum(gmv_prev) AS prev_gmv`;

/** Persons by first-touch channel with their activity in both periods; summed they are the headline. */
const peopleSql = (db: string) => `
SELECT if(first_touch = '', '${NONE}', first_touch) AS channel, ${headlineColumns}
FROM ${personPeriodsSql(db, 'hashes')}
GROUP BY channel`;

/**
 * Active persons of the range per day and per device type in one pass (grouping sets over the
 * half-hour rollups folded per device, day and device type, then resolved to persons).
 */
const activitySql = (db: string) => `
SELECT if(isNotNull(date), 'date', 'device') AS kind, toString(if(kind = 'date', toString(date), device)) AS key, uniqExact(person) AS users
FROM (
  SELECT e.date AS date, toString(e.device_type) AS device, ${personJoin(db, 'hashes').person} AS person
  FROM ${activeDevices(db, bound('from'), { date: 'toDate(slot, {tz:String})', device_type: 'device_type' })} AS e
  ${personJoin(db, 'hashes').join}
)
GROUP BY GROUPING SETS ((date), (device))
SETTINGS group_by_use_nulls = 1`;

/**
 * The range's orders once, one row per order line, aggregated by day, device, currency and category
 * together: an order counts once per day/device/currency (its first line, li = 1); each line's
 * price × quantity goes to its product's category (the event's category when the line has none) and an
 * order without products goes whole to the event's category.
 */
const ordersSql = (db: string) => `
SELECT
  multiIf(isNotNull(date), 'date', isNotNull(device), 'device', isNotNull(currency), 'currency', 'category') AS kind,
  toString(multiIf(kind = 'date', toString(date), kind = 'device', device, kind = 'currency', currency, cat)) AS key,
  countIf(li = 1) AS orders,
  sumIf(amount, li = 1) AS gmv,
  sum(line.2) AS line_gmv,
  uniqExact(oid) AS touching
FROM (
  SELECT oid, amount, toDate(ts, {tz:String}) AS date, toString(order_device) AS device, toString(order_currency) AS currency,
    if(empty(order_products),
       [tuple(order_category, amount)],
       arrayMap(x -> tuple(if(x.category != '', x.category, order_category), x.price * x.quantity), order_products)) AS lines
  FROM ${ordersSince(db, 'from')}
)
ARRAY JOIN lines AS line, arrayEnumerate(lines) AS li
GROUP BY GROUPING SETS ((date), (device), (currency), (if(line.1 = '', '${NONE}', line.1) AS cat))
SETTINGS group_by_use_nulls = 1`;

const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const money = (x: number) => Math.round(Number(x) * 100) / 100;

export function headline(users: number, activeUsers: number, newUsers: number, buyers: number, orders: number, gmv: number): Headline {
  return {
    users, activeUsers, newUsers, buyers, orders,
    gmv: money(gmv),
    aov: orders ? money(gmv / orders) : 0,
    conversion: activeUsers ? buyers / activeUsers : 0,
  };
}

export function relativeChange(cur: Headline, prev: Headline): Record<keyof Headline, number | null> {
  const out = {} as Record<keyof Headline, number | null>;
  for (const k of Object.keys(cur) as (keyof Headline)[]) out[k] = prev[k] ? (cur[k] - prev[k]) / prev[k] : null;
  return out;
}

export async function overview(olap: OlapStore, p: OverviewParams): Promise<Overview> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const prevFrom = addDays(p.from, -days);
  const params = { from: p.from, to: p.to, prevFrom, tz: p.tz };
  const db = olap.db;
  const [people, activity, orderRows] = await Promise.all([
    olap.query<PeopleRow>(peopleSql(db), params),
    olap.query<{ kind: string; key: string; users: number }>(activitySql(db), params),
    olap.query<{ kind: string; key: string; orders: number; gmv: number; line_gmv: number; touching: number }>(ordersSql(db), params),
  ]);

  const sum = (k: keyof Omit<PeopleRow, 'channel'>) => people.reduce((a, r) => a + Number(r[k]), 0);
  const current = headline(sum('users'), sum('active_users'), sum('new_users'), sum('buyers'), sum('orders'), sum('gmv'));
  const previous = headline(sum('prev_users'), sum('prev_active_users'), sum('prev_new_users'), sum('prev_buyers'), sum('prev_orders'), sum('prev_gmv'));

  const of = <T extends { kind: string; key: string }>(rows: T[], kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.key, r]));
  const activeByDate = of(activity, 'date');
  const ordersByDate = of(orderRows, 'date');
  const trend = datesIn(p.from, p.to).map((date) => ({
    date,
    activeUsers: Number(activeByDate.get(date)?.users ?? 0),
    orders: Number(ordersByDate.get(date)?.orders ?? 0),
    gmv: money(ordersByDate.get(date)?.gmv ?? 0),
  }));

  // devices: active persons by the device of their events, orders by the device of the order event; '' is (none)
  const deviceMap = new Map<string, DeviceRow>();
  const device = (key: string) => {
    const name = key === '' ? NONE : key;
    return deviceMap.get(name) ?? deviceMap.set(name, { deviceType: name, users: 0, orders: 0, gmv: 0 }).get(name)!;
  };
  for (const r of activity) if (r.kind === 'device') device(r.key).users += Number(r.users);
  for (const r of orderRows) {
    if (r.kind !== 'device') continue;
    device(r.key).orders += Number(r.orders);
    device(r.key).gmv += Number(r.gmv);
  }
  const devices = [...deviceMap.values()]
    .map((d) => ({ ...d, gmv: money(d.gmv) }))
    .sort((a, b) => b.users - a.users || b.orders - a.orders || bytewise(a.deviceType, b.deviceType));

  const topCategories = orderRows
    .filter((r) => r.kind === 'category')
    .map((r) => ({ category: r.key, gmv: Number(r.line_gmv), orders: Number(r.touching) }))
    .sort((a, b) => b.gmv - a.gmv || bytewise(a.category, b.category))
    .slice(0, 10)
    .map((c) => ({ ...c, gmv: money(c.gmv) }));

  const currency = orderRows
    .filter((r) => r.kind === 'currency' && r.key !== '')
    .sort((a, b) => Number(b.orders) - Number(a.orders) || bytewise(a.key, b.key))[0]?.key;

  const channels = people
    .filter((r) => Number(r.active_users) > 0 || Number(r.new_users) > 0 || Number(r.orders) > 0)
    .map((r) => ({
      channel: r.channel,
      activeUsers: Number(r.active_users),
      newUsers: Number(r.new_users),
      buyers: Number(r.buyers),
      orders: Number(r.orders),
      gmv: money(r.gmv),
    }))
    .sort((a, b) => b.activeUsers - a.activeUsers || b.gmv - a.gmv || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));

  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    previousRange: { from: prevFrom, to: p.from },
    currency: currency || 'CNY',
    current,
    previous,
    change: relativeChange(current, previous),
    trend,
    topCategories,
    devices,
    channels,
  };
}
