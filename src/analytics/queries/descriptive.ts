import type { OlapStore } from '../../store/olap/index.ts';
import { addDays, datesIn, daysBetween } from '../dates.ts';
import { activeDevices, bound, deviceFirsts, personJoin } from '../sql.ts';
import type { Timezone } from '../timezones.ts';

/**
 * Active users for [from, to) in a reporting timezone: per day DAU, WAU and MAU, stickiness, and the
 * day's active users split into new and returning.
 *
 * Definitions (docs/analytics.md):
 * - active on a day: the person has a track/page/screen event that day (in `tz`); persons as in the
 *   overview (identity-merged)
 * - DAU(d): persons active on d; WAU(d): persons active on any of the 7 days d−6…d; MAU(d): on any of the
 *   30 days d−29…d (rolling windows ending on d, so the first days of a range look back before `from`)
 * - stickiness(d) = DAU(d) / MAU(d); the summary's stickiness is the mean of the daily ratios
 * - new on d: active on d and first seen (any message) on d; returning: active on d, first seen before.
 *   new + returning = DAU
 * All distinct counts are exact: `uniqExact` states per day, merged over the rolling window frames.
 */

export interface ActiveUsersParams { from: string; to: string; tz: Timezone }

export interface ActiveDay { date: string; dau: number; wau: number; mau: number; stickiness: number; newUsers: number; returningUsers: number }

export interface ActiveUsers {
  range: { from: string; to: string; tz: Timezone; days: number };
  days: ActiveDay[];
  summary: {
    /** mean DAU over the range's days */
    avgDau: number;
    /** WAU and MAU on the range's last day */
    wau: number;
    mau: number;
    /** mean of the daily DAU / MAU */
    stickiness: number;
    /** new and returning person-days summed over the range */
    newUsers: number;
    returningUsers: number;
  };
}

export const WAU_DAYS = 7;
export const MAU_DAYS = 30;

/**
 * Daily uniqExact states of active persons from MAU_DAYS − 1 days before `from`, merged over 7- and
 * 30-day frames. Activity is folded per device and day (half-hour rollups, sql.ts activeDevices) before
 * persons are resolved, as 64-bit hashes (sql.ts PersonKey): the states hold numbers, not ids.
 */
const rollingSql = (db: string, people = personJoin(db, 'hashes')) => `
SELECT toString(day) AS date, dau, wau, mau
FROM (
  SELECT
    day,
    uniqExactMerge(st) OVER (ORDER BY toUInt32(day) RANGE BETWEEN 0 PRECEDING AND CURRENT ROW) AS dau,
    uniqExactMerge(st) OVER (ORDER BY toUInt32(day) RANGE BETWEEN ${WAU_DAYS - 1} PRECEDING AND CURRENT ROW) AS wau,
    uniqExactMerge(st) OVER (ORDER BY toUInt32(day) RANGE BETWEEN ${MAU_DAYS - 1} PRECEDING AND CURRENT ROW) AS mau
  FROM (
    SELECT e.day AS day, uniqExactState(${people.person}) AS st
    FROM ${activeDevices(db, 'toDateTime({lookback:Date}, {tz:String})', { day: 'toDate(slot, {tz:String})' })} AS e
    ${people.join}
    GROUP BY day
    ORDER BY day WITH FILL FROM {lookback:Date} TO {to:Date}
  )
)
WHERE day >= {from:Date}
ORDER BY day`;

/** Each day's active persons against the day they were first seen (any message before `to`). */
const newReturningSql = (db: string, people = personJoin(db, 'hashes')) => `
SELECT toString(a.day) AS date, countIf(f.first_day = a.day) AS new_users, countIf(f.first_day < a.day) AS returning_users
FROM (
  SELECT DISTINCT e.day AS day, ${people.person} AS person
  FROM ${activeDevices(db, bound('from'), { day: 'toDate(slot, {tz:String})' })} AS e
  ${people.join}
) AS a
INNER JOIN (
  SELECT ${people.person} AS person, toDate(min(e.first_seen), {tz:String}) AS first_day
  FROM ${deviceFirsts(db)} AS e
  ${people.join}
  GROUP BY person
) AS f ON f.person = a.person
GROUP BY a.day`;

export async function activeUsers(olap: OlapStore, p: ActiveUsersParams): Promise<ActiveUsers> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const params = { from: p.from, to: p.to, tz: p.tz, lookback: addDays(p.from, -(MAU_DAYS - 1)) };
  const [rolling, split] = await Promise.all([
    olap.query<{ date: string; dau: number; wau: number; mau: number }>(rollingSql(olap.db), params),
    olap.query<{ date: string; new_users: number; returning_users: number }>(newReturningSql(olap.db), params),
  ]);
  const r = new Map(rolling.map((x) => [x.date, x]));
  const s = new Map(split.map((x) => [x.date, x]));
  // WITH FILL gives every day a row (an empty state on a quiet day), so its WAU/MAU still count the days before it
  const out: ActiveDay[] = [];
  for (const date of datesIn(p.from, p.to)) {
    const row = r.get(date);
    const dau = Number(row?.dau ?? 0);
    const wau = Number(row?.wau ?? 0);
    const mau = Number(row?.mau ?? 0);
    out.push({
      date, dau, wau, mau,
      stickiness: mau ? dau / mau : 0,
      newUsers: Number(s.get(date)?.new_users ?? 0),
      returningUsers: Number(s.get(date)?.returning_users ?? 0),
    });
  }
  const last = out[out.length - 1]!;
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    days: out,
    summary: {
      avgDau: Math.round((out.reduce((a, d) => a + d.dau, 0) / out.length) * 100) / 100,
      wau: last.wau,
      mau: last.mau,
      stickiness: out.reduce((a, d) => a + d.stickiness, 0) / out.length,
      newUsers: out.reduce((a, d) => a + d.newUsers, 0),
      returningUsers: out.reduce((a, d) => a + d.returningUsers, 0),
    },
  };
}
