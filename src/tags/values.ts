import type { OlapStore } from '../store/olap/index.ts';
import type { TagDef } from './dsl.ts';

export type TagValue = number | boolean | string | { value: string; weight: number }[];

export interface StoredValue {
  code: string;
  value: TagValue;
  buildId: string;
  updatedAt: string;
}

interface Row {
  tag_code: string;
  value_num: number | null;
  value_str: string;
  value_list: string[];
  value_weights: number[];
  build_id: string;
  version?: string | number;
  latest?: string | number;
}

/** A stored row as the API shows it, by the tag's value type. */
export function decodeValue(def: Pick<TagDef, 'valueType'> | undefined, r: Pick<Row, 'value_num' | 'value_str' | 'value_list' | 'value_weights'>): TagValue {
  if (r.value_list.length) return r.value_list.map((value, i) => ({ value, weight: Number(r.value_weights[i] ?? 0) }));
  if (def?.valueType === 'boolean') return Number(r.value_num) === 1;
  if (r.value_num !== null && r.value_num !== undefined) return Number(r.value_num);
  return r.value_str;
}

/** The current values of one person's tags (latest version of each; tombstones dropped). */
export async function valuesOf(olap: OlapStore, personId: string, defs: ReadonlyMap<string, TagDef>): Promise<StoredValue[]> {
  // latest row per tag by argMax: FINAL would merge the whole table's parts to answer for one person;
  // the copy sorted by person (migration 010) holds them in one short range
  const rows = await olap.query<Row>(
    `SELECT tag_code, argMax(value_num, version) AS value_num, argMax(value_str, version) AS value_str,
            argMax(value_list, version) AS value_list, argMax(value_weights, version) AS value_weights,
            argMax(build_id, version) AS build_id, max(version) AS latest
     FROM ${olap.db}.tag_values_by_person WHERE person_id = {p:String}
     GROUP BY tag_code HAVING argMax(is_deleted, version) = 0`,
    { p: personId },
  );
  return rows
    .filter((r) => defs.has(r.tag_code))
    .map((r) => ({ code: r.tag_code, value: decodeValue(defs.get(r.tag_code), r), buildId: r.build_id, updatedAt: new Date(Number(r.latest ?? r.version)).toISOString() }));
}

/** People carrying a tag value: exact for text, booleans and numbers; ranked tags match any listed value. */
export async function personsWithTag(olap: OlapStore, def: TagDef, value: string | undefined, limit: number, after = ''): Promise<string[]> {
  const cond =
    value === undefined ? '1'
    : def.valueType === 'ranked' ? 'has(value_list, {v:String})'
    : def.valueType === 'boolean' ? `value_num = {n:Float64}`
    : def.valueType === 'number' ? `value_num = {n:Float64}`
    : 'value_str = {v:String}';
  const n = def.valueType === 'boolean' ? Number(value === 'true' || value === '1') : Number(value);
  const rows = await olap.query<{ person_id: string }>(
    `SELECT person_id FROM ${olap.db}.tag_values FINAL WHERE tag_code = {code:String} AND person_id > {after:String} AND ${cond}
     ORDER BY person_id LIMIT {limit:UInt32}`,
    { code: def.code, v: value ?? '', n: Number.isFinite(n) ? n : 0, limit, after },
  );
  return rows.map((r) => r.person_id);
}

/**
 * Writes the values of a model tag (clusters, lookalike scores, churn risk …) for everyone the model
 * scored, replacing the previous run: people the new run does not cover lose their value.
 */
export async function writeModelValues(
  olap: OlapStore,
  code: string,
  runId: string,
  values: readonly { personId: string; num?: number | null; str?: string }[],
): Promise<number> {
  const version = Date.now();
  await olap.insert('tag_values', values.map((v) => ({
    tag_code: code, person_id: v.personId, value_num: v.num ?? null, value_str: v.str ?? '', value_list: [], value_weights: [],
    build_id: runId, version, is_deleted: 0,
  })));
  await olap.command(
    `INSERT INTO ${olap.db}.tag_values (tag_code, person_id, value_str, build_id, version, is_deleted)
     SELECT tag_code, person_id, '', {run:String}, {version:UInt64}, 1
     FROM ${olap.db}.tag_values FINAL WHERE tag_code = {code:String} AND version < {version:UInt64}`,
    { code, run: runId, version },
  );
  return values.length;
}
