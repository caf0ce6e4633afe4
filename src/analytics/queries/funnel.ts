import type { OlapStore } from '../../store/olap/index.ts';
import { breakdownSql, NO_VALUE, type Breakdown } from '../breakdown.ts';
import { daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { distinctSteps, funnelPersonsSql, type FunnelCore, type FunnelOrder } from './funnelLevels.ts';

/**
 * A conversion funnel over [from, to): how many people reached each step, conversion and drop-off, the
 * median and p90 time between consecutive steps, overall and per breakdown group (docs/analytics-funnels.md).
 *
 * One statement: windowFunnel per person (funnelLevels.ts), then for people past step 1 the chain their
 * times are measured on — the latest step-1 event whose earliest continuation reaches their furthest step
 * (each next step the first event after the previous one, not the same event, within the window) — then
 * one row per (person, step) aggregated by group and step, with the breakdown joined as an array so a
 * person counts once in the total.
 */

export interface FunnelParams extends FunnelCore {
  breakdown?: Breakdown;
}

export interface FunnelStepResult {
  /** 1-based */
  step: number;
  event: string;
  /** people who reached this step */
  count: number;
  /** count / step 1's count */
  conversionFromStart: number;
  /** count / previous step's count (1 for step 1) */
  conversionFromPrevious: number;
  /** reached this step but not the next (0 for the last step) */
  dropped: number;
  /** dropped / count */
  dropOffRate: number;
  /** seconds from the previous step, over the people who reached this one; null for step 1 or nobody */
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface FunnelGroup {
  group: string;
  steps: FunnelStepResult[];
}

export interface Funnel {
  range: { from: string; to: string; tz: Timezone; days: number };
  windowMs: number;
  order: FunnelOrder;
  steps: FunnelStepResult[];
  /** per breakdown group (the 20 with most entrants), null without a breakdown */
  groups: FunnelGroup[] | null;
  /** breakdown groups left out of `groups` */
  otherGroups: number;
}

export const MAX_GROUPS = 20;

const ZERO = 'toUInt64(0)';
const MISSING = `(${ZERO}, ${ZERO})`;

/**
 * Per person: `dts`, the seconds from step k − 1 to step k (k = 1…n, NULL where not reached) on the chain
 * their times are read from. Each step-1 event in range is a candidate start (latest first) and is
 * continued greedily — each next step the first event after the previous one (not the same event) within
 * the window; the first continuation that reaches the person's level is the chain.
 *
 * Speed: a step-1 event followed (in time order) by another step-1 event before any step-2 event has the
 * same continuation as that later one with less window left, so it can never be the latest start that
 * reaches the level; only the last step-1 event before each step-2 event (and the final ones) are tried.
 * That holds while no event can be both step 1 and step 2 — when the two steps name the same event, every
 * start is tried. Each column is its own subquery: a lambda written twice in one SELECT is computed twice
 * (ClickHouse does not share them), a column of the subquery below is computed once.
 */
function stepTimesSql(steps: FunnelCore['steps'], persons: string): string {
  return distinctSteps(steps) ? plainTimesSql(steps.length, persons) : pairTimesSql(steps, persons);
}

const list = (prefix: string, from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => `${prefix}${from + i}`);

/**
 * The chain search of stepTimesSql when no event can be two steps (funnelLevels.ts `distinctSteps`): `sK`
 * holds plain ms and `t1` ms·2 + (0 | 1 for step 2). An event of step K can never be the one of step K − 1,
 * so "after the previous one, not the same event" is "at or after its time".
 */
function plainTimesSql(n: number, persons: string): string {
  const starts = `arrayMap(x -> intDiv(x, 2), arrayFilter((x, nxt) -> x % 2 = 0 AND nxt % 2 = 1, t1, arrayPushBack(arrayPopFront(t1), toUInt64(1))))`;
  const keep = (k: number) => ['person', 'level', ...(k === 0 ? ['t1', ...list('s', 2, n)] : list('s', k + 1, n)), ...list('c', 1, k)].join(', ');
  let sql = `SELECT ${keep(0)}, if(level >= 2, arrayReverse(${starts}), []) AS c1 FROM ${persons}`;
  for (let k = 2; k <= n; k++) {
    sql = `SELECT ${keep(k - 1)},
      arrayMap((x, b) -> if(b = 0, ${ZERO}, arrayFirst(y -> y >= b AND y <= x + {w:UInt64}, s${k})), c1, c${k - 1}) AS c${k}
    FROM (${sql})`;
  }
  const reached = list('c', 2, n).map((c) => `toUInt8(${c}[i] > 0)`).join(' + ');
  sql = `SELECT person, level, ${list('c', 1, n).join(', ')}, arrayFirstIndex(i -> 1 + ${reached} >= level, arrayEnumerate(c1)) AS pick FROM (${sql})`;
  sql = `SELECT person, level, pick, [${list('c', 1, n).map((c) => `${c}[pick]`).join(', ')}] AS ts FROM (${sql})`;
  return dtsSql(sql);
}

/** seconds between consecutive steps on the picked chain */
const dtsSql = (sql: string) => `SELECT person, level,
      arrayMap(k -> if(k >= 2 AND k <= level AND pick > 0 AND ts[k] > 0, (ts[k] - ts[k - 1]) / 1000, NULL), range(1, {n:UInt8} + 1)) AS dts
    FROM (${sql})`;

/** stepTimesSql over (ms, id) pairs, when two steps name the same event. */
function pairTimesSql(steps: FunnelCore['steps'], persons: string): string {
  const n = steps.length;
  // s1 holds step-1 events in range only (its condition says so); at one instant a step-1 event sorts before a step-2 one
  // t1 (funnelLevels.ts): steps 1 and 2 as (ms, step, id) sorted, so a step-1 event sorts before a step-2 one at one instant
  const same = steps[0]!.event === steps[1]!.event;
  const starts = same
    ? 's1'
    : `arrayMap(x -> (x.1, x.3), arrayFilter((x, nxt) -> x.2 = 1 AND nxt.2 != 1, t1, arrayPushBack(arrayPopFront(t1), (${ZERO}, 0, ${ZERO}))))`;
  const keep = (k: number) => ['person', 'level', ...(k === 0 && !same ? ['t1', ...list('s', 2, n)] : list('s', k + 1, n)), ...list('c', 1, k)].join(', ');
  // c1: the candidate starts, latest first; cK: each one's continuation at step K ((0, 0) once it stops)
  let sql = `SELECT ${keep(0)}, if(level >= 2, arrayReverse(${starts}), []) AS c1 FROM ${persons}`;
  for (let k = 2; k <= n; k++) {
    sql = `SELECT ${keep(k - 1)},
      arrayMap((x, b) -> if(b.1 = 0, ${MISSING}, arrayFirst(y -> (y.1 > b.1 OR (y.1 = b.1 AND y.2 != b.2)) AND y.1 <= x.1 + {w:UInt64}, s${k})), c1, c${k - 1}) AS c${k}
    FROM (${sql})`;
  }
  const reached = list('c', 2, n).map((c) => `toUInt8(${c}[i].1 > 0)`).join(' + ');
  sql = `SELECT person, level, ${list('c', 1, n).join(', ')}, arrayFirstIndex(i -> 1 + ${reached} >= level, arrayEnumerate(c1)) AS pick FROM (${sql})`;
  sql = `SELECT person, level, pick, [${list('c', 1, n).map((c) => `${c}[pick].1`).join(', ')}] AS ts FROM (${sql})`;
  return dtsSql(sql);
}

interface Row { total: number; grp: string; k: number; n: number; q: number[] }

function results(p: FunnelCore, rows: Row[]): FunnelStepResult[] {
  const byStep = new Map(rows.map((r) => [Number(r.k), r]));
  const counts = p.steps.map((_, i) => Number(byStep.get(i + 1)?.n ?? 0));
  return p.steps.map((s, i) => {
    const count = counts[i]!;
    const prev = i === 0 ? count : counts[i - 1]!;
    const next = i + 1 < counts.length ? counts[i + 1]! : count;
    const q = i === 0 || count === 0 ? null : byStep.get(i + 1)?.q;
    const round = (x: number | undefined) => (x === undefined || x === null || Number.isNaN(Number(x)) ? null : Math.round(Number(x) * 1000) / 1000);
    return {
      step: i + 1,
      event: s.event,
      count,
      conversionFromStart: counts[0] ? count / counts[0] : 0,
      conversionFromPrevious: prev ? count / prev : 0,
      dropped: count - next,
      dropOffRate: count ? (count - next) / count : 0,
      medianSeconds: q ? round(q[0]) : null,
      p90Seconds: q ? round(q[1]) : null,
    };
  });
}

export async function funnel(olap: OlapStore, p: FunnelParams): Promise<Funnel> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const n = p.steps.length;
  const params: Record<string, unknown> = { n };
  const persons = funnelPersonsSql(olap.db, p, params, { times: true, persons: 'hashes' });
  const bd = p.breakdown ? breakdownSql(olap.db, p.breakdown) : null;
  if (bd) Object.assign(params, bd.params);
  // one row per (person, step k): reached or not, and the time from step k − 1 on the person's chain
  const sql = `
SELECT g.1 AS total, g.2 AS grp, k, countIf(level >= k) AS n, quantilesExactInclusive(0.5, 0.9)(dt) AS q
FROM (${stepTimesSql(p.steps, persons)}) AS f
${bd ? `LEFT JOIN (SELECT cityHash64(person_id) AS person, groupArray(if(grp = '', '${NO_VALUE}', grp)) AS grps FROM ${bd.sql} GROUP BY person) AS bd ON bd.person = f.person` : ''}
ARRAY JOIN arrayConcat([(1, '')], ${bd ? `arrayMap(x -> (0, x), if(empty(bd.grps), ['${NO_VALUE}'], bd.grps))` : '[]'}) AS g
ARRAY JOIN range(1, {n:UInt8} + 1) AS k, dts AS dt
GROUP BY total, grp, k`;
  const rows = await olap.query<Row>(sql, params);
  const groups = new Map<string, Row[]>();
  for (const r of rows) if (Number(r.total) === 0) groups.set(r.grp, [...(groups.get(r.grp) ?? []), r]);
  const entrants = (rs: Row[]) => Number(rs.find((r) => Number(r.k) === 1)?.n ?? 0);
  const ordered = [...groups.entries()].sort(([a, x], [b, y]) => entrants(y) - entrants(x) || (a < b ? -1 : a > b ? 1 : 0));
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    windowMs: p.windowMs,
    order: p.order,
    steps: results(p, rows.filter((r) => Number(r.total) === 1)),
    groups: bd ? ordered.slice(0, MAX_GROUPS).map(([group, rs]) => ({ group, steps: results(p, rs) })) : null,
    otherGroups: bd ? Math.max(0, ordered.length - MAX_GROUPS) : 0,
  };
}
