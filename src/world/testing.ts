// Shared helper for the world's tests: generate a small world in memory once per test process and
// keep its lines, parsed messages and truth, so each statistical test reads the same sample.

import { unwire } from './encode.ts';
import { generateWorld, type WorldMessage, type WorldOptions } from './index.ts';

export interface WorldSample {
  options: ReturnType<typeof generateWorld>['options'];
  /** Raw wire lines as they would be written, history then future. */
  lines: string[];
  futureLines: string[];
  messages: WorldMessage[];
  futureMessages: WorldMessage[];
  users: Map<string, Record<string, any>>;
  items: Map<string, Record<string, any>>;
  social: Map<string, Record<string, any>>;
  summary: Record<string, any>;
  dirt: Record<string, any>;
}

const cache = new Map<string, WorldSample>();

export function sampleWorld(opts: WorldOptions): WorldSample {
  const key = JSON.stringify(opts);
  const hit = cache.get(key);
  if (hit) return hit;
  const world = generateWorld(opts);
  const lines: string[] = [];
  const futureLines: string[] = [];
  for (const l of world.lines()) (l.future ? futureLines : lines).push(l.line);
  const parse = (l: string): WorldMessage => JSON.parse(unwire(l)) as WorldMessage;
  const truth = world.truth();
  const byId = (rows: Iterable<Record<string, any>>, k: string): Map<string, Record<string, any>> => {
    const m = new Map<string, Record<string, any>>();
    for (const r of rows) m.set(r[k] as string, r);
    return m;
  };
  const sample: WorldSample = {
    options: world.options,
    lines,
    futureLines,
    messages: lines.map(parse),
    futureMessages: futureLines.map(parse),
    users: byId(truth.users(), 'userId'),
    items: byId(truth.items(), 'itemId'),
    social: byId(truth.social(), 'userId'),
    summary: truth.summary,
    dirt: truth.dirt,
  };
  cache.set(key, sample);
  return sample;
}

/** The statistical tests' shared world: large enough for persona contrasts, quick to build. */
export const STATS_WORLD: WorldOptions = { users: 1800, days: 45, future: 20, seed: 20261111 };

/** Valid orders (skipping deliberately malformed rows) with the buyer's userId. */
export function orders(messages: WorldMessage[]): { userId: string; props: Record<string, any>; t: number }[] {
  const out: { userId: string; props: Record<string, any>; t: number }[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.type !== 'track' || m.event !== 'Order Completed' || !m.userId || seen.has(m.messageId)) continue;
    const p = m.properties as Record<string, any>;
    if (typeof p.revenue !== 'number' || !Array.isArray(p.products)) continue;
    seen.add(m.messageId);
    out.push({ userId: m.userId, props: p, t: Date.parse(m.timestamp) });
  }
  return out;
}
