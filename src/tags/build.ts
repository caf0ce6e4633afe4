import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { compilePlan } from './compile/plan.ts';
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

/**
 * The incremental path: recompute the real-time tags (and what they depend on) of the people behind
 * some ids, from their whole history, with the last build's score thresholds. Values of ids that no
 * longer stand for a person (merged into another) are tombstoned.
 */
export async function refreshPersons(d: BuildDeps, ids: readonly string[], o: { asOf?: Date } = {}): Promise<{ persons: string[]; ids: string[]; version: number }> {
  if (ids.length === 0) return { persons: [], ids: [], version: 0 };
  const { all, persons } = await personsOf(d.oltp, ids);
  const defs = await d.taxonomy.definitions();
  const live = [...defs.values()].filter((x) => x.refresh === 'realtime' && x.spec.type !== 'model').map((x) => x.code);
  const plan = compilePlan({ defs, outputs: live, thresholds: await lastThresholds(d.oltp) });
  const version = Date.now();
  const db = d.olap.db;
  const params = { ...plan.params.values, ...baseParams(o.asOf ?? new Date(), d.timezone), ids: all, version, codes: plan.order };
  const removals = removalsSql(db, defs, new Set(live));
  await d.olap.idSets.use({ ids: all }, async (bind) => {
    const values = bind(
      `INSERT INTO ${db}.tag_values (${VALUE_COLUMNS}, build_id, version)
       SELECT ${VALUE_COLUMNS}, 'live', {version:UInt64} FROM (${rowsSql(plan, defs, `(${stage1Sql(plan, { db, byIds: true })})`, plan.order)})`,
      params,
    );
    await d.olap.command(values.sql, values.params);
    const removed = bind(removals.sql, { ids: all, version, codes: plan.order, ...removals.params });
    await d.olap.command(removed.sql, removed.params);
  });
  return { persons, ids: all, version };
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

/** The persons behind some ids, and every id of those persons. */
export async function personsOf(oltp: OltpStore, ids: readonly string[]): Promise<{ persons: string[]; all: string[] }> {
  const mapped = await oltp.query<{ distinct_id: string; person_id: string }>(
    'SELECT distinct_id, person_id FROM identities WHERE distinct_id = ANY($1::text[])',
    [[...ids]],
  );
  const to = new Map(mapped.map((r) => [r.distinct_id, r.person_id]));
  const persons = [...new Set(ids.map((i) => to.get(i) ?? i))];
  const members = await oltp.query<{ distinct_id: string }>('SELECT distinct_id FROM identities WHERE person_id = ANY($1::text[])', [persons]);
  return { persons, all: [...new Set([...persons, ...ids, ...members.map((m) => m.distinct_id)])] };
}

export type { TagDef };
