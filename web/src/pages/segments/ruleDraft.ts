import type { Rule, Tag, ValueType } from '../../types.ts';
import { filtersOf, literal, whereOf, type FilterDraft } from '../tags/specDraft.ts';

/**
 * The visual builder's model of a segment rule (docs/segments.md), and its translation to and from the
 * rule JSON. Every condition can be negated (`{ not: … }`); groups combine with `all` (AND) or `any` (OR).
 * A part of a rule the builder cannot show as a row is kept as a JSON condition, so any rule round-trips.
 */

export const VALUE_OPS = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'exists', 'notExists'] as const;
export type ValueOp = (typeof VALUE_OPS)[number];
export const COUNT_OPS = ['gte', 'gt', 'eq', 'lte', 'lt'] as const;
export type CountOp = (typeof COUNT_OPS)[number];
export const SPAN_UNITS = ['minutes', 'hours', 'days'] as const;
export type SpanUnit = (typeof SPAN_UNITS)[number];
export const WHEN_TYPES = ['all', 'days', 'hours', 'range'] as const;
export type WhenType = (typeof WHEN_TYPES)[number];

export const RFM_CLASSES = ['important_value', 'important_develop', 'important_keep', 'important_winback', 'general_value', 'general_develop', 'general_keep', 'general_winback'];
export const LIFECYCLE_STAGES = ['new', 'growing', 'mature', 'declining', 'churned'];

/** Condition kinds offered by "add condition", in menu order. */
export const CONDITION_KINDS = ['tag', 'trait', 'event', 'sequence', 'funnel', 'rfm', 'lifecycle', 'segment', 'raw'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/** Which operators make sense for a value type (a trait's type is unknown: all of them). */
export function opsFor(valueType: ValueType | null): ValueOp[] {
  switch (valueType) {
    case 'number':
    case 'date':
      return ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'nin', 'exists', 'notExists'];
    case 'boolean':
      return ['eq', 'neq', 'exists', 'notExists'];
    case 'enum':
      return ['eq', 'neq', 'in', 'nin', 'exists', 'notExists'];
    case 'string':
      return ['eq', 'neq', 'in', 'nin', 'contains', 'exists', 'notExists'];
    case 'ranked':
      return ['contains', 'eq', 'in', 'neq', 'nin', 'exists', 'notExists'];
    default:
      return [...VALUE_OPS];
  }
}

export const takesNoValue = (op: ValueOp) => op === 'exists' || op === 'notExists';
export const takesList = (op: ValueOp) => op === 'in' || op === 'nin';

export interface WhenDraft {
  type: WhenType;
  n: string;
  from: string;
  to: string;
}
export interface SpanDraft {
  n: string;
  unit: SpanUnit;
}
export interface StepDraft {
  event: string;
  where: FilterDraft[];
}

interface Base {
  /** a key for React, unique within the page */
  id: number;
  negate: boolean;
}
export type GroupDraft = Base & { kind: 'group'; join: 'all' | 'any'; items: CondDraft[] };
/** `value` holds one value, or a comma-separated list for in / not in; `low`/`high` a between's ends */
export type ValueDraft = Base & { kind: 'tag' | 'trait'; key: string; op: ValueOp; value: string; low: string; high: string; topN: string };
export type EventDraft = Base & { kind: 'event'; event: string; performed: boolean; countOp: CountOp | 'once'; count: string; when: WhenDraft; where: FilterDraft[] };
export type StepsDraft = Base & { kind: 'sequence' | 'funnel'; steps: StepDraft[]; within: SpanDraft; reached: string; during: WhenDraft };
export type CodesDraft = Base & { kind: 'rfm' | 'lifecycle'; codes: string[] };
export type SegmentRefDraft = Base & { kind: 'segment'; segment: string; member: boolean };
export type RawDraft = Base & { kind: 'raw'; json: string };
export type CondDraft = GroupDraft | ValueDraft | EventDraft | StepsDraft | CodesDraft | SegmentRefDraft | RawDraft;

let nextId = 1;
const id = () => nextId++;

const noWhen = (): WhenDraft => ({ type: 'all', n: '30', from: '', to: '' });

export function emptyGroup(join: 'all' | 'any' = 'all'): GroupDraft {
  return { id: id(), negate: false, kind: 'group', join, items: [] };
}

/** A new, unfilled condition of a kind. */
export function newCondition(kind: ConditionKind | 'group'): CondDraft {
  const base = { id: id(), negate: false };
  switch (kind) {
    case 'group':
      return emptyGroup('any');
    case 'tag':
    case 'trait':
      return { ...base, kind, key: '', op: 'eq', value: '', low: '', high: '', topN: '' };
    case 'event':
      return { ...base, kind, event: 'Product Viewed', performed: true, countOp: 'once', count: '1', when: { ...noWhen(), type: 'days' }, where: [] };
    case 'sequence':
    case 'funnel':
      return {
        ...base,
        kind,
        steps: [{ event: 'Product Viewed', where: [] }, { event: kind === 'funnel' ? 'Product Added' : 'Order Completed', where: [] }],
        within: { n: '1', unit: 'days' },
        reached: '2',
        during: noWhen(),
      };
    case 'rfm':
    case 'lifecycle':
      return { ...base, kind, codes: [] };
    case 'segment':
      return { ...base, kind, segment: '', member: true };
    case 'raw':
      return { ...base, kind, json: '{ "rfm": ["important_value"] }' };
  }
}

// ---- draft → rule -------------------------------------------------------------------------------------

/** What the builder needs to know about tags: their value types. */
export type TagTypes = ReadonlyMap<string, ValueType>;

export function tagTypes(tags: Tag[]): TagTypes {
  return new Map(tags.map((x) => [x.code, x.valueType]));
}

const isInt = (s: string, min = 0) => /^\d+$/.test(s.trim()) && Number(s) >= min;

/** A typed value from what was typed, for a tag's value type (null: a trait, type unknown). */
function typed(s: string, vt: ValueType | null): string | number | boolean | undefined {
  const x = s.trim();
  if (x === '') return undefined;
  if (vt === 'number') return Number.isFinite(Number(x)) ? Number(x) : undefined;
  if (vt === 'boolean') return x === 'true' ? true : x === 'false' ? false : undefined;
  if (vt === null) return literal(x);
  return x;
}

function valueRule(c: ValueDraft, types: TagTypes): Rule | null {
  const key = c.key.trim();
  if (!key) return null;
  const vt = c.kind === 'tag' ? (types.get(key) ?? null) : null;
  const head = c.kind === 'tag' ? { tag: key } : { trait: key };
  const topN = vt === 'ranked' && isInt(c.topN, 1) ? { topN: Number(c.topN) } : {};
  if (takesNoValue(c.op)) return { ...head, op: c.op } as Rule;
  if (c.op === 'between') {
    const low = typed(c.low, vt);
    const high = typed(c.high, vt);
    return low === undefined || high === undefined ? null : ({ ...head, op: c.op, value: [low, high] } as Rule);
  }
  if (takesList(c.op)) {
    const parts = c.value.split(',').map((v) => typed(v, vt));
    if (parts.length === 0 || parts.some((v) => v === undefined)) return null;
    return { ...head, op: c.op, value: parts, ...topN } as Rule;
  }
  const v = c.op === 'contains' ? c.value.trim() || undefined : typed(c.value, vt);
  return v === undefined ? null : ({ ...head, op: c.op, value: v, ...topN } as Rule);
}

/** A time range, `undefined` for all time, or null when it is not filled in. */
function whenOf(w: WhenDraft): Record<string, unknown> | undefined | null {
  if (w.type === 'all') return undefined;
  if (w.type === 'range') return /^\d{4}-\d{2}-\d{2}$/.test(w.from) && /^\d{4}-\d{2}-\d{2}$/.test(w.to) ? { from: w.from, to: w.to } : null;
  return isInt(w.n, 1) ? { [w.type]: Number(w.n) } : null;
}

const eventNames = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function eventRule(c: EventDraft): Rule | null {
  const names = eventNames(c.event);
  if (names.length === 0) return null;
  const within = whenOf(c.when);
  if (within === null) return null;
  const r: Record<string, unknown> = { event: names.length === 1 ? names[0] : names };
  const where = whereOf(c.where);
  if (where.length) r.where = where;
  if (!c.performed) r.performed = false;
  else if (c.countOp !== 'once') {
    if (!isInt(c.count)) return null;
    r.count = { op: c.countOp, value: Number(c.count) };
  }
  if (within) r.within = within;
  return r as Rule;
}

function stepsRule(c: StepsDraft): Rule | null {
  if (c.steps.length < 2 || c.steps.some((s) => !s.event.trim())) return null;
  if (!isInt(c.within.n, 1)) return null;
  const during = whenOf(c.during);
  if (during === null) return null;
  const steps = c.steps.map((s) => {
    const where = whereOf(s.where);
    return where.length ? { event: s.event.trim(), where } : { event: s.event.trim() };
  });
  const r: Record<string, unknown> = { [c.kind]: steps };
  if (c.kind === 'funnel') {
    if (!isInt(c.reached, 1) || Number(c.reached) > steps.length) return null;
    r.reached = Number(c.reached);
  }
  r.within = { [c.within.unit]: Number(c.within.n) };
  if (during) r.during = during;
  return r as Rule;
}

function parseRaw(json: string): Rule | null {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Rule) : null;
  } catch {
    return null;
  }
}

export interface Built {
  /** null while nothing is filled in */
  rule: Rule | null;
  /** conditions left out because they are not filled in */
  incomplete: number;
}

/** The rule a draft stands for; unfilled conditions (and empty groups) are left out and counted. */
export function buildRule(c: CondDraft, types: TagTypes): Built {
  let rule: Rule | null;
  let incomplete = 0;
  switch (c.kind) {
    case 'group': {
      const parts = c.items.map((x) => buildRule(x, types));
      incomplete = parts.reduce((s, p) => s + p.incomplete, 0);
      const rules = parts.map((p) => p.rule).filter((r): r is Rule => r !== null);
      rule = rules.length === 0 ? null : rules.length === 1 ? rules[0]! : ({ [c.join]: rules } as Rule);
      if (c.negate && rule) rule = { not: rule };
      return { rule, incomplete };
    }
    case 'tag':
    case 'trait':
      rule = valueRule(c, types);
      break;
    case 'event':
      rule = eventRule(c);
      break;
    case 'sequence':
    case 'funnel':
      rule = stepsRule(c);
      break;
    case 'rfm':
      rule = c.codes.length ? { rfm: c.codes } : null;
      break;
    case 'lifecycle':
      rule = c.codes.length ? { lifecycle: c.codes } : null;
      break;
    case 'segment':
      rule = c.segment ? (c.member ? { segment: c.segment } : { segment: c.segment, member: false }) : null;
      break;
    case 'raw':
      rule = parseRaw(c.json);
      break;
  }
  if (rule === null) return { rule: null, incomplete: 1 };
  return { rule: c.negate ? { not: rule } : rule, incomplete: 0 };
}

/** Whether a single condition is filled in (groups are never "incomplete" themselves). */
export function isComplete(c: CondDraft, types: TagTypes): boolean {
  if (c.kind === 'group') return true;
  return buildRule({ ...c, negate: false }, types).rule !== null;
}

// ---- rule → draft -------------------------------------------------------------------------------------

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const only = (o: Obj, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const raw = (r: unknown): RawDraft => ({ id: id(), negate: false, kind: 'raw', json: JSON.stringify(r, null, 2) });

function whenDraft(v: unknown): WhenDraft | null {
  if (v === undefined) return noWhen();
  if (!isObj(v)) return null;
  if (only(v, ['days']) && typeof v.days === 'number') return { type: 'days', n: str(v.days), from: '', to: '' };
  if (only(v, ['hours']) && typeof v.hours === 'number') return { type: 'hours', n: str(v.hours), from: '', to: '' };
  if (only(v, ['from', 'to']) && typeof v.from === 'string' && typeof v.to === 'string') return { type: 'range', n: '30', from: v.from, to: v.to };
  return null;
}

/** `{ hours: 1, minutes: 30 }` → 90 minutes: the largest unit that holds the span exactly. */
function spanDraft(v: unknown): SpanDraft | null {
  if (!isObj(v) || !only(v, ['minutes', 'hours', 'days'])) return null;
  const m = Number(v.minutes ?? 0) + 60 * Number(v.hours ?? 0) + 1440 * Number(v.days ?? 0);
  if (!Number.isInteger(m) || m <= 0) return null;
  if (m % 1440 === 0) return { n: String(m / 1440), unit: 'days' };
  if (m % 60 === 0) return { n: String(m / 60), unit: 'hours' };
  return { n: String(m), unit: 'minutes' };
}

const scalarOk = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function valueDraft(r: Obj, kind: 'tag' | 'trait'): ValueDraft | null {
  const keyName = r[kind];
  if (!only(r, [kind, 'op', 'value', 'topN']) || typeof keyName !== 'string' || !VALUE_OPS.includes(r.op as ValueOp)) return null;
  const op = r.op as ValueOp;
  const d: ValueDraft = { id: id(), negate: false, kind, key: keyName, op, value: '', low: '', high: '', topN: str(r.topN) };
  const v = r.value;
  if (takesNoValue(op)) return v === undefined ? d : null;
  if (op === 'between') {
    if (!Array.isArray(v) || v.length !== 2 || !v.every(scalarOk)) return null;
    return { ...d, low: str(v[0]), high: str(v[1]) };
  }
  if (takesList(op)) {
    if (!Array.isArray(v) || !v.every(scalarOk) || v.some((x) => String(x).includes(','))) return null;
    return { ...d, value: v.join(', ') };
  }
  return scalarOk(v) ? { ...d, value: str(v) } : null;
}

function eventDraft(r: Obj): EventDraft | null {
  if (!only(r, ['event', 'where', 'count', 'within', 'performed'])) return null;
  const names = typeof r.event === 'string' ? [r.event] : Array.isArray(r.event) && r.event.every((e) => typeof e === 'string') ? (r.event as string[]) : null;
  if (!names || names.some((n) => n.includes(','))) return null;
  const where = filtersOf(r.where);
  const when = whenDraft(r.within);
  if (!where || !when) return null;
  const d: EventDraft = { id: id(), negate: false, kind: 'event', event: names.join(', '), performed: true, countOp: 'once', count: '1', when, where };
  if (r.performed === false) {
    if (r.count !== undefined) return null;
    return { ...d, performed: false };
  }
  if (r.performed !== undefined && r.performed !== true) return null;
  if (r.count === undefined) return d;
  const c = r.count;
  if (!isObj(c) || !COUNT_OPS.includes(c.op as CountOp) || typeof c.value !== 'number') return null;
  return { ...d, countOp: c.op as CountOp, count: String(c.value) };
}

function stepsDraft(r: Obj, kind: 'sequence' | 'funnel'): StepsDraft | null {
  if (!only(r, [kind, 'within', 'during', 'reached'])) return null;
  const list = r[kind];
  if (!Array.isArray(list)) return null;
  const steps: StepDraft[] = [];
  for (const s of list) {
    if (!isObj(s) || !only(s, ['event', 'where']) || typeof s.event !== 'string') return null;
    const where = filtersOf(s.where);
    if (!where) return null;
    steps.push({ event: s.event, where });
  }
  const within = spanDraft(r.within);
  const during = whenDraft(r.during);
  if (!within || !during) return null;
  if (kind === 'sequence' && r.reached !== undefined) return null;
  return { id: id(), negate: false, kind, steps, within, during, reached: kind === 'funnel' ? str(r.reached) : '2' };
}

/** The draft of a rule; anything the rows cannot show becomes a JSON condition. */
export function draftOf(rule: unknown): CondDraft {
  if (!isObj(rule)) return raw(rule);
  const keys = Object.keys(rule);
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any') && Array.isArray(rule[keys[0]])) {
    return { id: id(), negate: false, kind: 'group', join: keys[0], items: (rule[keys[0]] as unknown[]).map(draftOf) };
  }
  if (keys.length === 1 && keys[0] === 'not' && isObj(rule.not)) {
    const inner = draftOf(rule.not);
    return { ...inner, negate: !inner.negate };
  }
  let d: CondDraft | null = null;
  if ('tag' in rule) d = valueDraft(rule, 'tag');
  else if ('trait' in rule) d = valueDraft(rule, 'trait');
  else if ('event' in rule) d = eventDraft(rule);
  else if ('sequence' in rule) d = stepsDraft(rule, 'sequence');
  else if ('funnel' in rule) d = stepsDraft(rule, 'funnel');
  else if (('rfm' in rule || 'lifecycle' in rule) && keys.length === 1) {
    const kind = keys[0] as 'rfm' | 'lifecycle';
    const codes = rule[kind];
    if (Array.isArray(codes) && codes.every((c) => typeof c === 'string')) d = { id: id(), negate: false, kind, codes: codes as string[] };
  } else if ('segment' in rule && only(rule, ['segment', 'member']) && typeof rule.segment === 'string' && (rule.member === undefined || typeof rule.member === 'boolean')) {
    d = { id: id(), negate: false, kind: 'segment', segment: rule.segment, member: rule.member !== false };
  }
  return d ?? raw(rule);
}

/** The builder's root: always a group (a single condition is put in an AND group). */
export function rootOf(rule: unknown): GroupDraft {
  if (rule === undefined || rule === null) return emptyGroup();
  const d = draftOf(rule);
  return d.kind === 'group' && !d.negate ? d : { ...emptyGroup(), items: [d] };
}

// ---- editing helpers ----------------------------------------------------------------------------------

/** How many conditions (not groups) a tree holds. */
export function countConditions(c: CondDraft): number {
  return c.kind === 'group' ? c.items.reduce((s, x) => s + countConditions(x), 0) : 1;
}
