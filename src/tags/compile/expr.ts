import type { Cond, Expr } from '../dsl.ts';
import type { Params } from './params.ts';

/** The SQL of an expression and what kind of value it yields. */
export interface Compiled {
  sql: string;
  type: 'number' | 'string' | 'time' | 'date' | 'raw' | 'ranked';
}

/** What expressions need from the plan: columns for stats, traits and other tags. */
export interface Scope {
  params: Params;
  stat(s: Extract<Expr, { stat: unknown }>['stat']): Compiled;
  trait(path: string): Compiled;
  tag(code: string): Compiled;
  /** registers any other stage-1 aggregate (deduplicated by key) and returns its column alias */
  raw(key: string, c: { sql: string; level: 'event' | 'line' | 'identify'; zh: string; en: string; type: Compiled['type'] }): string;
}

export function asNumber(c: Compiled): string {
  if (c.type === 'number') return c.sql;
  if (c.type === 'time') return `toFloat64(toUnixTimestamp64Milli(${c.sql}))`;
  if (c.type === 'date') return `toFloat64(toRelativeDayNum(${c.sql}))`;
  if (c.type === 'raw') return `toFloat64OrNull(trim(BOTH '"' FROM ${c.sql}))`;
  if (c.type === 'ranked') return `${c.sql}[1].2`; // a ranked tag as a number is its top value's weight
  return `toFloat64OrNull(${c.sql})`;
}

export function asText(c: Compiled): string {
  if (c.type === 'string') return c.sql;
  // a JSON null (a trait cleared by a later identify) is no value
  if (c.type === 'raw') return `if(startsWith(${c.sql}, '"'), JSONExtractString(${c.sql}), nullIf(nullIf(${c.sql}, ''), 'null'))`;
  if (c.type === 'ranked') return `${c.sql}[1].1`; // a ranked tag compares by its top value
  return `toString(${c.sql})`;
}

export function asDate(c: Compiled): string {
  if (c.type === 'date') return c.sql;
  if (c.type === 'time') return `toDate(${c.sql}, {tz:String})`;
  return `toDate(parseDateTime64BestEffortOrNull(${asText(c)}, 3, 'UTC'), {tz:String})`;
}

export function compileExpr(e: Expr, s: Scope): Compiled {
  const p = s.params;
  if (typeof e === 'number') return { sql: p.num(e), type: 'number' };
  if (typeof e === 'boolean') return { sql: p.num(Number(e)), type: 'number' };
  if (typeof e === 'string') return { sql: p.str(e), type: 'string' };
  if ('tag' in e) return s.tag(e.tag);
  if ('stat' in e) return s.stat(e.stat);
  if ('trait' in e) return s.trait(e.trait);
  const two = (xs: [Expr, Expr]) => xs.map((x) => compileExpr(x, s)) as [Compiled, Compiled];
  if ('div' in e) {
    const [a, b] = two(e.div);
    return { sql: `if(${asNumber(b)} = 0, NULL, ${asNumber(a)} / ${asNumber(b)})`, type: 'number' };
  }
  if ('mul' in e) return arith('*', two(e.mul));
  if ('add' in e) return arith('+', two(e.add));
  if ('sub' in e) return arith('-', two(e.sub));
  if ('coalesce' in e) {
    const [a, b] = two(e.coalesce);
    if (a.type === 'number' || b.type === 'number') return { sql: `coalesce(${asNumber(a)}, ${asNumber(b)})`, type: 'number' };
    if (a.type === 'date' || b.type === 'date') return { sql: `coalesce(${asDate(a)}, ${asDate(b)})`, type: 'date' };
    return { sql: `coalesce(${asText(a)}, ${asText(b)})`, type: 'string' };
  }
  if ('addDays' in e) {
    const [a, b] = two(e.addDays);
    return { sql: `addDays(${asDate(a)}, toInt32(round(${asNumber(b)})))`, type: 'date' };
  }
  if ('daysSince' in e) {
    const a = compileExpr(e.daysSince, s);
    return { sql: `toFloat64(dateDiff('day', ${asDate(a)}, toDate({as_of:DateTime64(3, 'UTC')}, {tz:String})))`, type: 'number' };
  }
  throw new Error(`unknown expression ${JSON.stringify(e)}`);
}

function arith(op: string, [a, b]: [Compiled, Compiled]): Compiled {
  return { sql: `(${asNumber(a)} ${op} ${asNumber(b)})`, type: 'number' };
}

/**
 * A condition as a 0/1 value. A comparison involving a missing value is false (not NULL), so `not`
 * reads naturally: "not (orders_90d > 2)" holds for someone with no orders.
 */
export function compileCond(c: Cond, s: Scope): string {
  if ('all' in c) return `(${c.all.map((x) => compileCond(x, s)).join(' AND ')})`;
  if ('any' in c) return `(${c.any.map((x) => compileCond(x, s)).join(' OR ')})`;
  if ('not' in c) return `(NOT ${compileCond(c.not, s)})`;
  if ('isNull' in c) return `isNull(${nullable(compileExpr(c.isNull, s))})`;
  if ('notNull' in c) return `isNotNull(${nullable(compileExpr(c.notNull, s))})`;
  if ('in' in c) {
    const [x, list] = c.in;
    const a = compileExpr(x, s);
    const nums = list.every((v) => typeof v === 'number');
    return nums
      ? `ifNull(has(${s.params.nums(list as number[])}, ${asNumber(a)}), 0)`
      : `ifNull(has(${s.params.strs(list.map(String))}, ${asText(a)}), 0)`;
  }
  const [op, pair] = Object.entries(c)[0] as [string, [Expr, Expr]];
  const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' }[op];
  if (!sym) throw new Error(`unknown condition ${op}`);
  const [a, b] = pair.map((x) => compileExpr(x, s)) as [Compiled, Compiled];
  const numeric = a.type === 'number' || b.type === 'number';
  const dated = !numeric && (a.type === 'date' || b.type === 'date' || a.type === 'time' || b.type === 'time');
  const [l, r] = numeric ? [asNumber(a), asNumber(b)] : dated ? [asDate(a), asDate(b)] : [asText(a), asText(b)];
  return `ifNull(${l} ${sym} ${r}, 0)`;
}

function nullable(c: Compiled): string {
  return c.type === 'raw' ? asText(c) : c.type === 'ranked' ? `nullIf(length(${c.sql}), 0)` : c.sql;
}
