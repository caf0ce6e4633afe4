import type { OlapStore } from '../../store/olap/index.ts';
import { breakdownSql, NO_VALUE, type Breakdown } from '../breakdown.ts';
import { addDays } from '../dates.ts';
import { isBehaviour, personMap, personOf } from '../sql.ts';
import type { Timezone } from '../timezones.ts';
import { periodOf, periodSql, periodStart, type Granularity } from './retentionPeriods.ts';

/**
 * Cohort retention (docs/analytics-retention.md): people grouped by the day, week or month they did the
 * cohort event, and for each later period k = 1…N the share who did the return event in period k
 * ('n-day') or in period k or any later one ('unbounded').
 *
 * - cohortMode 'first': a person's cohort is the period of their first-ever cohort event (over all history
 *   before `to`), so each person is in at most one cohort; 'any': a person joins the cohort of every period
 *   in which they did the cohort event.
 * - cohortEvent / returnEvent null: any behaviour (track, page, screen).
 * - Cohorts are whole periods: `from` moves back to the start of its week or month. Returns count up to
 *   `to`; a cell whose period starts on or after `to` is null (not yet observable).
 *
 * One pass over the devices' active days (daysSource) grouped by person gives each person's cohort
 * period(s) and the set of periods they returned in; arrays turn that into a 0/1 vector per (person, cohort), summed per cohort with
 * sumForEach.
 */

/**
 * The days each device (distinct_id, user_id) did the cohort event (`c`) or the return event (`r`),
 * before `to` — from `from` on where only the range matters (returns; cohorts in 'any' mode). "Any
 * behaviour" comes from the half-hour activity rollups (every reporting timezone's midnight falls on a half
 * hour, so their days are the events' own), a named event from the events of that name only.
 */
function daysSource(db: string, p: RetentionParams): string {
  const until = 'AND timestamp < toDateTime({to:Date}, {tz:String})';
  const since = 'AND timestamp >= toDateTime({from:Date}, {tz:String})';
  const slots = (c: 0 | 1, r: 0 | 1, ranged: boolean) => `
      SELECT distinct_id, user_id, toDate(slot, {tz:String}) AS day, toUInt8(${c}) AS c, toUInt8(${r}) AS r
      FROM ${db}.activity_slots
      WHERE slot < toDateTime({to:Date}, {tz:String}) ${ranged ? 'AND slot >= toDateTime({from:Date}, {tz:String})' : ''}
      GROUP BY distinct_id, user_id, day`;
  const named = (c: string, r: string, ranged: boolean) => `
      SELECT distinct_id, user_id, toDate(timestamp, {tz:String}) AS day, toUInt8(${c}) AS c, toUInt8(${r}) AS r
      FROM ${db}.events
      WHERE ${isBehaviour} AND event IN ({cohortEvent:String}, {returnEvent:String}) ${until} ${ranged ? since : ''}
      GROUP BY distinct_id, user_id, day, c, r`;
  const any = p.cohortMode === 'any';
  if (p.cohortEvent === null && p.returnEvent === null) return slots(1, 1, any);
  // a null event's parameter is '' and matches unnamed pages too: the flags compare names, never assume them
  if (p.cohortEvent === null) return `${slots(1, 0, any)}\n      UNION ALL${named('0', 'event = {returnEvent:String}', true)}`;
  if (p.returnEvent === null) return `${named('event = {cohortEvent:String}', '0', any)}\n      UNION ALL${slots(0, 1, true)}`;
  return named('event = {cohortEvent:String}', 'event = {returnEvent:String}', any);
}

export type RetentionMode = 'n-day' | 'unbounded';
export type CohortMode = 'first' | 'any';
export const MAX_PERIODS = 52;

export interface RetentionParams {
  from: string;
  to: string;
  tz: Timezone;
  granularity: Granularity;
  /** periods after the cohort's own, 1…52 */
  periods: number;
  mode: RetentionMode;
  cohortEvent: string | null;
  cohortMode: CohortMode;
  returnEvent: string | null;
  /** only members of this segment */
  segment?: string;
  breakdown?: Breakdown;
}

export interface Cohort {
  /** first day of the cohort's period */
  start: string;
  size: number;
  /** people retained in period 0…N (period 0 is the cohort itself); null where not observable yet */
  retained: (number | null)[];
  /** retained / size */
  rates: (number | null)[];
}

export interface RetentionCurve {
  /** people retained in period k summed over the cohorts observable at k */
  retained: number[];
  /** the size of those cohorts */
  sizes: number[];
  /** retained / sizes; null where no cohort is observable or all are empty */
  rates: (number | null)[];
}

export interface Retention {
  range: { from: string; to: string; tz: Timezone };
  granularity: Granularity;
  periods: number;
  mode: RetentionMode;
  cohortMode: CohortMode;
  cohortEvent: string | null;
  returnEvent: string | null;
  cohorts: Cohort[];
  average: RetentionCurve;
  /** per breakdown group (the 20 largest): people in its cohorts and its average curve; null without a breakdown */
  groups: { group: string; size: number; curve: RetentionCurve }[] | null;
}

export const MAX_GROUPS = 20;

interface Row { total: number; grp: string; cohort: number; size: number; retained: number[] }

function curve(cohorts: { c: number; size: number; retained: number[] }[], last: number, n: number): RetentionCurve {
  const retained = new Array<number>(n + 1).fill(0);
  const sizes = new Array<number>(n + 1).fill(0);
  for (const co of cohorts) {
    for (let k = 0; k <= n && co.c + k <= last; k++) {
      retained[k]! += k === 0 ? co.size : co.retained[k - 1]!;
      sizes[k]! += co.size;
    }
  }
  return { retained, sizes, rates: retained.map((r, k) => (sizes[k] ? r / sizes[k]! : null)) };
}

export async function retention(olap: OlapStore, p: RetentionParams): Promise<Retention> {
  if (p.from >= p.to) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  if (!Number.isInteger(p.periods) || p.periods < 1 || p.periods > MAX_PERIODS) throw new RangeError(`periods must be 1…${MAX_PERIODS}`);
  const g = p.granularity;
  const first = periodOf(p.from, g);
  const last = periodOf(addDays(p.to, -1), g);
  const from = periodStart(first, g);
  const db = olap.db;
  const P = periodSql('e.day', g);
  const params: Record<string, unknown> = { from, to: p.to, tz: p.tz, first, n: p.periods, cohortEvent: p.cohortEvent ?? '', returnEvent: p.returnEvent ?? '' };
  const isCohort = 'e.c = 1';
  const isReturn = 'e.r = 1';
  const inRange = 'e.day >= {from:Date}';
  let members = '';
  if (p.segment !== undefined) {
    const seg = breakdownSql(db, { by: 'segment', segments: [p.segment] });
    members = `AND person IN (SELECT person_id FROM ${seg.sql.replaceAll('bd_segments', 'seg_segments')})`;
    params.seg_segments = [p.segment];
  }
  const bd = p.breakdown ? breakdownSql(db, p.breakdown) : null;
  if (bd) Object.assign(params, bd.params);

  // 'first' needs all history (a first event before `from` puts the person in no cohort); 'any' only the range
  const cohorts = p.cohortMode === 'first'
    ? `if(countIf(${isCohort}) > 0 AND minIf(${P}, ${isCohort}) >= {first:UInt32}, [minIf(${P}, ${isCohort})], [])`
    : `groupUniqArrayIf(${P}, ${isCohort} AND ${inRange})`;
  const vector = p.mode === 'n-day'
    ? `arrayMap(k -> toUInt64(has(returns, c + k)), range(1, {n:UInt32} + 1))`
    : `arrayMap(k -> toUInt64(arrayMax(arrayConcat([c], returns)) >= c + k), range(1, {n:UInt32} + 1))`;

  const sql = `
SELECT g.1 AS total, g.2 AS grp, c AS cohort, count() AS size, sumForEach(v) AS retained
FROM (
  SELECT person, c, ${vector} AS v
  FROM (
    SELECT ${personOf} AS person,
      ${cohorts} AS cs,
      groupUniqArrayIf(${P}, ${isReturn} AND ${inRange}) AS returns
    FROM (${daysSource(db, p)}) AS e
    LEFT JOIN ${personMap(db)} AS pm ON pm.distinct_id = e.distinct_id
    GROUP BY person
    HAVING notEmpty(cs) ${members}
  )
  ARRAY JOIN cs AS c
) AS r
${bd ? `LEFT JOIN (SELECT person_id, groupArray(if(grp = '', '${NO_VALUE}', grp)) AS grps FROM ${bd.sql} GROUP BY person_id) AS bd ON bd.person_id = r.person` : ''}
ARRAY JOIN arrayConcat([(1, '')], ${bd ? `arrayMap(x -> (0, x), if(empty(bd.grps), ['${NO_VALUE}'], bd.grps))` : '[]'}) AS g
GROUP BY total, grp, cohort`;
  const rows = (await olap.query<Row>(sql, params)).map((r) => ({
    total: Number(r.total), grp: r.grp, c: Number(r.cohort), size: Number(r.size), retained: r.retained.map(Number),
  }));

  const n = p.periods;
  const totals = new Map(rows.filter((r) => r.total === 1).map((r) => [r.c, r]));
  const list: Cohort[] = [];
  for (let c = first; c <= last; c++) {
    const r = totals.get(c);
    const size = r?.size ?? 0;
    const retained = Array.from({ length: n + 1 }, (_, k) => (c + k > last ? null : k === 0 ? size : (r?.retained[k - 1] ?? 0)));
    list.push({ start: periodStart(c, g), size, retained, rates: retained.map((x) => (x === null || size === 0 ? null : x / size)) });
  }

  let groups: Retention['groups'] = null;
  if (bd) {
    const byGroup = new Map<string, typeof rows>();
    for (const r of rows) if (r.total === 0) byGroup.set(r.grp, [...(byGroup.get(r.grp) ?? []), r]);
    groups = [...byGroup.entries()]
      .map(([group, cs]) => ({ group, size: cs.reduce((a, x) => a + x.size, 0), curve: curve(cs, last, n) }))
      .sort((a, b) => b.size - a.size || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
      .slice(0, MAX_GROUPS);
  }

  return {
    range: { from, to: p.to, tz: p.tz },
    granularity: g,
    periods: n,
    mode: p.mode,
    cohortMode: p.cohortMode,
    cohortEvent: p.cohortEvent,
    returnEvent: p.returnEvent,
    cohorts: list,
    average: curve([...totals.values()], last, n),
    groups,
  };
}
