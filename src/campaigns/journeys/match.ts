import type { EventRow } from '../../events/index.ts';
import type { EventCondition, EventMatch } from './definition.ts';

/** A stored event as conditions see it: the row, with its properties parsed once and only when needed. */
export class EventView {
  private props: Record<string, unknown> | null = null;
  constructor(readonly row: EventRow) {}

  field(name: string): unknown {
    if (!name.startsWith('properties.')) return (this.row as unknown as Record<string, unknown>)[name];
    if (this.props === null) {
      try {
        this.props = JSON.parse(this.row.properties || '{}') as Record<string, unknown>;
      } catch {
        this.props = {};
      }
    }
    let v: unknown = this.props;
    for (const k of name.slice('properties.'.length).split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return v;
  }
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';
const same = (a: unknown, b: unknown) => (typeof b === 'number' ? Number(a) === b : typeof b === 'boolean' ? a === b || String(a) === String(b) : String(a) === b);

export function holds(c: EventCondition, e: EventView): boolean {
  const v = e.field(c.field);
  switch (c.op) {
    case 'exists':
      return present(v);
    case 'notExists':
      return !present(v);
    case 'eq':
      return present(v) && same(v, c.value);
    case 'neq':
      return !present(v) || !same(v, c.value);
    case 'in':
      return present(v) && (c.value as unknown[]).some((x) => same(v, x));
    case 'nin':
      return !present(v) || !(c.value as unknown[]).some((x) => same(v, x));
    case 'contains':
      return present(v) && (Array.isArray(v) ? v.some((x) => same(x, c.value)) : String(v).includes(String(c.value)));
    default: {
      const n = Number(v);
      if (!present(v) || !Number.isFinite(n)) return false;
      const x = Number(c.value);
      return c.op === 'gt' ? n > x : c.op === 'gte' ? n >= x : c.op === 'lt' ? n < x : n <= x;
    }
  }
}

export function matches(m: EventMatch, e: EventView): boolean {
  return e.row.event === m.event && (m.where ?? []).every((c) => holds(c, e));
}
