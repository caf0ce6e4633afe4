import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { delimiters } from './sql.ts';
import { ImportInputError } from './types.ts';

/**
 * The mapping files of the `csv` and `traits-csv` importers (docs/import.md): which column is what.
 * Checked with zod; an error names the mapping key (`columns.amount: …`) so a user can fix it.
 */

export class MappingError extends ImportInputError {}

const delimiter = z.enum(Object.keys(delimiters) as [keyof typeof delimiters, ...(keyof typeof delimiters)[]], {
  error: `must be one of ${Object.keys(delimiters).map((d) => JSON.stringify(d)).join(', ')}`,
});
const sourceName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a short lower-case name (a-z, 0-9, - and _)');

/** Event fields a column can fill; `properties.X` puts the column into the event's properties as X. */
export const eventFields = {
  userId: 'string',
  anonymousId: 'string',
  event: 'string',
  timestamp: 'time',
  messageId: 'string',
  product_id: 'string',
  product_name: 'string',
  category: 'string',
  brand: 'string',
  price: 'number',
  quantity: 'count',
  revenue: 'number',
  discount: 'number',
  coupon: 'string',
  currency: 'string',
  order_id: 'string',
  query: 'string',
  session_id: 'string',
} as const;
export type EventField = keyof typeof eventFields;

const eventField = z
  .string()
  .refine((v) => Object.hasOwn(eventFields, v) || /^properties\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v), {
    error: `must be one of ${Object.keys(eventFields).join(', ')} or properties.NAME`,
  });

/** `unix_s`, `unix_ms`, `iso`, or a parseDateTime pattern such as `%Y-%m-%d %H:%i:%s`. */
const timeFormat = z.union([
  z.enum(['unix_s', 'unix_ms', 'iso']),
  z.string().regex(/^[^%]*(%[A-Za-z%][^%]*)+$/, 'must be unix_s, unix_ms, iso or a pattern with % fields such as %Y-%m-%d %H:%i:%s'),
], { error: 'must be unix_s, unix_ms, iso or a pattern such as %Y-%m-%d %H:%i:%s' });

export const eventMappingSchema = z
  .strictObject({
    source: sourceName.default('csv'),
    delimiter: delimiter.default(','),
    header: z.boolean({ error: 'must be true or false' }).default(true),
    /** column (its header name, or its 1-based number when header is false) → field */
    columns: z.record(z.string().min(1, 'a column name must not be empty'), eventField),
    /** source value → Segment event name (e.g. "buy": "Order Completed") */
    events: z.record(z.string(), z.string().min(1, 'must not be empty').max(200)).optional(),
    /** events not in `events`: rejected (default) or kept under their own name */
    unmappedEvents: z.enum(['reject', 'keep']).default('reject'),
    /** one event name for every row, when no column says it */
    event: z.string().min(1).max(200).optional(),
    time: z.strictObject({ format: timeFormat, timezone: z.string().default('UTC') }).default({ format: 'iso', timezone: 'UTC' }),
    /** the currency of amounts when no column gives one */
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').optional(),
  })
  .superRefine((m, ctx) => {
    const used = new Map<string, string>();
    for (const [column, field] of Object.entries(m.columns)) {
      const other = used.get(field);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['columns', column], message: `maps to ${field}, which column '${other}' already fills` });
      used.set(field, column);
      if (!m.header && !/^[1-9]\d*$/.test(column)) {
        ctx.addIssue({ code: 'custom', path: ['columns', column], message: 'must be a column number (1, 2, …) when header is false' });
      }
    }
    if (!used.has('userId') && !used.has('anonymousId')) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no column is userId or anonymousId' });
    if (!used.has('timestamp')) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no column is the timestamp' });
    if (used.has('event') && m.event) ctx.addIssue({ code: 'custom', path: ['event'], message: `is set, but column '${used.get('event')}' gives the event` });
    if (!used.has('event') && !m.event) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no column is the event (or set "event" for all rows)' });
  });
export type EventMapping = z.infer<typeof eventMappingSchema>;

export const traitTypes = ['string', 'number', 'date', 'boolean'] as const;
export type TraitType = (typeof traitTypes)[number];

const traitTarget = z.union([
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a trait name (letters, digits, _)'),
  z.strictObject({
    trait: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a trait name (letters, digits, _)'),
    type: z.enum(traitTypes, { error: `must be one of ${traitTypes.join(', ')}` }).default('string'),
  }),
]);

export const traitsMappingSchema = z
  .strictObject({
    source: sourceName.default('traits'),
    delimiter: delimiter.default(','),
    /** the column that says whose row it is, and what it holds */
    match: z.strictObject({
      column: z.string().min(1, 'must name a column'),
      by: z.enum(['userId', 'email', 'phone'], { error: 'must be userId, email or phone' }),
    }),
    /** column → trait (a name, or {trait, type}) */
    traits: z.record(z.string().min(1), traitTarget),
    /** when the traits were true: a date-time for every row (ISO); default the time of the import */
    asOf: z.iso.datetime({ offset: true, error: 'must be an ISO date-time such as 2024-06-01T00:00:00Z' }).optional(),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    for (const [column, t] of Object.entries(m.traits)) {
      const name = typeof t === 'string' ? t : t.trait;
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['traits', column], message: `trait '${name}' is filled by two columns` });
      names.add(name);
    }
    if (names.size === 0) ctx.addIssue({ code: 'custom', path: ['traits'], message: 'maps no column to a trait' });
  });
export type TraitsMapping = z.infer<typeof traitsMappingSchema>;

/** Reads and checks a mapping file; the error names the file and the mapping key. */
export function readMapping<S extends z.ZodType>(file: string | undefined, schema: S, format: string): { mapping: z.infer<S>; digest: string } {
  if (!file) throw new MappingError(`--mapping is required for --format ${format} (a JSON file; see docs/import.md)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`;
    throw new MappingError(`${file}: ${why}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String).join('.');
    const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'is required' : issue.message;
    throw new MappingError(`${file}: ${key ? `${key}: ` : ''}${message}`);
  }
  // what the mapping means, not how it is spelled: it names the import's message ids
  const digest = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex').slice(0, 12);
  return { mapping: parsed.data, digest };
}

/** Columns of a mapping resolved against the file's header: name → 1-based position. */
export function columnPositions(columns: string[], header: string[] | null, key: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of columns) {
    if (header === null) {
      out.set(c, Number(c));
      continue;
    }
    const i = header.indexOf(c);
    if (i < 0) throw new MappingError(`${key}.${c}: no column '${c}' in the file's header (it has: ${header.join(', ')})`);
    out.set(c, i + 1);
  }
  return out;
}
