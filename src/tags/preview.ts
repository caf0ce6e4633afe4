import { baseParams, type BuildDeps } from './build.ts';
import { compilePlan } from './compile/plan.ts';
import { rowsSql, stage1Sql } from './compile/sql.ts';
import { tagStats } from './stats.ts';
import { decodeValue, type TagValue } from './values.ts';
import type { TagDef } from './dsl.ts';

export interface Preview {
  persons: number;
  covered: number;
  coverage: number;
  distribution: { value: string; count: number }[];
  numeric: { min: number; p25: number; median: number; p75: number; max: number; mean: number } | null;
  sample: { userId: string; value: TagValue }[];
  sql: string;
}

/** A dry run of a definition over everyone, as of now: what a build would give, nothing stored. */
export async function preview(d: BuildDeps, def: TagDef, thresholds?: Record<string, number[]>): Promise<Preview> {
  const defs = new Map(await d.taxonomy.definitions());
  defs.set(def.code, def);
  const plan = compilePlan({ defs, outputs: [def.code], thresholds });
  const db = d.olap.db;
  const scratch = `${db}.tag_preview_${process.pid}_${Date.now().toString(36)}`;
  const params = { ...plan.params.values, ...baseParams(new Date(), d.timezone) };
  const rows = rowsSql(plan, defs, scratch, [def.code]);
  await d.olap.command(`CREATE TABLE ${scratch} ENGINE = Memory AS ${stage1Sql(plan, { db })}`, params);
  try {
    const [persons, stats, sample] = await Promise.all([
      d.olap.query<{ n: number }>(`SELECT count() AS n FROM ${scratch}`),
      tagStats(d.olap, rows, [def], params),
      d.olap.query<{ person_id: string; value_num: number | null; value_str: string; value_list: string[]; value_weights: number[] }>(
        `SELECT person_id, value_num, value_str, value_list, value_weights FROM (${rows}) ORDER BY cityHash64(person_id) LIMIT 10`,
        params,
      ),
    ]);
    const n = Number(persons[0]!.n);
    const s = stats[0]!;
    return {
      persons: n,
      covered: s.covered,
      coverage: n ? s.covered / n : 0,
      distribution: s.distribution,
      numeric: s.numeric,
      sample: sample.map((r) => ({ userId: r.person_id, value: decodeValue(def, r) })),
      sql: rowsSql(plan, defs, `(${stage1Sql(plan, { db })})`, [def.code]),
    };
  } finally {
    await d.olap.command(`DROP TABLE IF EXISTS ${scratch}`).catch(() => undefined);
  }
}
