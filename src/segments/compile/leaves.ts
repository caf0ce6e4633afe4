import { field } from '../../tags/compile/fields.ts';
import { AS_OF, filterSql } from '../../tags/compile/filters.ts';
import type { Params } from '../../tags/compile/params.ts';
import { personHashThroughJoin } from '../../identity/engineMap.ts';
import { personEvents } from '../../tags/compile/sql.ts';
import type { TagDef } from '../../tags/dsl.ts';
import type { Rule, Step, When } from '../rule.ts';

/**
 * One SQL subquery per leaf condition, each yielding the set of matching persons as distinct rows of `h`
 * (cityHash64 of the person id), so that all/any/not become `IN`, `UNION` and `NOT IN` (compile/index.ts).
 */
export interface LeafContext {
  params: Params;
  db: string;
  defs: ReadonlyMap<string, TagDef>;
  /** evaluate only for the persons in {persons:Array(String)} (events of {ids:Array(String)}) */
  restricted: boolean;
  /** the set of everyone (`h`), read once per query as a materialized `WITH` when a complement needs it */
  universe: string;
  /** set when a complement needed the universe (then the result is also intersected with it) */
  usesUniverse?: boolean;
  /** set when a condition reads the identity map (`identityCte`, stated once before the query) */
  usesIdentity?: boolean;
  /** the embedded engine's in-memory identity map (src/identity/engineMap.ts), used over everyone instead of `identityCte` */
  identityJoin?: string;
}

export class RuleCompileError extends Error {}

/** Everyone but the set `x`. */
export const complement = (c: LeafContext, x: string) => {
  c.usesUniverse = true;
  return `SELECT h FROM ${c.universe} WHERE h NOT IN (${x})`;
};

type ValueLeaf = { op: string; value?: unknown; topN?: number };

/** A value comparison on one column; `kind` says how the column holds its value. */
function valueCond(col: { num: string; str: string; list?: string }, kind: 'number' | 'string' | 'list', l: ValueLeaf, p: Params, path: string): string {
  const v = l.value;
  const isNum = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  const one = (x: unknown) => (isNum(x) || kind === 'number' ? p.num(Number(x)) : p.str(String(x)));
  const lhs = (x: unknown) => (kind === 'number' || isNum(x) ? col.num : col.str);
  if (kind === 'number') {
    for (const x of [v].flat()) {
      if (typeof x === 'string' && !Number.isFinite(Number(x))) throw new RuleCompileError(`${path}.value: '${x.slice(0, 40)}' is not a number, and this tag holds numbers`);
    }
  }
  if (kind === 'list') {
    const list = l.topN ? `arraySlice(${col.list}, 1, ${l.topN})` : col.list!;
    switch (l.op) {
      case 'contains':
      case 'eq':
        return `has(${list}, ${p.str(String(v))})`;
      case 'in':
        return `hasAny(${list}, ${p.strs((v as unknown[]).map(String))})`;
      case 'neq':
        return `NOT has(${list}, ${p.str(String(v))})`;
      case 'nin':
        return `NOT hasAny(${list}, ${p.strs((v as unknown[]).map(String))})`;
      case 'exists':
        return `notEmpty(${col.list})`;
      default:
        throw new RuleCompileError(`${path}: '${l.op}' does not apply to a ranked list; use contains, in, eq, neq, nin or exists`);
    }
  }
  switch (l.op) {
    case 'exists':
      return kind === 'number' ? `isNotNull(${col.num})` : `${col.str} != ''`;
    case 'in':
    case 'nin': {
      const xs = v as unknown[];
      const nums = xs.every(isNum);
      const expr = `has(${nums ? p.nums(xs.map(Number)) : p.strs(xs.map(String))}, ${nums ? col.num : col.str})`;
      return l.op === 'nin' ? `NOT ${expr}` : expr;
    }
    case 'between': {
      const [a, b] = v as [unknown, unknown];
      return `${lhs(a)} BETWEEN ${one(a)} AND ${one(b)}`;
    }
    case 'contains':
      return `positionUTF8(${col.str}, ${p.str(String(v))}) > 0`;
    default: {
      const sym = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[l.op];
      if (!sym) throw new RuleCompileError(`${path}: unknown op '${l.op}'`);
      return `ifNull(${lhs(v)} ${sym} ${one(v)}, 0)`;
    }
  }
}

export function tagLeaf(r: Extract<Rule, { tag: string }>, c: LeafContext, path: string): string {
  const def = c.defs.get(r.tag);
  if (!def) throw new RuleCompileError(`${path}.tag: no tag '${r.tag}'`);
  const kind = def.valueType === 'ranked' ? 'list' : def.valueType === 'number' || def.valueType === 'boolean' ? 'number' : 'string';
  const value = def.valueType === 'boolean' && typeof r.value === 'string' ? r.value === 'true' : r.value;
  const code = c.params.str(r.tag);
  // all people: FINAL over the tag's key range; a few people (live path): their latest rows by GROUP BY
  const source = c.restricted
    ? `(SELECT person_id, argMax(value_num, version) AS value_num, argMax(value_str, version) AS value_str, argMax(value_list, version) AS value_list
        FROM ${c.db}.tag_values WHERE tag_code = ${code} AND person_id IN {persons:Array(String)}
        GROUP BY person_id HAVING argMax(is_deleted, version) = 0)`
    : `(SELECT person_id, value_num, value_str, value_list FROM ${c.db}.tag_values FINAL WHERE tag_code = ${code})`;
  const select = (cond: string) => `SELECT cityHash64(person_id) AS h FROM ${source} WHERE ${cond}`;
  if (r.op === 'notExists') return complement(c, select('1'));
  return select(valueCond({ num: 'value_num', str: 'value_str', list: 'value_list' }, kind, { ...r, value }, c.params, path));
}

/**
 * The identity map (person_ids, the latest version of each id: FINAL, which reads the sorted parts in
 * order, a fraction of an argMax aggregation's cost), restricted to `{ids}` on the live path. Only ids
 * mapped to another id are kept: an id missing from it is its own person, as in personEvents. Every
 * condition reading events joins it: a query states it once, as the materialized CTE `identityCte`.
 */
export function identityMapSql(db: string, restricted: boolean): string {
  return `SELECT distinct_id, person_id FROM ${db}.person_ids FINAL WHERE person_id != distinct_id AND person_id != ''${restricted ? ' AND distinct_id IN {ids:Array(String)}' : ''}`;
}
export const identityCte = 'segment_identity_map';

/**
 * Rows keyed by device (`distinct_id`, its hash `distinct_hash`, and `cols`) resolved to their person as
 * personEvents resolves events, the person given as `h`, the hash the sets hold (grouping by it is cheaper
 * than by the id). Over everyone on the embedded engine, through its in-memory identity map (an integer
 * lookup per row, src/identity/engineMap.ts); otherwise joined to the map read once per query.
 */
function byPerson(c: LeafContext, rows: string, cols: string[]): string {
  if (c.identityJoin && !c.restricted) {
    return `SELECT ${personHashThroughJoin(c.identityJoin, 'r.distinct_hash')} AS h, ${cols.map((x) => `r.${x} AS ${x}`).join(', ')} FROM (${rows}) AS r`;
  }
  c.usesIdentity = true;
  return `SELECT cityHash64(if(pm.person_id != '', pm.person_id, r.distinct_id)) AS h, ${cols.map((x) => `r.${x} AS ${x}`).join(', ')}
    FROM (${rows}) AS r LEFT JOIN ${identityCte} AS pm ON pm.distinct_id = r.distinct_id`;
}

export function traitLeaf(r: Extract<Rule, { trait: string }>, c: LeafContext, path: string): string {
  // the identify messages' traits, one row per top-level trait (segment_traits, kept by a materialized
  // view); a nested path (`address.city`) reads the rest of the way inside the top-level value
  const [first, ...rest] = r.trait.split('.');
  const inner = rest.map((k) => c.params.str(k)).join(', ');
  const rows = `SELECT distinct_id, distinct_hash, timestamp AS ts, ${rest.length ? `JSONExtractRaw(value, ${inner})` : 'value'} AS raw FROM ${c.db}.segment_traits
    WHERE trait = ${c.params.str(first!)} AND timestamp <= ${AS_OF}${c.restricted ? ' AND distinct_id IN {ids:Array(String)}' : ''}${rest.length ? ` AND JSONHas(value, ${inner})` : ''}`;
  const cols = { num: `multiIf(raw = 'true', 1., raw = 'false', 0., toFloat64OrNull(trim(BOTH '"' FROM raw)))`, str: `if(startsWith(raw, '"'), JSONExtractString(raw), raw)` };
  // the condition is judged on every row and the person's latest row decides (argMax of a flag, not of the
  // text: no string copied per person); a null value, or one the condition cannot judge, matches nothing
  const select = (cond: string) =>
    `SELECT h FROM (${byPerson(c, rows, ['ts', 'raw'])}) GROUP BY h HAVING argMax(ifNull(raw != 'null' AND (${cond}), 0), ts) = 1`;
  // notExists is exactly "not exists": a trait sent as "" does not exist either
  if (r.op === 'notExists') return complement(c, select(valueCond(cols, 'string', { op: 'exists' }, c.params, path)));
  if (r.op === 'eq' && typeof r.value === 'string') return select(textEquals(r.value, c.params));
  return select(valueCond(cols, 'string', r, c.params, path));
}

/**
 * A raw JSON value equal to the text `v` as `if(startsWith(raw, '"'), JSONExtractString(raw), raw) = v`
 * judges it, without parsing the JSON of every row: a string is compared as JSON text, parsed only when it
 * holds an escape; anything else is compared as written.
 */
function textEquals(v: string, p: Params): string {
  return `multiIf(startsWith(raw, '"'), raw = ${p.str(JSON.stringify(v))} OR (position(raw, '\\\\') > 0 AND JSONExtractString(raw) = ${p.str(v)}), raw = ${p.str(v)})`;
}

/** The time condition of `within`/`during`. */
export function whenSql(w: When | undefined, p: Params): string {
  if (!w) return '1';
  if ('days' in w) return `timestamp > {as_of:DateTime64(3, 'UTC')} - toIntervalDay(${p.num(w.days)})`;
  if ('hours' in w) return `timestamp > {as_of:DateTime64(3, 'UTC')} - toIntervalHour(${p.num(w.hours)})`;
  return `toDate(timestamp, {tz:String}) BETWEEN toDate(${p.str(w.from)}) AND toDate(${p.str(w.to)})`;
}

/** Segment event conditions read events, not product lines: line.* and item.* fields are refused. */
function eventFilters(where: Step['where'], p: Params, path: string): string[] {
  return (where ?? []).map((f, i) => {
    if (field(f.field).level !== 'event') throw new RuleCompileError(`${path}.where.${i}.field: '${f.field}' is a product-line field; segment conditions take event fields (use a tag for line-level facts)`);
    return `(${filterSql(f, p)})`;
  });
}

function stepCond(s: Step, p: Params, path: string): string {
  return [`event = ${p.str(s.event)}`, ...eventFilters(s.where, p, path)].join(' AND ');
}

export function eventLeaf(r: Extract<Rule, { event: unknown }>, c: LeafContext, path: string): string {
  const p = c.params;
  const names = Array.isArray(r.event) ? r.event : [r.event];
  const cond = [names.length === 1 ? `event = ${p.str(names[0]!)}` : `has(${p.strs(names)}, event)`, ...eventFilters(r.where, p, path), whenSql(r.within, p)].join(' AND ');
  const count = r.performed === false ? { op: 'eq' as const, value: 0 } : (r.count ?? { op: 'gte' as const, value: 1 });
  const sym = { gte: '>=', gt: '>', lte: '<=', lt: '<', eq: '=' }[count.op];
  const n = p.num(count.value);
  // over everyone and on event fields only (no `where`): one event's window of segment_event_times, counted
  // per device first; otherwise (a filter on event properties, or a few people's events) the events themselves
  const narrow = !c.restricted && !r.where?.length;
  const times = `FROM ${c.db}.segment_event_times WHERE ${cond} AND timestamp <= ${AS_OF}`;
  // through the in-memory map each row finds its person at once (one grouping); joined to the map read per
  // query, the rows are first counted per device so that fewer go through the join
  const perPerson = narrow && c.identityJoin
    ? `SELECT ${personHashThroughJoin(c.identityJoin, 'distinct_hash')} AS h, count() AS c ${times} GROUP BY h`
    : narrow
      ? `SELECT h, sum(n) AS c FROM (${byPerson(c, `SELECT distinct_id, count() AS n ${times} GROUP BY distinct_id`, ['n'])}) GROUP BY h`
      : `SELECT cityHash64(person) AS h, count() AS c FROM (${personEvents({ db: c.db, byIds: c.restricted })}) WHERE ${cond} GROUP BY person`;
  const counted = (having: string) => `SELECT h FROM (${perPerson} HAVING ${having})`;
  // a count that admits zero also matches everyone without any such event: the complement of those who break it
  const admitsZero = (count.op === 'eq' && count.value === 0) || count.op === 'lte' || (count.op === 'lt' && count.value > 0) || (count.op === 'gte' && count.value === 0);
  if (admitsZero) return complement(c, counted(`NOT (c ${sym} ${n})`));
  return counted(`c ${sym} ${n}`);
}

const spanMs = (s: { minutes?: number; hours?: number; days?: number }) => ((s.minutes ?? 0) * 60 + (s.hours ?? 0) * 3600 + (s.days ?? 0) * 86400) * 1000;

/** A then B (then C …) within a span: ClickHouse windowFunnel over the steps; `reached` is how many steps. */
export function funnelLeaf(steps: Step[], reached: number, within: { minutes?: number; hours?: number; days?: number }, during: When | undefined, c: LeafContext, path: string): string {
  const p = c.params;
  const conds = steps.map((s, i) => stepCond(s, p, `${path}.${i}`));
  return `SELECT cityHash64(person) AS h FROM (
    SELECT person, windowFunnel(${spanMs(within)})(toUInt64(toUnixTimestamp64Milli(timestamp)), ${conds.join(', ')}) AS level
    FROM (${personEvents({ db: c.db, byIds: c.restricted })})
    WHERE has(${p.strs([...new Set(steps.map((s) => s.event))])}, event) AND ${whenSql(during, p)}
    GROUP BY person HAVING level >= ${reached})`;
}

export function segmentLeaf(r: Extract<Rule, { segment: string }>, c: LeafContext): string {
  const restrict = c.restricted ? ' AND person_id IN {persons:Array(String)}' : '';
  const members = `SELECT DISTINCT cityHash64(person_id) AS h FROM ${c.db}.segment_members FINAL WHERE segment_id = ${c.params.str(r.segment)} AND is_member = 1${restrict}`;
  // a static segment may hold uploaded ids never seen: only known people count
  c.usesUniverse = true;
  return r.member === false ? complement(c, members) : members;
}

