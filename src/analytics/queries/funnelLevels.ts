import type { z } from 'zod';
import type { Timezone } from '../timezones.ts';
import { isBehaviour, personJoin, type PersonKey } from '../sql.ts';
import { stepSql, type funnelStep } from './funnelFilters.ts';

/**
 * The per-person core of a funnel, shared by the report (funnel.ts) and "who dropped here"
 * (funnelDropped.ts): one pass over the events grouped by person, with ClickHouse's windowFunnel giving the
 * furthest step each person reached.
 *
 * - A person enters with a step-1 event in [from, to); later steps may fall up to the window after `to`.
 * - loose: the steps in order, other events between them allowed; strict: the steps must be the person's
 *   consecutive events — windowFunnel's `strict_order`: from the person's first step-1 event, the first
 *   event that is no step, or a step whose previous step was not reached yet, ends the search.
 * - An event counts for one step of a chain only, so a funnel that repeats an event (Product Viewed →
 *   Product Viewed) needs two of them (`strict_once`, used when two steps name the same event).
 * - The window runs from a chain's step-1 event to its last step, inclusive.
 */

export type FunnelOrder = 'strict' | 'loose';

export interface FunnelCore {
  from: string;
  to: string;
  tz: Timezone;
  steps: z.output<typeof funnelStep>[];
  /** conversion window in milliseconds */
  windowMs: number;
  order: FunnelOrder;
}

/** No two steps name the same event, so no event can satisfy two steps. */
export const distinctSteps = (steps: FunnelCore['steps']) => new Set(steps.map((s) => s.event)).size === steps.length;

export const MIN_STEPS = 2;
export const MAX_STEPS = 8;

/**
 * A subquery of (person, level[, s1 … sn]) for persons who entered (level ≥ 1). With `times`, `sK` is
 * the person's step-K events as sorted (ms, id) pairs, for measuring times between steps (funnel.ts);
 * when steps 1 and 2 name different events, `t1` (steps 1 and 2 as sorted (ms, step, id)) replaces s1.
 * When every step names a different event (distinctSteps), `sK` holds plain ms and `t1` ms·2 + (0 for
 * step 1 | 1 for step 2), without ids.
 * `persons` says whether `person` is the person id or a hash of it (sql.ts `PersonKey`).
 */
export function funnelPersonsSql(db: string, p: FunnelCore, params: Record<string, unknown>, o: { times: boolean; persons: PersonKey }): string {
  const n = p.steps.length;
  const pj = personJoin(db, o.persons);
  if (n < MIN_STEPS || n > MAX_STEPS) throw new RangeError(`a funnel has ${MIN_STEPS}–${MAX_STEPS} steps, got ${n}`);
  Object.assign(params, { from: p.from, to: p.to, tz: p.tz, w: p.windowMs });
  const conds = p.steps.map((s, i) => stepSql(s, i, params));
  // step 1 only in range; the others may run up to the window past its end
  conds[0] = `(${conds[0]}) AND e.timestamp < toDateTime({to:Date}, {tz:String})`;
  params.events = [...new Set(p.steps.map((s) => s.event))];
  // strict_once only matters when an event can satisfy two steps (two steps name the same event), and costs a
  // list of chains per level; with distinct names the conditions exclude each other and the plain mode is the same
  const once = distinctSteps(p.steps) ? '' : `, 'strict_once'`;
  const mode = p.order === 'strict' ? `'strict_order'${once}` : `${once.slice(2)}`;
  // t1 replaces s1 when steps 1 and 2 cannot be one event: both steps' events as (ms, 1 | 2, id) in one
  // sorted array, from which funnel.ts picks its candidate starts without merging two arrays per person
  const timeline = p.steps[0]!.event !== p.steps[1]!.event;
  // when no event can be two steps, an event is told from the next step's by its step alone: plain ms
  // arrays (t1 packs the step in the lowest bit, ms·2 + 0 | 1) sort and scan faster than tuples with ids
  const plain = distinctSteps(p.steps);
  const arrays = !o.times
    ? ''
    : plain
      ? conds.map((_, i) => (i === 0 ? `, arraySort(groupArrayIf(ms * 2 + c2, c1 OR c2)) AS t1` : `, arraySort(groupArrayIf(ms, c${i + 1})) AS s${i + 1}`)).join('')
      : conds.map((_, i) => (i === 0 && timeline
          ? `, arraySort(groupArrayIf((ms, if(c2, 2, 1), id), c1 OR c2)) AS t1`
          : `, arraySort(groupArrayIf((ms, id), c${i + 1})) AS s${i + 1}`)).join('');
  return `(
    SELECT person, windowFunnel({w:UInt64}${mode ? `, ${mode}` : ''})(ms, ${conds.map((_, i) => `c${i + 1}`).join(', ')}) AS level${arrays}
    FROM (
      SELECT
        ${pj.person} AS person,
        toUInt64(toUnixTimestamp64Milli(e.timestamp)) AS ms,
        ${o.times && !plain ? 'cityHash64(e.message_id) AS id,' : ''}
        ${conds.map((c, i) => `toUInt8(${c}) AS c${i + 1}`).join(',\n        ')}
      FROM ${db}.events AS e
      ${pj.join}
      WHERE e.timestamp >= toDateTime({from:Date}, {tz:String})
        AND e.timestamp < addMilliseconds(toDateTime64(toDateTime({to:Date}, {tz:String}), 3), {w:UInt64})
        AND e.${isBehaviour}
        ${p.order === 'loose' ? 'AND e.event IN {events:Array(String)}' : '' /* strict needs every event: any other one breaks a chain */}
    )
    GROUP BY person
    HAVING level >= 1
  )`;
}
