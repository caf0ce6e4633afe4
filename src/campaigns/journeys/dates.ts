import type { OlapStore } from '../../store/olap/index.ts';

/** The shop-local date (YYYY-MM-DD) and minutes past midnight of an instant. */
export function localClock(ms: number, timezone: string): { date: string; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The month-days celebrated on a date: 29 February dates are kept on 28 February in common years. */
export function monthDaysOn(date: string): string[] {
  const md = [date.slice(5)];
  const year = Number(date.slice(0, 4));
  if (md[0] === '02-28' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) md.push('02-29');
  return md;
}

/**
 * People whose latest value of a date trait (YYYY-MM-DD…, from identify calls) falls on one of these
 * month-days, resolved to persons through person_ids.
 */
export async function peopleWithDateOn(olap: OlapStore, trait: string, monthDays: string[]): Promise<string[]> {
  const db = olap.db;
  const rows = await olap.query<{ person: string }>(
    `SELECT person FROM (
       SELECT if(pm.person_id != '', pm.person_id, e.distinct_id) AS person, JSONExtractString(e.traits, {trait:String}) AS value, e.timestamp AS timestamp
       FROM ${db}.events AS e
       LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id) AS pm ON pm.distinct_id = e.distinct_id
       WHERE e.type = 'identify' AND e.user_id != '' AND position(e.traits, {trait:String}) > 0)
     WHERE value != '' GROUP BY person HAVING substring(argMax(value, timestamp), 6, 5) IN {md:Array(String)}
     ORDER BY person`,
    { trait, md: monthDays },
  );
  return rows.map((r) => r.person);
}
