import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../src/config.ts';
import { runPipeline } from '../../src/ingest/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { refreshPersons, type BuildResult } from '../../src/tags/build.ts';
import type { TagValue } from '../../src/tags/values.ts';

/**
 * A tiny scenario kit for the tag engine: one runtime per test file (chdb binds one data dir per
 * process), Segment messages through the real ingestion pipeline (validate → normalise → row → writer:
 * dedupe, identity, insert), a build as of a fixed moment, and a person's values as a plain map.
 * Scenarios within a file are isolated by their user ids.
 */

export const DAY = 86_400_000;
export const MINUTE = 60_000;
/** the shop's time zone (the config default) is UTC+8 all year */
const SHANGHAI = 8 * 3600_000;

export interface Scenario {
  rt: Runtime;
  dir: string;
  close(): Promise<void>;
}

/**
 * Opens a runtime on a fresh temp data dir. `live: false` stops the live refresher, so that values
 * change only through the builds and refreshes a test runs (with its own as-of moment).
 */
export async function openScenario(o: { live?: boolean; prefix?: string } = {}): Promise<Scenario> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix ?? 'hx-tags-'));
  const rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
  if (o.live === false) await rt.tags.live.stop();
  return {
    rt,
    dir,
    async close() {
      await rt.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock for one scenario file: Shanghai wall-clock times on days before the as-of moment. */
export function clock(asOfIso: string) {
  const asOf = Date.parse(asOfIso);
  const localMidnight = Math.floor((asOf + SHANGHAI) / DAY) * DAY - SHANGHAI;
  return {
    asOf,
    /** `h:m:s` Shanghai time, `daysAgo` calendar days before the as-of day */
    at: (daysAgo: number, h = 10, m = 0, s = 0) => localMidnight - daysAgo * DAY + h * 3600_000 + m * MINUTE + s * 1000,
    /** the Shanghai calendar date of a moment, YYYY-MM-DD */
    date: (t: number) => new Date(t + SHANGHAI).toISOString().slice(0, 10),
    /** ISO weekday (1 = Monday … 7 = Sunday) in Shanghai */
    weekday: (t: number) => ((new Date(t + SHANGHAI).getUTCDay() + 6) % 7) + 1,
    /** hour of day in Shanghai */
    hour: (t: number) => new Date(t + SHANGHAI).getUTCHours(),
  };
}

export type Msg = Record<string, unknown>;

let seq = 0;
/** Message builders with explicit timestamps and unique messageIds (pass `messageId` to repeat one). */
export const msg = {
  track: (userId: string, event: string, t: number, properties: Msg = {}, extra: Msg = {}): Msg => ({
    type: 'track', messageId: `m-${userId}-${++seq}`, userId, event, timestamp: new Date(t).toISOString(), properties, ...extra,
  }),
  identify: (userId: string, t: number, traits: Msg, extra: Msg = {}): Msg => ({
    type: 'identify', messageId: `m-${userId}-${++seq}`, userId, timestamp: new Date(t).toISOString(), traits, ...extra,
  }),
  /** a track call from an anonymous device (no userId) */
  anon: (anonymousId: string, event: string, t: number, properties: Msg = {}, extra: Msg = {}): Msg => ({
    type: 'track', messageId: `m-${anonymousId}-${++seq}`, anonymousId, event, timestamp: new Date(t).toISOString(), properties, ...extra,
  }),
  alias: (previousId: string, userId: string, t: number): Msg => ({
    type: 'alias', messageId: `m-${userId}-${++seq}`, previousId, userId, timestamp: new Date(t).toISOString(),
  }),
};

export const CONSENT_ALL = { analytics: true, personalization: true, marketing: true };

/**
 * Submits messages as POST /v1/batch does (runPipeline, then the batching writer) and waits until they
 * are stored. Throws when the pipeline rejects any: a scenario's fixture must be valid.
 */
export async function send(rt: Runtime, messages: readonly Msg[]): Promise<{ stored: number; duplicates: number }> {
  const out = runPipeline(
    {
      messages,
      receivedAt: Date.now(),
      requestId: `test-${++seq}`,
      source: 'http',
      writeKeyId: 'test',
      maxMessageBytes: rt.config.ingest.maxMessageBytes,
      maxFutureMs: rt.config.ingest.maxFutureMs,
    },
    rt.keyring,
  );
  if (out.rejected.length) throw new Error(`fixture messages rejected: ${JSON.stringify(out.rejected.slice(0, 3))}`);
  return rt.writer.submit(out.rows, out.dead);
}

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

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
