import { z } from 'zod';
import { filter, tagCode, traitPath } from '../tags/dsl.ts';

/**
 * The segment rule language (docs/segments.md): a JSON tree of conditions on traits, tags and events,
 * combined with all/any/not. Checked here; compiled to one ClickHouse query over sets of people by compile/.
 */

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const eventName = z.string().min(1).max(200);

export const valueOps = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'exists', 'notExists'] as const;

const valueCondition = {
  op: z.enum(valueOps),
  value: z.union([scalar, z.array(scalar).min(1).max(1000)]).optional(),
  /** for ranked tags with op contains: only the first n values count ("top-3 categories contain …") */
  topN: z.number().int().min(1).max(50).optional(),
};

function checkValue(c: { op: string; value?: unknown }, ctx: z.RefinementCtx) {
  const list = Array.isArray(c.value);
  if (c.op === 'exists' || c.op === 'notExists') {
    if (c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' takes no value` });
  } else if (c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a value` });
  else if ((c.op === 'in' || c.op === 'nin') && !list) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a list` });
  else if (c.op === 'between' && (!list || (c.value as unknown[]).length !== 2)) ctx.addIssue({ code: 'custom', path: ['value'], message: "'between' needs [low, high]" });
  else if (!['in', 'nin', 'between'].includes(c.op) && list) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' takes one value, not a list` });
}

/** A time range: the last N days/hours, or between two dates (inclusive, shop time zone). */
export const when = z.union([
  z.strictObject({ days: z.number().int().min(1).max(3650) }),
  z.strictObject({ hours: z.number().int().min(1).max(24 * 365) }),
  z.strictObject({ from: z.iso.date(), to: z.iso.date() }),
]);
export type When = z.infer<typeof when>;

const step = z.strictObject({ event: eventName, where: z.array(filter).max(20).optional() });
export type Step = z.infer<typeof step>;

const countOp = z.strictObject({ op: z.enum(['gte', 'gt', 'lte', 'lt', 'eq']), value: z.number().int().min(0).max(1_000_000) });

export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { trait: string; op: (typeof valueOps)[number]; value?: unknown; topN?: number }
  | { tag: string; op: (typeof valueOps)[number]; value?: unknown; topN?: number }
  | { event: string | string[]; where?: z.infer<typeof filter>[]; count?: z.infer<typeof countOp>; within?: When; performed?: boolean }
  | { sequence: Step[]; within: { minutes?: number; hours?: number; days?: number }; during?: When }
  | { funnel: Step[]; reached: number; within: { minutes?: number; hours?: number; days?: number }; during?: When }
  | { rfm: string[] }
  | { lifecycle: string[] }
  | { segment: string; member?: boolean };

const span = z
  .strictObject({ minutes: z.number().int().min(1).optional(), hours: z.number().int().min(1).optional(), days: z.number().int().min(1).max(3650).optional() })
  .refine((s) => (s.minutes ?? 0) + (s.hours ?? 0) + (s.days ?? 0) > 0, 'give minutes, hours or days');

export const rule: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(rule).min(1).max(50) }),
    z.strictObject({ any: z.array(rule).min(1).max(50) }),
    z.strictObject({ not: rule }),
    z.strictObject({ trait: traitPath, ...valueCondition }).superRefine(checkValue),
    z.strictObject({ tag: tagCode, ...valueCondition }).superRefine(checkValue),
    z.strictObject({
      event: z.union([eventName, z.array(eventName).min(1).max(50)]),
      where: z.array(filter).max(20).optional(),
      count: countOp.optional(),
      within: when.optional(),
      performed: z.boolean().optional(),
    }),
    z.strictObject({ sequence: z.array(step).min(2).max(10), within: span, during: when.optional() }),
    z.strictObject({ funnel: z.array(step).min(2).max(10), reached: z.number().int().min(1).max(10), within: span, during: when.optional() }),
    z.strictObject({ rfm: z.array(z.string().min(1).max(50)).min(1).max(8) }),
    z.strictObject({ lifecycle: z.array(z.string().min(1).max(50)).min(1).max(5) }),
    z.strictObject({ segment: z.string().min(1).max(100), member: z.boolean().optional() }),
  ]),
) as z.ZodType<Rule>;

/** Segment ids a rule refers to (to refuse cycles and deleting a segment others use). */
export function referencedSegments(r: Rule): string[] {
  if ('all' in r) return r.all.flatMap(referencedSegments);
  if ('any' in r) return r.any.flatMap(referencedSegments);
  if ('not' in r) return referencedSegments(r.not);
  if ('segment' in r) return [r.segment];
  return [];
}
