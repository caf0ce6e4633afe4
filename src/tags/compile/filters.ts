import type { Filter, Stat } from '../dsl.ts';
import { field, numeric, text } from './fields.ts';
import type { Params } from './params.ts';

export const AS_OF = `{as_of:DateTime64(3, 'UTC')}`;

/** One filter as a condition. Numbers compare as numbers, everything else as text. */
export function filterSql(f: Filter, p: Params): string {
  const fd = field(f.field);
  const v = f.value;
  const isNum = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  const lhs = (x: unknown) => (isNum(x) ? numeric(fd) : text(fd));
  switch (f.op) {
    case 'exists':
      return fd.type === 'string' ? `${text(fd)} != ''` : `isNotNull(${fd.sql})`;
    case 'notExists':
      return fd.type === 'string' ? `${text(fd)} = ''` : `isNull(${fd.sql})`;
    case 'in':
    case 'nin': {
      const list = v as (string | number | boolean)[];
      const nums = list.every(isNum);
      const arr = nums ? p.nums(list.map(Number)) : p.strs(list.map(String));
      return `${f.op === 'nin' ? 'NOT ' : ''}has(${arr}, ${nums ? numeric(fd) : text(fd)})`;
    }
    case 'contains':
      return `positionUTF8(${text(fd)}, ${p.str(String(v))}) > 0`;
    default: {
      const op = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
      if (typeof v === 'boolean' && fd.type !== 'number' && (f.op === 'eq' || f.op === 'neq')) {
        // a JSON boolean reads as the text true/false (or 1/0 where a shop sends numbers)
        return `${f.op === 'neq' ? 'NOT ' : ''}has(${p.strs(v ? ['true', '1'] : ['false', '0'])}, ${text(fd)})`;
      }
      return `${lhs(v)} ${op} ${p.scalar(v as string | number | boolean)}`;
    }
  }
}

/** The time condition of a window (`30d`, `12h`, `all`) relative to the build's as-of moment. */
export function windowSql(w: string): string {
  if (w === 'all') return '';
  const n = Number(w.slice(0, -1));
  return `timestamp > ${AS_OF} - ${w.endsWith('h') ? 'toIntervalHour' : 'toIntervalDay'}(${n})`;
}

/** Everything that selects the rows a stat aggregates: event names, message type, filters, window. */
export function rowCondition(s: Pick<Stat, 'event' | 'type' | 'where' | 'window'>, p: Params): string {
  const parts: string[] = [];
  if (s.event !== undefined) {
    const names = Array.isArray(s.event) ? s.event : [s.event];
    parts.push(names.length === 1 ? `event = ${p.str(names[0]!)}` : `has(${p.strs(names)}, event)`);
  }
  if (s.type) parts.push(`type = ${p.str(s.type)}`);
  for (const f of s.where ?? []) parts.push(`(${filterSql(f, p)})`);
  const w = windowSql(s.window ?? 'all');
  if (w) parts.push(w);
  return parts.length ? parts.join(' AND ') : '1';
}

/** Does any part of the stat read product-line fields (so it aggregates over lines, not events)? */
export function usesLines(fields: readonly (string | undefined)[], where: readonly Filter[] = []): boolean {
  return [...fields, ...where.map((f) => f.field)].some((f) => f !== undefined && field(f).level === 'line');
}
