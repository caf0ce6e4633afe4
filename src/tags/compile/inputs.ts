import type { TagDef } from '../dsl.ts';

/** Any event at all: a statistic with no event filter (activity, recency) reads every stored event. */
export const ANY_EVENT = '*';
/** Identify messages: traits, and the consent every personalisation or marketing tag is gated on. */
export const IDENTIFY = 'identify';

/**
 * What a tag's value is computed from: the event names its statistics and preferences count, `*` when one
 * counts every event, and `identify` when it reads traits or is gated on consent — its own definition's
 * and those of every tag it refers to. A live refresh recomputes a tag only for people who sent something
 * it reads (src/tags/build.ts); a person whose identity changed gets every tag recomputed.
 */
export function tagInputs(defs: ReadonlyMap<string, TagDef>, code: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(code)) return out;
  seen.add(code);
  const def = defs.get(code);
  if (!def) return out;
  if (def.purpose !== 'analytics') out.add(IDENTIFY);
  const events = (e: string | string[] | undefined) => {
    if (e === undefined) out.add(ANY_EVENT);
    else for (const name of [e].flat()) out.add(name);
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.stat && typeof o.stat === 'object') {
      const s = o.stat as { event?: string | string[]; type?: string };
      if (s.type === 'identify' && s.event === undefined) out.add(IDENTIFY);
      else events(s.event);
    }
    if (o.type === 'top') events(o.event as string | string[] | undefined);
    if (typeof o.tag === 'string') for (const i of tagInputs(defs, o.tag, seen)) out.add(i);
    if (typeof o.trait === 'string') out.add(IDENTIFY);
    for (const v of Object.values(o)) walk(v);
  };
  walk(def.spec);
  return out;
}

/** Whether something a person sent (event names, `identify`) changes a tag with these inputs. */
export function touches(inputs: ReadonlySet<string>, sent: ReadonlySet<string>): boolean {
  if (sent.size === 0) return false;
  // every stored message is an event of the events table, identify included, so `*` reads them all
  if (inputs.has(ANY_EVENT)) return true;
  for (const s of sent) if (inputs.has(s)) return true;
  return false;
}
