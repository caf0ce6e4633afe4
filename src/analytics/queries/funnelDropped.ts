import type { OlapStore } from '../../store/olap/index.ts';
import { breakdownSql, NO_VALUE, type Breakdown } from '../breakdown.ts';
import { funnelPersonsSql, type FunnelCore } from './funnelLevels.ts';

/**
 * "Who dropped here": the people who reached step `step` (1-based) of a funnel but not the next one, as
 * person ids — optionally only those in one breakdown group. Counted exactly as the funnel report counts
 * them, so the ids are its `dropped` figure for that step.
 */
export async function funnelDropped(
  olap: OlapStore,
  p: FunnelCore & { step: number; breakdown?: Breakdown; group?: string },
  limit: number,
): Promise<{ ids: string[]; total: number }> {
  if (!Number.isInteger(p.step) || p.step < 1 || p.step >= p.steps.length) throw new RangeError(`step must be 1…${p.steps.length - 1}, got ${p.step}`);
  const params: Record<string, unknown> = { step: p.step, limit };
  const persons = funnelPersonsSql(olap.db, p, params, { times: false, persons: 'ids' });
  let inGroup = '';
  if (p.breakdown && p.group !== undefined) {
    const bd = breakdownSql(olap.db, p.breakdown);
    Object.assign(params, bd.params, { group: p.group });
    // a person without a value belongs to NO_VALUE
    inGroup = p.group === NO_VALUE
      ? `AND person NOT IN (SELECT person_id FROM ${bd.sql} WHERE grp != '')`
      : `AND person IN (SELECT person_id FROM ${bd.sql} WHERE grp = {group:String})`;
  }
  const rows = await olap.query<{ person: string; total: number }>(
    `SELECT person, count() OVER () AS total FROM ${persons} WHERE level = {step:UInt8} ${inGroup} ORDER BY person LIMIT {limit:UInt64}`,
    params,
  );
  return { ids: rows.map((r) => r.person), total: rows.length ? Number(rows[0]!.total) : 0 };
}
