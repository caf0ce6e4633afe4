import type { TagSpec, ValueType } from '../../types.ts';

/**
 * The guided builder's model of a statistical tag, and its translation to and from the JSON DSL
 * (`{ type: 'stat', stat: { agg, of?, event?, where?, window } }`, docs/tags.md).
 */

/** The Segment e-commerce spec's event names (plus page/search events a shop sends). */
export const EVENTS = [
  'Product Viewed',
  'Product List Viewed',
  'Product Clicked',
  'Products Searched',
  'Product Added',
  'Product Removed',
  'Cart Viewed',
  'Checkout Started',
  'Payment Info Entered',
  'Order Completed',
  'Order Refunded',
  'Order Cancelled',
  'Coupon Applied',
  'Product Added to Wishlist',
  'Product Shared',
  'Product Reviewed',
  'Promotion Viewed',
  'Promotion Clicked',
];

export const WINDOWS = ['7d', '30d', '90d', '180d', '365d', 'all'];

export const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'median', 'uniq', 'activeDays', 'daysSinceLast', 'firstTime', 'lastTime'] as const;
export type Agg = (typeof AGGS)[number];
const NEEDS_FIELD = new Set<Agg>(['sum', 'avg', 'min', 'max', 'median', 'uniq']);
export const needsField = (a: Agg) => NEEDS_FIELD.has(a);

/**
 * Fields offered in the pickers: the engine's field catalog (src/tags/compile/fields.ts) — event fields,
 * `line.*` for each product line of an order, `item.*` from the product feed. Any `properties.<name>` works too.
 */
export const FIELDS = [
  'revenue', 'discount', 'price', 'quantity', 'rating', 'dwell_seconds',
  'category', 'top_category', 'brand', 'product_id', 'order_id', 'coupon', 'query', 'share_to',
  'device_type', 'os_name', 'utm_source', 'utm_medium', 'utm_campaign', 'page_path', 'hour', 'weekday', 'date',
  'line.product_id', 'line.category', 'line.top_category', 'line.brand', 'line.price', 'line.quantity', 'line.amount',
  'item.price_pct', 'item.is_new', 'item.colour', 'item.material', 'item.brand_tier',
];

export const OPS = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists'] as const;
export type Op = (typeof OPS)[number];
export const takesValue = (op: Op) => op !== 'exists' && op !== 'notExists';
export const takesList = (op: Op) => op === 'in' || op === 'nin';

export interface FilterDraft {
  field: string;
  op: Op;
  value: string;
}

export interface StatDraft {
  agg: Agg;
  field: string;
  /** '' for any event */
  event: string;
  window: string;
  filters: FilterDraft[];
}

export const emptyDraft = (): StatDraft => ({ agg: 'count', field: '', event: 'Product Viewed', window: '30d', filters: [] });

/** The value type an aggregate produces. */
export function valueTypeFor(agg: Agg): ValueType {
  return agg === 'firstTime' || agg === 'lastTime' ? 'date' : 'number';
}

/** A typed literal from what was typed: true/false, a number when it reads as one, otherwise the text. */
export function literal(s: string): string | number | boolean {
  const x = s.trim();
  if (x === 'true' || x === 'false') return x === 'true';
  return x !== '' && Number.isFinite(Number(x)) ? Number(x) : x;
}

/** The filled-in filter rows as DSL filters (`{ field, op, value? }`); rows without a field or value are left out. */
export function whereOf(filters: FilterDraft[]): { field: string; op: Op; value?: string | number | boolean | (string | number | boolean)[] }[] {
  return filters
    .filter((f) => f.field.trim() && (!takesValue(f.op) || f.value.trim()))
    .map((f) => {
      const field = f.field.trim();
      if (!takesValue(f.op)) return { field, op: f.op };
      if (takesList(f.op)) return { field, op: f.op, value: f.value.split(',').map((v) => literal(v)).filter((v) => v !== '') };
      return { field, op: f.op, value: f.op === 'contains' ? f.value.trim() : literal(f.value) };
    });
}

/** DSL filters as filter rows, or null when one cannot be shown as a row. */
export function filtersOf(where: unknown): FilterDraft[] | null {
  if (where === undefined) return [];
  if (!Array.isArray(where)) return null;
  const rows: FilterDraft[] = [];
  for (const f of where as { field?: unknown; op?: unknown; value?: unknown }[]) {
    if (!f || typeof f.field !== 'string' || !OPS.includes(f.op as Op)) return null;
    if (f.value !== null && typeof f.value === 'object' && !Array.isArray(f.value)) return null;
    rows.push({ field: f.field, op: f.op as Op, value: Array.isArray(f.value) ? f.value.join(', ') : f.value === undefined ? '' : String(f.value) });
  }
  return rows;
}

export function statSpec(d: StatDraft): TagSpec {
  const where = whereOf(d.filters);
  const stat: Record<string, unknown> = { agg: d.agg };
  if (needsField(d.agg)) stat.of = d.field.trim();
  if (d.event) stat.event = d.event;
  if (where.length) stat.where = where;
  stat.window = d.window;
  return { type: 'stat', stat };
}

/** The builder's draft of a definition, or null when the definition needs the JSON editor. */
export function draftOf(spec: unknown): StatDraft | null {
  if (!spec || typeof spec !== 'object') return null;
  const s = spec as { type?: unknown; stat?: Record<string, unknown>; round?: unknown };
  if (s.type !== 'stat' || !s.stat || s.round !== undefined || Object.keys(s).length !== 2) return null;
  const { agg, of, event, where, window, ...rest } = s.stat;
  if (Object.keys(rest).length || !AGGS.includes(agg as Agg)) return null;
  if (event !== undefined && typeof event !== 'string') return null;
  const filters = filtersOf(where);
  if (!filters) return null;
  return { agg: agg as Agg, field: typeof of === 'string' ? of : '', event: (event as string | undefined) ?? '', window: typeof window === 'string' ? window : 'all', filters };
}

/** A rule tag to start from: bought three times or more in 90 days. */
export const RULE_TEMPLATE: TagSpec = {
  type: 'rule',
  when: { gte: [{ stat: { agg: 'count', event: 'Order Completed', window: '90d' } }, 3] },
};
