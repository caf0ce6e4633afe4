import { lastThresholds, baseParams, personsOf, type BuildDeps } from './build.ts';
import { compilePlan } from './compile/plan.ts';
import { stage1Sql, stage2Sql } from './compile/sql.ts';
import { describeSpec } from './describe.ts';
import { decodeValue, type TagValue } from './values.ts';

export interface Explanation {
  code: string;
  name_zh: string;
  name_en: string;
  value: TagValue | null;
  computedValue: TagValue | null;
  asOf: string;
  rule_zh: string;
  rule_en: string;
  spec: unknown;
  evidence: { name: string; label_zh: string; label_en: string; value: unknown }[];
}

/**
 * Why a person carries a value: the definition as text, and the numbers behind it — every statistic
 * and every tag the definition uses, recomputed now for this person from their events (the same SQL
 * a build runs), beside the value stored by the last build or refresh.
 */
export async function explain(d: BuildDeps, personId: string, code: string, stored: TagValue | null): Promise<Explanation> {
  const defs = await d.taxonomy.definitions();
  const def = defs.get(code)!;
  const rule = describeSpec(def.spec);
  const base = { code, name_zh: def.name_zh, name_en: def.name_en, value: stored, rule_zh: rule.zh, rule_en: rule.en, spec: def.spec };
  const asOf = new Date();
  if (def.spec.type === 'model') return { ...base, computedValue: stored, asOf: asOf.toISOString(), evidence: [] };
  const thresholds = await lastThresholds(d.oltp);
  const plan = compilePlan({ defs, outputs: [code], thresholds });
  const { all } = await personsOf(d.oltp, [personId]);
  const cols = plan.columns.map((c) => c.alias);
  const sql = `SELECT * FROM (${stage2Sql(plan, `(${stage1Sql(plan, { db: d.olap.db, byIds: true })})`, cols.map((c) => `${c} AS e_${c}`))}) LIMIT 1`;
  const row = (await d.olap.query<Record<string, unknown>>(sql, { ...plan.params.values, ...baseParams(asOf, d.timezone), ids: all }))[0];
  const evidence: Explanation['evidence'] = [];
  for (const c of plan.columns) {
    if (c.en.startsWith('trait consent.')) continue; // the consent gate is shown by the rule, not as evidence
    evidence.push({ name: c.alias, label_zh: c.zh, label_en: c.en, value: shown(row?.[`e_${c.alias}`]) });
  }
  for (const dep of plan.order.filter((x) => x !== code)) {
    const dd = defs.get(dep)!;
    evidence.push({ name: dep, label_zh: dd.name_zh, label_en: dd.name_en, value: shown(row?.[`t_${dep}`]) });
  }
  for (const [tag, t] of Object.entries(thresholds ?? {})) {
    if (plan.order.includes(tag)) evidence.push({ name: `${tag}.thresholds`, label_zh: `${defs.get(tag)?.name_zh ?? tag} 分位阈值`, label_en: `${defs.get(tag)?.name_en ?? tag} quantile thresholds`, value: t });
  }
  const computed = row ? computedValue(def.valueType, row[`t_${code}`]) : null;
  return { ...base, computedValue: computed, asOf: asOf.toISOString(), evidence };
}

function computedValue(valueType: string, v: unknown): TagValue | null {
  if (v === null || v === undefined || v === '') return null;
  if (valueType === 'ranked') {
    const list = v as [string, number][];
    return list.length ? decodeValue({ valueType: 'ranked' }, { value_num: null, value_str: '', value_list: list.map((x) => x[0]), value_weights: list.map((x) => x[1]) }) : null;
  }
  if (valueType === 'boolean') return Number(v) === 1;
  if (valueType === 'number') return Number(v);
  return String(v);
}

/** Raw stage-1 values made readable: maps as {key: weight}, numbers rounded. */
function shown(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 2 && Array.isArray(v[0]) && Array.isArray(v[1])) {
    return Object.fromEntries((v[0] as string[]).map((k, i) => [k, Math.round(Number((v[1] as number[])[i]) * 1000) / 1000]));
  }
  if (typeof v === 'number') return Math.round(v * 1000) / 1000;
  return v ?? null;
}
