import type { Runtime } from '../../src/runtime.ts';
import { DAY, MINUTE, SHANGHAI_OFFSET } from '../support/scenario.ts';
import { refreshPersons, type BuildResult } from '../../src/tags/build.ts';
import type { TagValue } from '../../src/tags/values.ts';

/**
 * A tiny scenario kit for the tag engine: one runtime per test file (chdb binds one data dir per
 * process), Segment messages through the real ingestion pipeline (validate → normalise → row → writer:
 * dedupe, identity, insert), a build as of a fixed moment, and a person's values as a plain map.
 * Scenarios within a file are isolated by their user ids.
 */

export { DAY, MINUTE, msg, openScenario, prng, send, type Msg, type Scenario } from '../support/scenario.ts';


/** A clock for one scenario file: Shanghai wall-clock times on days before the as-of moment. */
export function clock(asOfIso: string) {
  const asOf = Date.parse(asOfIso);
  const localMidnight = Math.floor((asOf + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  return {
    asOf,
    /** `h:m:s` Shanghai time, `daysAgo` calendar days before the as-of day */
    at: (daysAgo: number, h = 10, m = 0, s = 0) => localMidnight - daysAgo * DAY + h * 3600_000 + m * MINUTE + s * 1000,
    /** the Shanghai calendar date of a moment, YYYY-MM-DD */
    date: (t: number) => new Date(t + SHANGHAI_OFFSET).toISOString().slice(0, 10),
    /** ISO weekday (1 = Monday … 7 = Sunday) in Shanghai */
    weekday: (t: number) => ((new Date(t + SHANGHAI_OFFSET).getUTCDay() + 6) % 7) + 1,
    /** hour of day in Shanghai */
    hour: (t: number) => new Date(t + SHANGHAI_OFFSET).getUTCHours(),
  };
}


export const CONSENT_ALL = { analytics: true, personalization: true, marketing: true };


/** A full build as of a moment (after any pending live refresh, so that it cannot overwrite the build). */
export async function build(rt: Runtime, asOf: number): Promise<BuildResult> {
  await rt.tags.live.settled();
  return rt.tags.build({ asOf: new Date(asOf), trigger: 'test' });
}

/** The incremental path the live refresher runs, for some ids, as of a moment. */
export function refresh(rt: Runtime, ids: string[], asOf: number) {
  return refreshPersons(rt.tags.deps, ids, { asOf: new Date(asOf) });
}

/** The current tag values of the person behind an id: code → value. */
export async function tagsOf(rt: Runtime, id: string): Promise<Record<string, TagValue>> {
  const person = await rt.identity.personOf(id);
  const { values } = await rt.tags.valuesOf(person);
  return Object.fromEntries(values.map((v) => [v.code, v.value]));
}

/** Ranked values as [value, weight] pairs. */
export function ranked(v: TagValue | undefined): [string, number][] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`not a ranked value: ${JSON.stringify(v)}`);
  return v.map((x) => [x.value, x.weight]);
}

export interface Item {
  item_id: string;
  category: string;
  brand?: string;
  price: number | null;
  launched_at?: number;
  attributes?: Record<string, unknown>;
}

/** Puts items in the catalog (as the items-jsonl importer does: the latest row per item wins). */
export async function insertItems(rt: Runtime, items: readonly Item[]): Promise<void> {
  const now = Date.now();
  await rt.olap.insert('items', items.map((it) => ({
    item_id: it.item_id,
    title: it.item_id,
    title_en: it.item_id,
    category: it.category,
    category_id: '',
    brand: it.brand ?? '',
    price: it.price,
    currency: 'CNY',
    launched_at: it.launched_at ?? null,
    attributes: JSON.stringify({ itemId: it.item_id, ...it.attributes }),
    source: 'feed',
    updated_at: now,
  })));
}


/** ClickHouse's round(x, n) on a Float64: scale, round half to even, unscale. */
export function round(x: number, n = 0): number {
  const y = x * 10 ** n;
  const r = Math.abs(y % 1) === 0.5 ? 2 * Math.round(y / 2) : Math.round(y);
  return r / 10 ** n;
}

/**
 * A `top` preference computed independently: per key the sum of weight × 2^(−age/halfLife), the n
 * heaviest keys with their share of the total weight (rounded to 4 places).
 */
export function decayedTop(rows: readonly { key: string; weight?: number; t: number }[], asOf: number, halfLifeDays: number, n: number): [string, number][] {
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.key, (by.get(r.key) ?? 0) + (r.weight ?? 1) * Math.exp((-Math.LN2 * (asOf - r.t)) / DAY / halfLifeDays));
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  return [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, w]) => [k, round(w / total, 4)]);
}
