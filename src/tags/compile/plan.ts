import type { Spec, Stat, TagDef } from '../dsl.ts';
import { aggregateSql, aggregateType } from './aggregate.ts';
import { asDate, asNumber, asText, compileCond, compileExpr, type Compiled, type Scope } from './expr.ts';
import { field, numeric, text } from './fields.ts';
import { AS_OF, rowCondition, usesLines } from './filters.ts';
import { Params } from './params.ts';

/**
 * Compiles a set of tag definitions into one two-stage query:
 *
 *  stage 1  one pass over the events (and one over product lines, when a definition reads them),
 *           grouped by person: every statistic, trait and preference map the tags need, as columns;
 *  stage 2  per person, each tag's value from those columns (bins, rules, cases, scores refer to
 *           stage-1 columns and to each other's aliases);
 *  rows     stage 2 unpivoted to (tag_code, person_id, value…) rows for `tag_values`.
 *
 * The same text serves the full build (all persons), the incremental refresh (a few persons, by
 * their ids) and the explanation of one value (one person, with the evidence columns).
 */

export interface Column {
  alias: string;
  sql: string;
  level: 'event' | 'line' | 'identify';
  /** what the column is, for explanations */
  zh: string;
  en: string;
  type: Compiled['type'];
}

export interface CompileOptions {
  /** definitions by code: the tags to output and every tag they refer to */
  defs: ReadonlyMap<string, TagDef>;
  outputs: readonly string[];
  /** score thresholds fixed by the last full build, by tag code */
  thresholds?: Readonly<Record<string, number[]>>;
}

export interface CompiledPlan {
  params: Params;
  columns: Column[];
  /** stage-2 expressions by tag code (only computed tags; model tags are read from storage) */
  tags: Map<string, Compiled>;
  /** score inputs by tag code, for the threshold pass */
  scoreInputs: Map<string, { sql: string; buckets: number }>;
  outputs: string[];
  /** codes in dependency order, outputs and what they need */
  order: string[];
  /** each tag's layer in stage 2: 0 reads only stage-1 columns, n reads tags of layers below n */
  depth: Map<string, number>;
}

export class TagCompileError extends Error {}

export function compilePlan(o: CompileOptions): CompiledPlan {
  const params = new Params();
  const columns: Column[] = [];
  const byKey = new Map<string, Column>();
  const tags = new Map<string, Compiled>();
  const scoreInputs = new Map<string, { sql: string; buckets: number }>();
  const visiting = new Set<string>();
  /** the tag being compiled, innermost last, and each tag's layer (1 + the deepest tag it refers to) */
  const stack: string[] = [];
  const depth = new Map<string, number>();
  const order: string[] = [];

  const column = (key: string, make: () => Omit<Column, 'alias'>): Column => {
    let c = byKey.get(key);
    if (!c) {
      c = { alias: `s${columns.length}`, ...make() };
      columns.push(c);
      byKey.set(key, c);
    }
    return c;
  };

  const statColumn = (s: Stat): Compiled => {
    const lines = usesLines([s.of], s.where);
    const c = column(`stat:${JSON.stringify(s)}`, () => ({
      sql: aggregateSql(s, params),
      level: lines ? 'line' : 'event',
      ...describeStat(s),
      type: aggregateType(s),
    }));
    return { sql: c.alias, type: c.type };
  };

  const traitColumn = (path: string): Compiled => {
    const keys = path.split('.').map((k) => params.str(k)).join(', ');
    const c = column(`trait:${path}`, () => ({
      sql: `argMaxIf(JSONExtractRaw(traits, ${keys}), timestamp, JSONHas(traits, ${keys}))`,
      level: 'identify',
      zh: `属性 ${path}`,
      en: `trait ${path}`,
      type: 'raw',
    }));
    return { sql: c.alias, type: 'raw' };
  };

  const scope: Scope = {
    params,
    stat: statColumn,
    trait: traitColumn,
    raw: (key, c) => column(key, () => c).alias,
    tag: (code) => {
      visit(code);
      const parent = stack[stack.length - 1];
      if (parent) depth.set(parent, Math.max(depth.get(parent) ?? 0, depth.get(code)! + 1));
      const def = o.defs.get(code)!;
      return { sql: `t_${code}`, type: valueKind(def) };
    },
  };

  function visit(code: string) {
    if (tags.has(code)) return;
    const def = o.defs.get(code);
    if (!def) throw new TagCompileError(`unknown tag '${code}'`);
    if (def.spec.type === 'model') throw new TagCompileError(`tag '${code}' is written by a model; rules cannot refer to it yet`);
    if (visiting.has(code)) throw new TagCompileError(`tag '${code}' refers to itself through ${[...visiting].join(' → ')}`);
    visiting.add(code);
    stack.push(code);
    depth.set(code, 0);
    const value = valueSql(def, scope, params, o.thresholds?.[code], scoreInputs);
    tags.set(code, consent(def, value, scope));
    stack.pop();
    visiting.delete(code);
    order.push(code);
  }

  for (const code of o.outputs) visit(code);
  return { params, columns, tags, scoreInputs, outputs: [...o.outputs], order, depth };
}

/** The kind of SQL value a tag's column holds, as other expressions see it. */
function valueKind(def: TagDef): Compiled['type'] {
  switch (def.valueType) {
    case 'number':
    case 'boolean':
      return 'number';
    case 'date':
      return 'date';
    case 'ranked':
      return 'ranked';
    default:
      return 'string';
  }
}

function valueSql(
  def: TagDef,
  s: Scope,
  p: Params,
  thresholds: number[] | undefined,
  scoreInputs: Map<string, { sql: string; buckets: number }>,
): Compiled {
  const sp: Spec = def.spec;
  const shape = (c: Compiled): Compiled => {
    const round = 'round' in sp && sp.round !== undefined ? sp.round : undefined;
    switch (def.valueType) {
      case 'number':
      case 'boolean':
        return { sql: round === undefined ? asNumber(c) : `round(${asNumber(c)}, ${round})`, type: 'number' };
      case 'date':
        return { sql: asDate(c), type: 'date' };
      default:
        return { sql: asText(c), type: 'string' };
    }
  };
  switch (sp.type) {
    case 'stat':
      return shape(s.stat(sp.stat));
    case 'expr':
      return shape(compileExpr(sp.expr, s));
    case 'trait': {
      const t = s.trait(sp.trait);
      if (!sp.map) return def.valueType === 'boolean' ? { sql: `if(${t.sql} IN ('', 'null'), NULL, toFloat64(${t.sql} = 'true'))`, type: 'number' } : shape(t);
      const keys = Object.keys(sp.map);
      return { sql: `transform(${asText(t)}, ${p.strs(keys)}, ${p.strs(keys.map((k) => sp.map![k]!))}, ${asText(t)})`, type: 'string' };
    }
    case 'bins': {
      const x = asNumber(compileExpr(sp.of, s));
      const arms = sp.bins.flatMap((b) => (b.upTo === undefined ? [] : [`${x} < ${p.num(b.upTo)}`, p.str(b.label)]));
      const last = sp.bins[sp.bins.length - 1]!;
      const fallback = last.upTo === undefined ? p.str(last.label) : `CAST(NULL, 'Nullable(String)')`;
      return { sql: `multiIf(isNull(${x}), CAST(NULL, 'Nullable(String)'), ${arms.length ? `${arms.join(', ')}, ` : ''}${fallback})`, type: 'string' };
    }
    case 'rule':
      return { sql: `toFloat64(${compileCond(sp.when, s)})`, type: 'number' };
    case 'cases': {
      const arms = sp.cases.flatMap((c) => [compileCond(c.when, s), p.str(c.label)]);
      const fallback = sp.else === undefined ? `CAST(NULL, 'Nullable(String)')` : p.str(sp.else);
      return { sql: `multiIf(${arms.join(', ')}, ${fallback})`, type: 'string' };
    }
    case 'top':
      return { sql: topColumn(def.code, sp, s, p), type: 'ranked' };
    case 'score': {
      const raw = asNumber(compileExpr(sp.of, s));
      const x = sp.when ? `if(${compileCond(sp.when, s)}, ${raw}, NULL)` : raw;
      scoreInputs.set(def.code, { sql: x, buckets: sp.buckets });
      if (!thresholds) return { sql: 'CAST(NULL, \'Nullable(Float64)\')', type: 'number' };
      const above = `arrayCount(t -> ${x} > t, ${p.nums(thresholds)})`;
      return { sql: `if(isNull(${x}), NULL, toFloat64(${sp.descending ? `${sp.buckets} - ${above}` : `1 + ${above}`}))`, type: 'number' };
    }
    case 'model':
      throw new TagCompileError(`tag '${def.code}' is written by a model`);
  }
}

/** Preference: a time-decayed weight per key in stage 1, the top n keys with their share in stage 2. */
function topColumn(code: string, sp: Extract<Spec, { type: 'top' }>, s: Scope, p: Params): string {
  const key = field(sp.key);
  const c = rowCondition({ event: sp.event, where: sp.where, window: sp.window }, p);
  const events = Object.keys(sp.weights ?? {});
  const base = events.length ? `transform(event, ${p.strs(events)}, ${p.nums(events.map((e) => sp.weights![e]!))}, 1.0)` : '1.0';
  const amount = sp.weightOf ? `ifNull(${numeric(field(sp.weightOf))}, 0)` : '1.0';
  const decay = sp.halfLifeDays
    ? `exp(-0.6931471805599453 * (toUnixTimestamp64Milli(${AS_OF}) - toUnixTimestamp64Milli(timestamp)) / 86400000 / ${p.num(sp.halfLifeDays)})`
    : '1.0';
  const lines = usesLines([sp.key, sp.weightOf], sp.where);
  // keys and weights are computed only on the rows the condition keeps (if() short-circuits)
  const k = `if(${c}, ${text(key)}, '')`;
  const sql = `sumMapIf([${k}], [if(${c}, toFloat64(${base} * ${amount} * ${decay}), 0.)], ${k} != '')`;
  const alias = s.raw(`top:${code}`, { sql, level: lines ? 'line' : 'event', zh: `偏好 ${sp.key}`, en: `preference by ${sp.key}`, type: 'raw' });
  const total = `arraySum(${alias}.2)`;
  return `arrayMap(x -> (x.1, round(x.2 / ${total}, 4)), arraySlice(arrayReverseSort(x -> x.2, arrayZip(${alias}.1, ${alias}.2)), 1, ${sp.n}))`;
}

/** Personalisation and marketing tags exist only for people who consented to that purpose. */
function consent(def: TagDef, value: Compiled, s: Scope): Compiled {
  if (def.purpose === 'analytics') return value;
  const flag = s.trait(`consent.${def.purpose}`);
  const empty = value.type === 'ranked' ? '[]' : 'NULL';
  return { sql: `if(${flag.sql} = 'true', ${value.sql}, ${empty})`, type: value.type };
}

export function describeStat(s: Stat): { zh: string; en: string } {
  const f = s.of ? field(s.of) : undefined;
  const ev = s.event === undefined ? '' : Array.isArray(s.event) ? s.event.join('/') : s.event;
  const win = s.window === 'all' ? { zh: '全部时间', en: 'all time' } : { zh: `近${s.window.replace('d', '天').replace('h', '小时')}`, en: `last ${s.window}` };
  const filters = (s.where ?? []).map((w) => `${w.field} ${w.op}${w.value === undefined ? '' : ` ${JSON.stringify(w.value)}`}`).join(', ');
  const en = `${s.agg}${f ? `(${f.en})` : ''}${ev ? ` of ${ev}` : ''}${filters ? ` where ${filters}` : ''}, ${win.en}`;
  const zh = `${win.zh}${ev ? ` ${ev}` : ''}${filters ? `（${filters}）` : ''} 的 ${s.agg}${f ? `(${f.zh})` : ''}`;
  return { zh, en };
}
