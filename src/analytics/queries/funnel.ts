import type { OlapStore } from '../../store/olap/index.ts';
import { breakdownSql, NO_VALUE, type Breakdown } from '../breakdown.ts';
import { daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { funnelPersonsSql, type FunnelCore, type FunnelOrder } from './funnelLevels.ts';

/**
 * A conversion funnel over [from, to): how many people reached each step, conversion and drop-off, the
 * median and p90 time between consecutive steps, overall and per breakdown group (docs/analytics-funnels.md).
 *
 * One statement: windowFunnel per person (funnelLevels.ts), then for people past step 1 the chain their
 * times are measured on — the latest step-1 event whose earliest continuation reaches their furthest step
 * (each next step the first event after the previous one, not the same event, within the window) — then
 * one aggregation over people, with the breakdown joined as an array so a person counts once in the total.
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
 * The chain a person's times are read from, as an Array(Tuple(ms, id)) of `level` entries: each step-1
 * event in range (latest first) is continued greedily through the steps, and the first continuation that
 * reaches the person's level wins. (0, 0) marks a step the continuation did not reach.
 */
function chainSql(n: number): string {
  const next = `arrayFirstIndex(y -> (y.1 > acc[-1].1 OR (y.1 = acc[-1].1 AND y.2 != acc[-1].2)) AND y.1 <= acc[1].1 + {w:UInt64}, st)`;
  const continueFrom = `x -> arrayFold((acc, st) -> if(acc[-1].1 = 0 OR ${next} = 0, arrayPushBack(acc, ${MISSING}), arrayPushBack(acc, st[${next}])),
      [${Array.from({ length: n - 1 }, (_, i) => `s${i + 2}`).join(', ')}], [x])`;
  // s1 holds step-1 events in range only (its condition says so)
  return `if(level >= 2, arrayFirst(c -> arrayCount(y -> y.1 > 0, c) >= level, arrayMap(${continueFrom}, arrayReverse(s1))), [])`;
}

const stepTime = (k: number) => `if(level >= ${k} AND length(chain) >= ${k} AND chain[${k}].1 > 0, (chain[${k}].1 - chain[${k - 1}].1) / 1000, NULL)`;

interface Row {
  total: number;
  grp: string;
  [k: `n${number}`]: number | string;
  [k: `q${number}`]: number[];
}

function results(p: FunnelCore, r: Row): FunnelStepResult[] {
  const counts = p.steps.map((_, i) => Number(r[`n${i + 1}`]));
  return p.steps.map((s, i) => {
    const count = counts[i]!;
    const prev = i === 0 ? count : counts[i - 1]!;
    const next = i + 1 < counts.length ? counts[i + 1]! : count;
    const q = i === 0 || count === 0 ? null : r[`q${i + 1}`];
    const round = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
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
  const params: Record<string, unknown> = {};
  const persons = funnelPersonsSql(olap.db, p, params, true);
  const bd = p.breakdown ? breakdownSql(olap.db, p.breakdown) : null;
  if (bd) Object.assign(params, bd.params);
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const sql = `
SELECT
  g.1 AS total, g.2 AS grp,
  ${ks.map((k) => `countIf(level >= ${k}) AS n${k}`).join(', ')},
  ${ks.slice(1).map((k) => `quantilesExactInclusive(0.5, 0.9)(t${k}) AS q${k}`).join(', ')}
FROM (
  SELECT person, level, ${ks.slice(1).map((k) => `${stepTime(k)} AS t${k}`).join(', ')}
  FROM (SELECT person, level, ${chainSql(n)} AS chain FROM ${persons})
) AS f
${bd ? `LEFT JOIN (SELECT person_id, groupArray(if(grp = '', '${NO_VALUE}', grp)) AS grps FROM ${bd.sql} GROUP BY person_id) AS bd ON bd.person_id = f.person` : ''}
ARRAY JOIN arrayConcat([(1, '')], ${bd ? `arrayMap(x -> (0, x), if(empty(bd.grps), ['${NO_VALUE}'], bd.grps))` : '[]'}) AS g
GROUP BY total, grp
ORDER BY total DESC, n1 DESC, grp`;
  const rows = await olap.query<Row>(sql, params);
  const totalRow = rows.find((r) => Number(r.total) === 1);
  const empty = { total: 1, grp: '', ...Object.fromEntries(ks.map((k) => [`n${k}`, 0])) } as Row;
  const groupRows = rows.filter((r) => Number(r.total) === 0);
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    windowMs: p.windowMs,
    order: p.order,
    steps: results(p, totalRow ?? empty),
    groups: bd ? groupRows.slice(0, MAX_GROUPS).map((r) => ({ group: r.grp, steps: results(p, r) })) : null,
    otherGroups: bd ? Math.max(0, groupRows.length - MAX_GROUPS) : 0,
  };
}
