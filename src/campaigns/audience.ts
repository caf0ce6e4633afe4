import { assignArm, type Arm } from '../experiments/index.ts';
import { lookalike } from '../segments/lookalike/index.ts';
import type { SegmentEngine } from '../segments/index.ts';
import type { TagEngine } from '../tags/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { CONTROL_ARM, type Audience, type Campaign } from './types.ts';

export interface AudienceDeps {
  olap: OlapStore;
  oltp: OltpStore;
  segments: SegmentEngine;
  tags: TagEngine;
}

export class AudienceError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/**
 * The experiment's arms for a campaign run: the holdout `control` first (its share of everyone), then the
 * variants sharing the rest by weight — or, once a winner is chosen, the winner taking all of it. The
 * control comes first, so a person's control membership depends only on the holdout share, not on the
 * variants or the winner.
 */
export function armsOf(c: Pick<Campaign, 'experiment' | 'variants'> & { winner?: string | null }): Arm[] {
  const h = c.experiment.holdout;
  const variants = c.winner ? c.variants.filter((v) => v.name === c.winner) : c.variants;
  const total = variants.reduce((s, v) => s + v.weight, 0);
  return [{ name: CONTROL_ARM, weight: h }, ...variants.map((v) => ({ name: v.name, weight: ((1 - h) * v.weight) / total }))];
}

/**
 * `assignArm` (src/experiments/assign.ts) as a ClickHouse expression over `person_id`: the first 8 bytes of
 * SHA-256("<experiment>:<person>") as a big-endian integer, its top 53 bits as a fraction, times the weight
 * total, against the cumulative weights — the same doubles the TypeScript computes, so both give the same
 * arm (the campaign tests compare them person by person).
 */
export function armSql(experimentId: string, arms: readonly Arm[]): { expr: string; params: Record<string, unknown> } {
  const total = arms.reduce((s, a) => s + a.weight, 0);
  const acc: number[] = [];
  let run = 0;
  for (const a of arms) acc.push((run += a.weight));
  const x = `(toFloat64(bitShiftRight(reinterpretAsUInt64(reverse(substring(SHA256(concat({exp:String}, ':', person_id)), 1, 8))), 11)) / 9007199254740992. * {total:Float64})`;
  return {
    // the first arm whose cumulative weight exceeds x; the last when none does (rounding at the top end)
    expr: `{arms:Array(String)}[if((arrayFirstIndex(a -> ${x} < a, {acc:Array(Float64)}) AS arm_index) = 0, length({arms:Array(String)}), arm_index)]`,
    params: { exp: experimentId, total, acc, arms: arms.map((a) => a.name) },
  };
}

/** Resolved userIds → persons (identity map); ids the shop never sent are returned as unknown, not dropped silently. */
export async function personsOfList(oltp: OltpStore, userIds: readonly string[]): Promise<{ persons: { personId: string; userId: string }[]; unknown: string[] }> {
  const ids = [...new Set(userIds)];
  const to = new Map<string, string>();
  for (let off = 0; off < ids.length; off += 100_000) {
    const rows = await oltp.query<{ distinct_id: string; person_id: string }>(
      'SELECT distinct_id, person_id FROM identities WHERE distinct_id = ANY($1::text[])', [ids.slice(off, off + 100_000)],
    );
    for (const r of rows) to.set(r.distinct_id, r.person_id);
  }
  const seen = new Set<string>();
  const persons: { personId: string; userId: string }[] = [];
  const unknown: string[] = [];
  for (const id of ids) {
    const p = to.get(id);
    if (p === undefined) unknown.push(id);
    else if (!seen.has(p)) {
      seen.add(p);
      persons.push({ personId: p, userId: id });
    }
  }
  return { persons, unknown };
}

async function segmentExists(d: AudienceDeps, segmentId: string, field: string): Promise<void> {
  await d.segments.store.get(segmentId).catch(() => {
    throw new AudienceError(field, `${field}: no segment '${segmentId}'`);
  });
}

async function lookalikePersons(d: AudienceDeps, a: Extract<Audience, { kind: 'lookalike' }>): Promise<string[]> {
  await segmentExists(d, a.segmentId, 'audience.segmentId');
  const seeds = await d.segments.memberIds(a.segmentId);
  try {
    const r = await lookalike({ olap: d.olap, definitions: () => d.tags.taxonomy.definitions() }, { seedIds: seeds, top: a.size });
    return r.selected.map((s) => s.userId);
  } catch (err) {
    throw new AudienceError('audience.segmentId', `audience.segmentId: ${(err as Error).message}`);
  }
}

/** How many people an audience reaches now (the wizard's live count); for a list, also the unknown ids. */
export async function countAudience(d: AudienceDeps, a: Audience): Promise<{ count: number; unknown?: number }> {
  if (a.kind === 'segment') {
    await segmentExists(d, a.segmentId, 'audience.segmentId');
    const [r] = await d.olap.query<{ n: string | number }>(
      `SELECT count() AS n FROM ${d.olap.db}.segment_members FINAL WHERE segment_id = {s:String} AND is_member = 1`, { s: a.segmentId },
    );
    return { count: Number(r?.n ?? 0) };
  }
  if (a.kind === 'list') {
    const r = await personsOfList(d.oltp, a.userIds);
    return { count: r.persons.length, unknown: r.unknown.length };
  }
  return { count: (await lookalikePersons(d, a)).length };
}

export interface AssignedRun {
  /** people in the audience (after the maxSends sample) */
  audience: number;
  control: number;
  treated: number;
  /** list ids the shop does not know */
  unknown: string[];
}

/**
 * Resolves a run's audience and writes one `campaign_assignments` row per person (control included).
 * A segment is resolved and assigned inside ClickHouse (`INSERT … SELECT` with the arm computed by
 * `armSql`); a list or lookalike is resolved through the identity map and assigned with `assignArm` in
 * chunks. With `limit` (from maxSends), a stable sample of that many people is taken first.
 */
export async function assignAudience(
  d: AudienceDeps,
  c: Campaign & { winner?: string | null },
  runId: string,
  at: Date,
  limit: number | null,
): Promise<AssignedRun> {
  const arms = armsOf(c);
  const assignedAt = at.toISOString().replace('T', ' ').replace('Z', '');
  const a = c.audience;
  if (a.kind === 'segment') {
    await segmentExists(d, a.segmentId, 'audience.segmentId');
    const { expr, params } = armSql(c.id, arms);
    const sample = limit === null ? '' : 'ORDER BY cityHash64(concat({exp:String}, person_id)) LIMIT {limit:UInt64}';
    await d.olap.command(
      `INSERT INTO ${d.olap.db}.campaign_assignments (campaign_id, run_id, person_id, user_id, arm, assigned_at)
       SELECT {exp:String}, {run:String}, person_id, person_id, ${expr}, {at:DateTime64(3)}
       FROM (SELECT person_id FROM ${d.olap.db}.segment_members FINAL WHERE segment_id = {s:String} AND is_member = 1 ${sample})`,
      { ...params, run: runId, at: assignedAt, s: a.segmentId, limit: limit ?? 0 },
    );
    const counts = await d.olap.query<{ control: string | number; treated: string | number }>(
      `SELECT countIf(arm = {control:String}) AS control, countIf(arm != {control:String}) AS treated
       FROM ${d.olap.db}.campaign_assignments FINAL WHERE campaign_id = {c:String} AND run_id = {run:String}`,
      { control: CONTROL_ARM, c: c.id, run: runId },
    );
    const control = Number(counts[0]?.control ?? 0);
    const treated = Number(counts[0]?.treated ?? 0);
    return { audience: control + treated, control, treated, unknown: [] };
  }
  let persons: { personId: string; userId: string }[];
  let unknown: string[] = [];
  if (a.kind === 'list') ({ persons, unknown } = await personsOfList(d.oltp, a.userIds));
  else persons = (await lookalikePersons(d, a)).map((p) => ({ personId: p, userId: p }));
  if (limit !== null && persons.length > limit) persons = sampleStable(persons, c.id, limit);
  let control = 0;
  for (let off = 0; off < persons.length; off += 100_000) {
    const rows = persons.slice(off, off + 100_000).map((p) => {
      const arm = assignArm(c.id, p.personId, arms);
      if (arm === CONTROL_ARM) control++;
      return { campaign_id: c.id, run_id: runId, person_id: p.personId, user_id: p.userId, arm, assigned_at: assignedAt };
    });
    await d.olap.insert('campaign_assignments', rows);
  }
  return { audience: persons.length, control, treated: persons.length - control, unknown };
}

/** A stable sample: the `n` people with the smallest hash of (campaign, person). */
function sampleStable<T extends { personId: string }>(xs: T[], seed: string, n: number): T[] {
  const keyed = xs.map((x) => ({ x, k: fnv(`${seed}${x.personId}`) }));
  keyed.sort((a, b) => a.k - b.k || (a.x.personId < b.x.personId ? -1 : 1));
  return keyed.slice(0, n).map((k) => k.x);
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The treated people of a run with their arm (and preferred hours, for send-time optimisation). */
export async function treatedOf(olap: OlapStore, campaignId: string, runId: string, withHours: boolean): Promise<{ person_id: string; user_id: string; arm: string; hours: string[] }[]> {
  const base = `SELECT person_id, any(user_id) AS uid, any(arm) AS run_arm FROM ${olap.db}.campaign_assignments
                WHERE campaign_id = {c:String} AND run_id = {run:String} GROUP BY person_id HAVING run_arm != {control:String}`;
  const sql = withHours
    ? `SELECT a.person_id AS person_id, a.uid AS user_id, a.run_arm AS arm, t.value_list AS hours FROM (${base}) AS a
       LEFT JOIN (SELECT person_id, value_list FROM ${olap.db}.tag_values FINAL WHERE tag_code = 'preferred_hours') AS t ON t.person_id = a.person_id
       ORDER BY person_id`
    : `SELECT person_id, uid AS user_id, run_arm AS arm, [] AS hours FROM (${base}) ORDER BY person_id`;
  return olap.query(sql, { c: campaignId, run: runId, control: CONTROL_ARM });
}
