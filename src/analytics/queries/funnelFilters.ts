import { z } from 'zod';

/**
 * Funnel steps and their property filters: the request shape (zod, so a bad filter is a 400 naming its
 * path) and its compilation to a ClickHouse condition. Columns come only from the allow-list below; every
 * value, event name and JSON key travels as a typed parameter.
 */

/** typed text columns of the events table a filter may name */
export const textFields = [
  'product_id', 'order_id', 'category', 'brand', 'coupon', 'currency', 'query', 'share_to', 'page_url', 'page_path',
  'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'device_type', 'os_name', 'locale',
] as const;
/** typed numeric columns (nullable: an event without the value matches no comparison) */
export const numberFields = ['price', 'quantity', 'revenue', 'discount', 'rating'] as const;

export const textOps = ['eq', 'neq', 'in', 'not_in', 'contains', 'not_contains'] as const;
export const numberOps = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte'] as const;
export const filterOps = ['eq', 'neq', 'in', 'not_in', 'contains', 'not_contains', 'gt', 'gte', 'lt', 'lte'] as const;
export type FilterOp = (typeof filterOps)[number];

const PROPERTY = /^properties\.([A-Za-z0-9_$-]{1,64})$/;
const noNul = (s: string) => !s.includes('\u0000');
const text = z.string().max(500).refine(noNul, 'must not contain NUL');
const scalar = z.union([text, z.number().finite()]);

export const funnelFilter = z
  .strictObject({
    field: z.string().min(1).max(80).describe(`a typed column (${[...textFields, ...numberFields].join(', ')}) or properties.<key>`),
    op: z.enum(filterOps),
    value: z.union([scalar, z.array(scalar).min(1).max(100)]),
  })
  .superRefine((f, ctx) => {
    const kind = fieldKind(f.field);
    if (!kind) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `unknown field '${f.field}': use one of ${[...textFields, ...numberFields].join(', ')} or properties.<key> (letters, digits, _ $ -)` });
      return;
    }
    const list = f.op === 'in' || f.op === 'not_in';
    if (list !== Array.isArray(f.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: list ? `${f.op} takes a list of values` : `${f.op} takes one value, not a list` });
      return;
    }
    if (kind === 'text' && !(textOps as readonly string[]).includes(f.op))
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${f.field} is text: use one of ${textOps.join(', ')}` });
    if (kind === 'number') {
      if (!(numberOps as readonly string[]).includes(f.op)) {
        ctx.addIssue({ code: 'custom', path: ['op'], message: `${f.field} is a number: use one of ${numberOps.join(', ')}` });
        return;
      }
      const values = Array.isArray(f.value) ? f.value : [f.value];
      if (values.some((v) => typeof v !== 'number')) ctx.addIssue({ code: 'custom', path: ['value'], message: `${f.field} is a number: give numbers` });
    }
    if (kind === 'property' && ['gt', 'gte', 'lt', 'lte'].includes(f.op) && typeof f.value !== 'number')
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${f.op} compares numbers: give a number` });
  });
export type FunnelFilter = z.infer<typeof funnelFilter>;

export const funnelStep = z.strictObject({
  event: z.string().min(1).max(200).refine(noNul, 'must not contain NUL').describe('event name (track event, or page/screen name)'),
  where: z.array(funnelFilter).max(10).default([]).describe('property filters, all of which must hold'),
});
export type FunnelStep = z.input<typeof funnelStep>;

function fieldKind(field: string): 'text' | 'number' | 'property' | null {
  if ((textFields as readonly string[]).includes(field)) return 'text';
  if ((numberFields as readonly string[]).includes(field)) return 'number';
  return PROPERTY.test(field) ? 'property' : null;
}

const cmp: Record<'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte', string> = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * One filter as a UInt8 condition over the events alias `e`, its values added to `params` under `prefix`.
 * Text compares as text (`contains` ignores case); numbers as Float64; a property compares as text for the
 * text operators (a JSON number as written, e.g. 309) and as a number for gt/gte/lt/lte.
 */
export function filterSql(f: FunnelFilter, prefix: string, params: Record<string, unknown>): string {
  const kind = fieldKind(f.field);
  if (!kind) throw new RangeError(`unknown field ${f.field}`);
  const p = `${prefix}v`;
  const values = Array.isArray(f.value) ? f.value : [f.value];
  let col: string;
  let numeric: boolean;
  if (kind === 'property') {
    params[`${prefix}k`] = PROPERTY.exec(f.field)![1];
    numeric = ['gt', 'gte', 'lt', 'lte'].includes(f.op);
    const key = `{${prefix}k:String}`;
    col = numeric
      ? `JSONExtract(e.properties, ${key}, 'Nullable(Float64)')`
      : `if(JSONType(e.properties, ${key}) = 'String', JSONExtractString(e.properties, ${key}), JSONExtractRaw(e.properties, ${key}))`;
  } else {
    col = `e.${f.field}`;
    numeric = kind === 'number';
  }
  const type = numeric ? 'Float64' : 'String';
  const norm = (v: string | number) => (numeric ? Number(v) : String(v));
  let sql: string;
  if (f.op === 'in' || f.op === 'not_in') {
    params[p] = values.map(norm);
    sql = `${col} ${f.op === 'in' ? 'IN' : 'NOT IN'} {${p}:Array(${type})}`;
  } else if (f.op === 'contains' || f.op === 'not_contains') {
    params[p] = String(values[0]);
    sql = `positionCaseInsensitiveUTF8(${col}, {${p}:String}) ${f.op === 'contains' ? '>' : '='} 0`;
  } else {
    params[p] = norm(values[0]!);
    sql = `${col} ${cmp[f.op]} {${p}:${type}}`;
  }
  // a missing number (NULL) matches no comparison; windowFunnel wants a plain UInt8
  return numeric ? `ifNull(${sql}, 0)` : `(${sql})`;
}

/** A step as a condition: the event name and every filter. */
export function stepSql(step: z.output<typeof funnelStep>, i: number, params: Record<string, unknown>): string {
  params[`s${i}_event`] = step.event;
  return [`e.event = {s${i}_event:String}`, ...step.where.map((f, k) => filterSql(f, `s${i}_f${k}_`, params))].join(' AND ');
}
