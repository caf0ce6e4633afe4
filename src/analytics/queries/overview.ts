import type { OlapStore } from '../../store/olap/index.ts';
import { addDays, datesIn, daysBetween } from '../dates.ts';
import { bound, completedOrders, isBehaviour, resolvedEvents } from '../sql.ts';
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

const inRange = (col: string) => `${col} >= ${bound('from')}`;

/**
 * One row per person seen before `to`: first message, first-touch channel, whether active in the
 * current and previous period, and their orders and GMV in each. Reports group it by channel (here)
 * or by a breakdown (breakdownReport.ts).
 */
export const personPeriodsSql = (db: string) => `(
  SELECT
    p.person AS person,
    p.first_seen AS first_seen,
    p.first_touch AS first_touch,
    p.active_cur AS active_cur,
    p.active_prev AS active_prev,
    b.orders_cur AS orders_cur,
    b.gmv_cur AS gmv_cur,
    b.orders_prev AS orders_prev,
    b.gmv_prev AS gmv_prev
  FROM (
    SELECT
      person,
      min(timestamp) AS first_seen,
      argMinIf(utm_source, timestamp, utm_source != '') AS first_touch,
      max(${isBehaviour} AND timestamp >= ${bound('from')}) AS active_cur,
      max(${isBehaviour} AND timestamp >= ${bound('prevFrom')} AND timestamp < ${bound('from')}) AS active_prev
    FROM ${resolvedEvents(db, ['type', 'timestamp', 'utm_source'])}
    GROUP BY person
  ) AS p
  LEFT JOIN (
    SELECT
      buyer,
      countIf(ts >= ${bound('from')}) AS orders_cur,
      sumIf(amount, ts >= ${bound('from')}) AS gmv_cur,
      countIf(ts >= ${bound('prevFrom')} AND ts < ${bound('from')}) AS orders_prev,
      sumIf(amount, ts >= ${bound('prevFrom')} AND ts < ${bound('from')}) AS gmv_prev
    FROM ${completedOrders(db)}
    GROUP BY buyer
  ) AS b ON b.buyer = p.person
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
FROM ${personPeriodsSql(db)}
GROUP BY channel`;

const trendSql = (db: string) => `
SELECT toString(date) AS date, sum(active) AS active_users, sum(n) AS orders, sum(value) AS gmv
FROM (
  SELECT toDate(timestamp, {tz:String}) AS date, uniqExact(person) AS active, toUInt64(0) AS n, toFloat64(0) AS value
  FROM ${resolvedEvents(db, ['type', 'timestamp'], inRange('e.timestamp'))}
  WHERE ${isBehaviour}
  GROUP BY date
  UNION ALL
  SELECT toDate(ts, {tz:String}) AS date, toUInt64(0) AS active, count() AS n, sum(amount) AS value
  FROM ${completedOrders(db)}
  WHERE ${inRange('ts')}
  GROUP BY date
)
GROUP BY date
ORDER BY date`;

const devicesSql = (db: string) => `
SELECT if(device = '', '${NONE}', device) AS device_type, sum(u) AS users, sum(n) AS orders, sum(value) AS gmv
FROM (
  SELECT toString(device_type) AS device, uniqExact(person) AS u, toUInt64(0) AS n, toFloat64(0) AS value
  FROM ${resolvedEvents(db, ['type', 'timestamp', 'device_type'], inRange('e.timestamp'))}
  WHERE ${isBehaviour}
  GROUP BY device
  UNION ALL
  SELECT toString(order_device) AS device, toUInt64(0) AS u, count() AS n, sum(amount) AS value
  FROM ${completedOrders(db)}
  WHERE ${inRange('ts')}
  GROUP BY device
)
GROUP BY device_type
ORDER BY users DESC, orders DESC, device_type`;

/** Each order line goes to its product's category (the event's category when the line has none); an order without products goes whole to the event's category. */
const categoriesSql = (db: string) => `
SELECT if(line.1 = '', '${NONE}', line.1) AS cat, sum(line.2) AS gmv, uniqExact(oid) AS orders
FROM ${completedOrders(db)}
ARRAY JOIN if(
  empty(order_products),
  [tuple(order_category, amount)],
  arrayMap(x -> tuple(if(x.category != '', x.category, order_category), x.price * x.quantity), order_products)
) AS line
WHERE ${inRange('ts')}
GROUP BY cat
ORDER BY gmv DESC, cat
LIMIT 10`;

const currencySql = (db: string) => `
SELECT toString(order_currency) AS currency, count() AS n
FROM ${completedOrders(db)}
WHERE ${inRange('ts')} AND order_currency != ''
GROUP BY currency
ORDER BY n DESC, currency
LIMIT 1`;

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
  const [people, trendRows, deviceRows, categoryRows, currencyRows] = await Promise.all([
    olap.query<PeopleRow>(peopleSql(db), params),
    olap.query<{ date: string; active_users: number; orders: number; gmv: number }>(trendSql(db), params),
    olap.query<{ device_type: string; users: number; orders: number; gmv: number }>(devicesSql(db), params),
    olap.query<{ cat: string; gmv: number; orders: number }>(categoriesSql(db), params),
    olap.query<{ currency: string }>(currencySql(db), params),
  ]);

  const sum = (k: keyof Omit<PeopleRow, 'channel'>) => people.reduce((a, r) => a + Number(r[k]), 0);
  const current = headline(sum('users'), sum('active_users'), sum('new_users'), sum('buyers'), sum('orders'), sum('gmv'));
  const previous = headline(sum('prev_users'), sum('prev_active_users'), sum('prev_new_users'), sum('prev_buyers'), sum('prev_orders'), sum('prev_gmv'));

  const byDate = new Map(trendRows.map((r) => [r.date, r]));
  const trend = datesIn(p.from, p.to).map((date) => {
    const r = byDate.get(date);
    return { date, activeUsers: Number(r?.active_users ?? 0), orders: Number(r?.orders ?? 0), gmv: money(r?.gmv ?? 0) };
  });

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
    currency: currencyRows[0]?.currency || 'CNY',
    current,
    previous,
    change: relativeChange(current, previous),
    trend,
    topCategories: categoryRows.map((r) => ({ category: r.cat, gmv: money(r.gmv), orders: Number(r.orders) })),
    devices: deviceRows.map((r) => ({ deviceType: r.device_type, users: Number(r.users), orders: Number(r.orders), gmv: money(r.gmv) })),
    channels,
  };
}
