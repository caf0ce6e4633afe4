import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { compilePlan, type CompiledPlan } from './compile/plan.ts';
import { ANY_EVENT, tagInputs, touches } from './compile/inputs.ts';
import { rowsSql, stage1Sql, stage2Sql } from './compile/sql.ts';
import type { TagDef } from './dsl.ts';
import { tagStats } from './stats.ts';
import type { Taxonomy } from './taxonomy.ts';

export interface BuildResult {
  id: string;
  asOf: string;
  persons: number;
  tags: number;
  rows: number;
  seconds: number;
  timings: Record<string, number>;
}

export interface BuildDeps {
  olap: OlapStore;
  oltp: OltpStore;
  taxonomy: Taxonomy;
  timezone: string;
  log?: Logger;
}

const VALUE_COLUMNS = 'tag_code, person_id, value_str, value_num, value_list, value_weights';

/** The parameters every tag query takes: the as-of moment and the shop's time zone. */
export function baseParams(asOf: Date, timezone: string) {
  return { as_of: asOf.toISOString().replace('T', ' ').replace('Z', ''), tz: timezone };
}

export async function lastThresholds(oltp: OltpStore): Promise<Record<string, number[]> | undefined> {
  const rows = await oltp.query<{ thresholds: Record<string, number[]> }>(
    `SELECT thresholds FROM tag_builds WHERE status = 'done' ORDER BY started_at DESC LIMIT 1`,
  );
  return rows[0]?.thresholds;
}

let running: Promise<BuildResult> | null = null;

/** The build in progress in this process, if any (closing waits for it). */
export function currentBuild(): Promise<BuildResult> | null {
  return running;
}

/**
 * A full build: every computed tag for every person as of a moment, in four steps —
 * stage 1 into a scratch table (one pass over the events), score thresholds from the population,
 * values into `tag_values` (tombstoning what the build no longer produces), then a dated snapshot and
 * per-tag coverage/distribution. One build runs at a time per process; a second call joins it.
 */
export function fullBuild(d: BuildDeps, o: { asOf?: Date; trigger: string }): Promise<BuildResult> {
  running ??= runBuild(d, o).finally(() => (running = null));
  return running;
}

async function runBuild(d: BuildDeps, o: { asOf?: Date; trigger: string }): Promise<BuildResult> {
  const started = Date.now();
  const asOf = o.asOf ?? new Date();
  const id = `b${started.toString(36)}${randomBytes(3).toString('hex')}`;
  const version = started;
  const db = d.olap.db;
  const scratch = `${db}.tag_stage_${id}`;
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (k: string) => ((timings[k] = (Date.now() - t) / 1000), (t = Date.now()));

  await d.oltp.query(`INSERT INTO tag_builds (id, as_of, status, trigger) VALUES ($1, $2, 'running', $3)`, [id, asOf.toISOString(), o.trigger]);
  try {
    const defs = await d.taxonomy.definitions();
    const computed = [...defs.values()].filter((x) => x.spec.type !== 'model');
    const codes = computed.map((x) => x.code);
    const base = baseParams(asOf, d.timezone);

    const first = compilePlan({ defs, outputs: codes });
    await d.olap.command(`CREATE TABLE ${scratch} ENGINE = Memory AS ${stage1Sql(first, { db })}`, { ...first.params.values, ...base });
    lap('stage1');
    const persons = Number((await d.olap.query<{ n: number }>(`SELECT count() AS n FROM ${scratch}`))[0]!.n);

    const thresholds: Record<string, number[]> = {};
    if (first.scoreInputs.size) {
      const inputs = [...first.scoreInputs.entries()];
      const extra = inputs.map(([code, s]) => `${s.sql} AS si_${code}`);
      const q = inputs.map(([code, s]) => {
        const levels = Array.from({ length: s.buckets - 1 }, (_, i) => ((i + 1) / s.buckets).toFixed(4)).join(', ');
        return `quantilesExact(${levels})(si_${code}) AS q_${code}`;
      });
      const row = (await d.olap.query<Record<string, number[]>>(`SELECT ${q.join(', ')} FROM (${stage2Sql(first, scratch, extra)})`, { ...first.params.values, ...base }))[0]!;
      for (const [code] of inputs) thresholds[code] = (row[`q_${code}`] ?? []).map(Number);
    }
    lap('thresholds');

    const plan = compilePlan({ defs, outputs: codes, thresholds });
    const params = { ...plan.params.values, ...base, build_id: id, version };
    // the build's values go first into its dated snapshot (computed once), then from there into the
    // current values; the snapshot holds exactly what this build computed, whatever live refreshes do
    const thisBuild = `snapshot_date = toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}) AND build_id = {build_id:String}`;
    await d.olap.command(
      `INSERT INTO ${db}.tag_snapshots (snapshot_date, build_id, ${VALUE_COLUMNS})
       SELECT toDate({as_of:DateTime64(3, 'UTC')}, {tz:String}), {build_id:String}, ${VALUE_COLUMNS} FROM (${rowsSql(plan, defs, scratch, plan.order)})`,
      params,
    );
    lap('snapshot');
    await d.olap.command(
      `INSERT INTO ${db}.tag_values (${VALUE_COLUMNS}, build_id, version)
       SELECT ${VALUE_COLUMNS}, {build_id:String}, {version:UInt64} FROM ${db}.tag_snapshots WHERE ${thisBuild}`,
      { ...base, build_id: id, version },
    );
    lap('values');
    // what an earlier build or refresh produced and this build did not is removed (a tombstone row);
    // model tags are written by their own jobs and left alone
    await d.olap.command(
      `INSERT INTO ${db}.tag_values (tag_code, person_id, value_str, build_id, version, is_deleted)
       SELECT tag_code, person_id, '', {build_id:String}, {version:UInt64}, 1
       FROM ${db}.tag_values FINAL WHERE version < {version:UInt64} AND NOT has({models:Array(String)}, tag_code)`,
      { build_id: id, version, models: [...defs.values()].filter((x) => x.spec.type === 'model').map((x) => x.code) },
    );
    lap('tombstones');
    await compactValues(d.olap);
    lap('compact');
    const stats = await tagStats(d.olap, `SELECT ${VALUE_COLUMNS} FROM ${db}.tag_snapshots WHERE ${thisBuild}`, computed, { ...base, build_id: id });
    const rows = stats.reduce((s, x) => s + x.covered, 0);
    await d.oltp.transaction(async (tx) => {
      for (const s of stats) {
        await tx.query(
          `INSERT INTO tag_build_stats (build_id, tag_code, covered, persons, distribution, numeric) VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, s.code, s.covered, persons, JSON.stringify(s.distribution), s.numeric ? JSON.stringify(s.numeric) : null],
        );
      }
      await tx.query(
        `UPDATE tag_builds SET status = 'done', finished_at = now(), persons = $2, thresholds = $3, timings = $4 WHERE id = $1`,
        [id, persons, JSON.stringify(thresholds), JSON.stringify(timings)],
      );
    });
    lap('stats');
    const result = { id, asOf: asOf.toISOString(), persons, tags: codes.length, rows, seconds: (Date.now() - started) / 1000, timings };
    d.log?.info({ build: result }, 'tag build done');
    return result;
  } catch (err) {
    await d.oltp.query(`UPDATE tag_builds SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [id, String((err as Error).message).slice(0, 2000)]);
    throw err;
  } finally {
    await d.olap.command(`DROP TABLE IF EXISTS ${scratch}`).catch(() => undefined);
  }
}

/**
 * After a build every earlier value is superseded, yet stays in older parts until background merges reach
 * them (often days for parts this size): each read with FINAL (a segment condition over everyone) then merges
 * about twice the rows it keeps, and a profile's values come from half a dozen parts. Merging each table into
 * one part drops them. On the 10M-event world: 12.5M → 7.8M rows, about 3.5 s a table; a tag condition over
 * everyone 19 → 6 ms, one person's values 9.8 → 5.5 ms. Best effort: a merge already running on those parts
 * makes it a no-op, and live refreshes' small parts keep arriving afterwards.
 */
async function compactValues(olap: BuildDeps['olap']): Promise<void> {
  for (const table of ['tag_values', 'tag_values_by_person']) await olap.command(`OPTIMIZE TABLE ${olap.mutationTarget(table)} FINAL`);
}

/** What each id sent since its last refresh: event names, and `identify` (src/tags/compile/inputs.ts). */
export type Sent = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The incremental path: recompute the real-time tags (and what they depend on) of the people behind
 * some ids, from their whole history, with the last build's score thresholds. Values of ids that no
 * longer stand for a person (merged into another) are tombstoned.
 *
 * With `sent`, a person gets only the tags that read something they sent (a product view leaves their
 * order statistics as they were); a person any of whose ids is missing from `sent` gets every tag (the
 * writer leaves out ids whose identity just changed: their whole history is new to them). People who
 * need the same tags share one statement; at most {@link MAX_GROUPS} statements run per refresh.
 */
export async function refreshPersons(d: BuildDeps, ids: readonly string[], o: { asOf?: Date; sent?: Sent } = {}): Promise<{ persons: string[]; ids: string[]; version: number }> {
  if (ids.length === 0) return { persons: [], ids: [], version: 0 };
  const people = await personsOf(d.oltp, ids);
  const { all, persons } = people;
  const defs = await d.taxonomy.definitions();
  const live = [...defs.values()].filter((x) => x.refresh === 'realtime' && x.spec.type !== 'model').map((x) => x.code);
  const thresholds = await lastThresholds(d.oltp);
  const version = Date.now();
  const unbuilt = await changedSinceBuild(d.oltp);
  for (const g of refreshGroups(defs, live, people, o.sent, unbuilt)) {
    const plan = compilePlan({ defs, outputs: g.codes, thresholds });
    await refreshGroup(d, defs, plan, g.ids, { version, asOf: o.asOf ?? new Date() });
  }
  return { persons, ids: all, version };
}

/** Tags defined or changed since the last full build started (all of them before the first). */
async function changedSinceBuild(oltp: OltpStore): Promise<Set<string>> {
  const rows = await oltp.query<{ code: string }>(
    `SELECT code FROM tags WHERE updated_at > coalesce((SELECT max(started_at) FROM tag_builds WHERE status = 'done'), '-infinity'::timestamptz)`,
  );
  return new Set(rows.map((r) => r.code));
}

/** refreshes at most this many sets of tags at once; people beyond share the union of the rest */
export const MAX_GROUPS = 3;

/** The people of a refresh grouped by the real-time tags each needs: the codes, and all the people's ids. */
function refreshGroups(defs: Map<string, TagDef>, live: string[], p: PersonsOf, sent: Sent | undefined, unbuilt: ReadonlySet<string>): { codes: string[]; ids: string[] }[] {
  // a tag no build has computed yet is computed at each person's next event, whatever it is
  const inputs = new Map(live.map((c) => [c, unbuilt.has(c) ? new Set([ANY_EVENT]) : tagInputs(defs, c)]));
  const groups = new Map<string, { codes: string[]; ids: string[] }>();
  for (const [person, ids] of p.members) {
    // what the person's ids in this batch sent; every tag when one of them has no record
    const records = (p.batch.get(person) ?? []).map((id) => sent?.get(id));
    const what = records.every((s) => s !== undefined) ? new Set(records.flatMap((s) => [...s!])) : null;
    const codes = what === null ? live : live.filter((c) => touches(inputs.get(c)!, what));
    if (codes.length === 0) continue;
    const key = codes.join(',');
    const g = groups.get(key) ?? { codes, ids: [] };
    g.ids.push(...ids);
    groups.set(key, g);
  }
  // the largest groups keep their own statements; the rest share one. Smaller groups run first: a few
  // people's order is not kept waiting behind the page views of thousands
  const sorted = [...groups.values()].sort((a, b) => b.ids.length - a.ids.length);
  const kept = sorted.slice(0, MAX_GROUPS - 1);
  const rest = sorted.slice(MAX_GROUPS - 1);
  if (rest.length > 1) {
    const union = new Set(rest.flatMap((g) => g.codes));
    kept.push({ codes: live.filter((c) => union.has(c)), ids: rest.flatMap((g) => g.ids) });
  } else kept.push(...rest);
  return kept.sort((a, b) => a.ids.length - b.ids.length);
}

/** One statement of values and one of removals for some people's ids and the tags of a plan. */
async function refreshGroup(d: BuildDeps, defs: Map<string, TagDef>, plan: CompiledPlan, ids: string[], o: { version: number; asOf: Date }): Promise<void> {
  const db = d.olap.db;
  const { version } = o;
  const params = { ...plan.params.values, ...baseParams(o.asOf, d.timezone), ids, version, codes: plan.order };
  const removals = removalsSql(db, defs, new Set(plan.order));
  await d.olap.idSets.use({ ids }, async (bind) => {
    const values = bind(
      `INSERT INTO ${db}.tag_values (${VALUE_COLUMNS}, build_id, version)
       SELECT ${VALUE_COLUMNS}, 'live', {version:UInt64} FROM (${rowsSql(plan, defs, `(${stage1Sql(plan, { db, byIds: true })})`, plan.order)})`,
      params,
    );
    await d.olap.command(values.sql, values.params);
    const removed = bind(removals.sql, { ids, version, codes: plan.order, ...removals.params });
    await d.olap.command(removed.sql, removed.params);
  });
}

/**
 * The tombstones a live refresh writes after its values, in one pass over the people's latest rows
 * (`tag_values_by_person`, by GROUP BY: FINAL would merge the whole table's parts):
 *  - real-time tags ({codes}) the refresh no longer finds a value for (an older value is still current);
 *  - tags computed only by the full build that serve a purpose — personalisation or marketing — for the
 *    people who do not consent to it (the consent tags were just recomputed): consent withdrawn takes
 *    effect within the live refresh rather than at the next build.
 * Parameters: `ids`, `version` and `codes` as in the refresh, and those returned.
 */
function removalsSql(db: string, defs: Map<string, TagDef>, live: Set<string>): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  const gates: { flag: string; gated: string }[] = [];
  for (const purpose of ['personalization', 'marketing'] as const) {
    const gated = [...defs.values()].filter((x) => x.purpose === purpose && !live.has(x.code)).map((x) => x.code);
    const flag = `consent_${purpose}`;
    if (gated.length === 0 || !live.has(flag)) continue;
    params[`gated_${purpose}`] = gated;
    params[`flag_${purpose}`] = flag;
    gates.push({ flag: `{flag_${purpose}:String}`, gated: `{gated_${purpose}:Array(String)}` });
  }
  const codes = ['{codes:Array(String)}', ...gates.map((g) => g.gated)].map((c) => `tag_code IN ${c}`).join(' OR ');
  // per person: whether each purpose's consent flag (a real-time tag, so among {codes}) is currently true
  const consent = gates.map((g, i) => `, max(tag_code = ${g.flag} AND deleted = 0 AND ifNull(num, 0) = 1) OVER (PARTITION BY person_id) AS ok${i}`).join('');
  const drop = ['tag_code IN {codes:Array(String)}', ...gates.map((g, i) => `(tag_code IN ${g.gated} AND ok${i} = 0)`)].join(' OR ');
  return {
    params,
    sql: `INSERT INTO ${db}.tag_values (tag_code, person_id, value_str, build_id, version, is_deleted)
      SELECT tag_code, person_id, '', 'live', {version:UInt64}, 1
      FROM (
        SELECT tag_code, person_id, latest, deleted${consent}
        FROM (
          SELECT tag_code, person_id, max(version) AS latest, argMax(is_deleted, version) AS deleted, argMax(value_num, version) AS num
          FROM ${db}.tag_values_by_person
          WHERE person_id IN {ids:Array(String)} AND (${codes})
          GROUP BY tag_code, person_id))
      WHERE deleted = 0 AND latest < {version:UInt64} AND (${drop})`,
  };
}

export interface PersonsOf {
  /** the persons behind the ids */
  persons: string[];
  /** every id of those persons (the ids given included) */
  all: string[];
  /** by person: the person's every id, the person's own first */
  members: Map<string, string[]>;
  /** by person: which of the ids given stand for them */
  batch: Map<string, string[]>;
}

/** The persons behind some ids, and every id of those persons. */
export async function personsOf(oltp: OltpStore, ids: readonly string[]): Promise<PersonsOf> {
  const mapped = await oltp.query<{ distinct_id: string; person_id: string }>(
    'SELECT distinct_id, person_id FROM identities WHERE distinct_id = ANY($1::text[])',
    [[...ids]],
  );
  const to = new Map(mapped.map((r) => [r.distinct_id, r.person_id]));
  const batch = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const p = to.get(id) ?? id;
    const list = batch.get(p);
    if (list) list.push(id);
    else batch.set(p, [id]);
  }
  const persons = [...batch.keys()];
  const rows = await oltp.query<{ distinct_id: string; person_id: string }>('SELECT distinct_id, person_id FROM identities WHERE person_id = ANY($1::text[])', [persons]);
  const members = new Map(persons.map((p) => [p, new Set([p, ...batch.get(p)!])]));
  for (const r of rows) members.get(r.person_id)?.add(r.distinct_id);
  const byPerson = new Map([...members].map(([p, m]) => [p, [...m]]));
  return { persons, all: [...new Set([...byPerson.values()].flat())], members: byPerson, batch };
}

export type { TagDef };
