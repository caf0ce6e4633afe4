import { z } from 'zod';
import { FIELDS } from './compile/fields.ts';

/**
 * The tag definition language (docs/tags.md). Plain JSON, checked here, compiled to ClickHouse SQL
 * by `compile/`. Nothing in a definition reaches SQL as text: field names come from a fixed catalog,
 * tag codes are identifiers checked below, and every literal becomes a typed query parameter.
 */

export const tagCode = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a tag code is 2–63 characters of a-z, 0-9 and _, starting with a letter');

const fieldName = z.string().refine((f) => f in FIELDS || /^properties\.[A-Za-z0-9_$]{1,64}$/.test(f), {
  message: `unknown field; use one of ${Object.keys(FIELDS).join(', ')} or properties.<name>`,
});

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const filter = z.strictObject({
  field: fieldName,
  op: z.enum(['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists']),
  value: z.union([scalar, z.array(scalar).min(1).max(1000)]).optional(),
}).superRefine((f, ctx) => {
  const needsList = f.op === 'in' || f.op === 'nin';
  const needsNone = f.op === 'exists' || f.op === 'notExists';
  if (needsNone && f.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${f.op}' takes no value` });
  if (!needsNone && f.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${f.op}' needs a value` });
  if (needsList && f.value !== undefined && !Array.isArray(f.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${f.op}' needs a list` });
  if (!needsList && Array.isArray(f.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${f.op}' takes one value, not a list` });
});
export type Filter = z.infer<typeof filter>;

/** `30d`, `12h` or `all`. */
export const window = z.string().regex(/^(all|\d{1,4}[dh])$/, "a window is like '30d', '12h' or 'all'");

const eventNames = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(50)]);

export const AGGREGATES = [
  'count', 'sum', 'avg', 'min', 'max', 'median', 'uniq', 'first', 'last', 'mode',
  'firstTime', 'lastTime', 'daysSinceFirst', 'daysSinceLast', 'activeDays', 'medianGapDays', 'sessions',
] as const;
/** aggregates that need a field */
export const NEEDS_FIELD = new Set<string>(['sum', 'avg', 'min', 'max', 'median', 'uniq', 'first', 'last', 'mode']);

export const stat = z.strictObject({
  agg: z.enum(AGGREGATES),
  of: fieldName.optional(),
  event: eventNames.optional(),
  type: z.enum(['track', 'identify', 'page', 'screen', 'alias', 'group']).optional(),
  where: z.array(filter).max(20).optional(),
  window: window.default('all'),
}).superRefine((s, ctx) => {
  if (NEEDS_FIELD.has(s.agg) && !s.of) ctx.addIssue({ code: 'custom', path: ['of'], message: `'${s.agg}' needs a field in 'of'` });
});
export type Stat = z.infer<typeof stat>;

export type Expr =
  | number
  | string
  | boolean
  | { tag: string }
  | { stat: Stat }
  | { trait: string }
  | { div: [Expr, Expr] }
  | { mul: [Expr, Expr] }
  | { add: [Expr, Expr] }
  | { sub: [Expr, Expr] }
  | { coalesce: [Expr, Expr] }
  | { addDays: [Expr, Expr] }
  | { daysSince: Expr };

export const traitPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$/, 'a trait is a name like city_tier or address.city');

export const expr: z.ZodType<Expr> = z.lazy(() =>
  z.union([
    z.number().finite(),
    z.string().max(500),
    z.boolean(),
    z.strictObject({ tag: tagCode }),
    z.strictObject({ stat }),
    z.strictObject({ trait: traitPath }),
    z.strictObject({ div: z.tuple([expr, expr]) }),
    z.strictObject({ mul: z.tuple([expr, expr]) }),
    z.strictObject({ add: z.tuple([expr, expr]) }),
    z.strictObject({ sub: z.tuple([expr, expr]) }),
    z.strictObject({ coalesce: z.tuple([expr, expr]) }),
    z.strictObject({ addDays: z.tuple([expr, expr]) }),
    z.strictObject({ daysSince: expr }),
  ]),
) as z.ZodType<Expr>;

export type Cond =
  | { all: Cond[] }
  | { any: Cond[] }
  | { not: Cond }
  | { gt: [Expr, Expr] }
  | { gte: [Expr, Expr] }
  | { lt: [Expr, Expr] }
  | { lte: [Expr, Expr] }
  | { eq: [Expr, Expr] }
  | { neq: [Expr, Expr] }
  | { in: [Expr, (string | number)[]] }
  | { isNull: Expr }
  | { notNull: Expr };

export const cond: z.ZodType<Cond> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(cond).min(1).max(50) }),
    z.strictObject({ any: z.array(cond).min(1).max(50) }),
    z.strictObject({ not: cond }),
    z.strictObject({ gt: z.tuple([expr, expr]) }),
    z.strictObject({ gte: z.tuple([expr, expr]) }),
    z.strictObject({ lt: z.tuple([expr, expr]) }),
    z.strictObject({ lte: z.tuple([expr, expr]) }),
    z.strictObject({ eq: z.tuple([expr, expr]) }),
    z.strictObject({ neq: z.tuple([expr, expr]) }),
    z.strictObject({ in: z.tuple([expr, z.array(z.union([z.string().max(500), z.number()])).min(1).max(1000)]) }),
    z.strictObject({ isNull: expr }),
    z.strictObject({ notNull: expr }),
  ]),
) as z.ZodType<Cond>;

const label = z.string().min(1).max(100);

/** The definition of a tag's value; `type` picks the node the compiler uses. */
export const spec = z.discriminatedUnion('type', [
  /** an aggregate over events in a window: `sum(revenue) of Order Completed in last 90d` */
  z.strictObject({ type: z.literal('stat'), stat, round: z.number().int().min(0).max(6).optional() }),
  /** a trait copied from the latest `identify` that carried it, optionally mapped to labels */
  z.strictObject({ type: z.literal('trait'), trait: traitPath, map: z.record(z.string(), label).optional() }),
  /** any arithmetic over stats, traits and other tags */
  z.strictObject({ type: z.literal('expr'), expr, round: z.number().int().min(0).max(6).optional() }),
  /** a number cut into ranges: each bin is `value < upTo`, the last may omit upTo */
  z.strictObject({
    type: z.literal('bins'),
    of: expr,
    bins: z.array(z.strictObject({ upTo: z.number().finite().optional(), label })).min(1).max(50),
  }),
  /** a boolean condition */
  z.strictObject({ type: z.literal('rule'), when: cond }),
  /** the first matching case's label */
  z.strictObject({
    type: z.literal('cases'),
    cases: z.array(z.strictObject({ when: cond, label })).min(1).max(50),
    else: label.optional(),
  }),
  /** the top-N values of a field with time-decayed weights: preferences */
  z.strictObject({
    type: z.literal('top'),
    key: fieldName,
    event: eventNames,
    weights: z.record(z.string(), z.number().positive()).optional(),
    weightOf: fieldName.optional(),
    halfLifeDays: z.number().positive().max(3650).optional(),
    n: z.number().int().min(1).max(50).default(5),
    window: window.default('all'),
    where: z.array(filter).max(20).optional(),
  }),
  /** a 1..buckets score by population quantiles of a number (RFM); higher value → higher score unless descending */
  z.strictObject({
    type: z.literal('score'),
    of: expr,
    buckets: z.number().int().min(2).max(10).default(5),
    descending: z.boolean().default(false),
    /** only people meeting this are scored (and counted in the quantiles); others get no value */
    when: cond.optional(),
  }),
  /** values written by a model job (src/models); the engine stores and serves them */
  z.strictObject({ type: z.literal('model'), model: z.string().min(1).max(100) }),
]);
export type Spec = z.infer<typeof spec>;

export const VALUE_TYPES = ['number', 'boolean', 'enum', 'string', 'date', 'ranked'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
export const KINDS = ['attribute', 'statistical', 'rule', 'model'] as const;
export type Kind = (typeof KINDS)[number];
export const PURPOSES = ['analytics', 'personalization', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** A tag as users define it (API body, built-in library entries). */
export const tagInput = z.strictObject({
  code: tagCode,
  category: z.string().min(1).max(100),
  name_zh: z.string().min(1).max(100),
  name_en: z.string().min(1).max(100),
  kind: z.enum(KINDS).optional(),
  valueType: z.enum(VALUE_TYPES),
  purpose: z.enum(PURPOSES).default('analytics'),
  refresh: z.enum(['realtime', 'scheduled']).optional(),
  owner: z.string().min(1).max(100).optional(),
  description: z.string().max(2000).default(''),
  spec,
  /** display names of enum values */
  labels: z.record(z.string().max(100), z.strictObject({ zh: z.string().max(100), en: z.string().max(100) })).optional(),
});
export type TagInput = z.input<typeof tagInput>;
export type TagDef = z.output<typeof tagInput> & { kind: Kind; refresh: 'realtime' | 'scheduled'; owner: string };

/** The kind a definition implies when the author did not say. */
export function kindOf(s: Spec): Kind {
  if (s.type === 'trait') return 'attribute';
  if (s.type === 'model') return 'model';
  if (s.type === 'rule' || s.type === 'cases' || s.type === 'bins' || s.type === 'score') return 'rule';
  return 'statistical';
}

/** Checks that a definition's value type is one its node can produce. */
export function checkValueType(s: Spec, t: ValueType): string | null {
  const allowed: Record<Spec['type'], ValueType[]> = {
    stat: ['number', 'date', 'string', 'enum'],
    trait: ['string', 'enum', 'number', 'boolean', 'date'],
    expr: ['number', 'date', 'string', 'enum', 'boolean'],
    bins: ['enum'],
    rule: ['boolean'],
    cases: ['enum', 'string'],
    top: ['ranked'],
    score: ['number'],
    model: [...VALUE_TYPES],
  };
  return allowed[s.type].includes(t) ? null : `a '${s.type}' definition makes ${allowed[s.type].join(' or ')}, not '${t}'`;
}
