import type { Runtime } from '../../src/runtime.ts';
import { members, type EvalDeps } from '../../src/segments/evaluate.ts';
import type { Rule } from '../../src/segments/rule.ts';
import { personsOf } from '../../src/tags/build.ts';
import { SHANGHAI_OFFSET } from '../support/scenario.ts';
import { reply } from '../support/server.ts';

/**
 * Kit for the segment tests: one runtime per file (chdb binds one data dir per process), Segment
 * messages through the real ingestion pipeline (validate → normalise → row → batching writer), and
 * helpers to evaluate a rule the two ways the engine does (everyone; only some people, as the live path).
 */

export { DAY, HOUR, MINUTE, SHANGHAI_OFFSET, msg, openScenario, prng, send, type Msg, type Scenario } from '../support/scenario.ts';
export type { Reply } from '../support/server.ts';

/** The Shanghai calendar date of a moment, YYYY-MM-DD. */
export const shanghaiDate = (t: number) => new Date(t + SHANGHAI_OFFSET).toISOString().slice(0, 10);

export async function evalDeps(rt: Runtime): Promise<EvalDeps> {
  return { olap: rt.olap, defs: await rt.tags.taxonomy.definitions(), timezone: rt.config.timezone };
}

/** Members of a rule among everyone (as a saved segment's evaluation), as person ids, sorted. */
export async function membersOf(rt: Runtime, rule: Rule): Promise<string[]> {
  return (await members(await evalDeps(rt), rule)).sort();
}

/** Members of a rule among some people only (the live path: events of all their ids), sorted. */
export async function membersAmong(rt: Runtime, rule: Rule, someIds: string[]): Promise<string[]> {
  const { persons, all } = await personsOf(rt.oltp, someIds);
  return (await members(await evalDeps(rt), rule, { persons, ids: all })).sort();
}


export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or the time is up (then returns the last value). */
export async function until<T>(fn: () => Promise<T>, timeoutMs: number, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(everyMs);
  }
}

/** The product API with a bearer token: JSON in, JSON (or text) out. */
export function client(url: string, token: string) {
  const h = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  const json = (method: string) => async <T = any>(p: string, body?: unknown) =>
    reply<T>(await fetch(url + p, { method, headers: h(body === undefined ? {} : { 'content-type': 'application/json' }), body: body === undefined ? undefined : JSON.stringify(body) }));
  return {
    get: async <T = any>(p: string) => reply<T>(await fetch(url + p, { headers: h() })),
    post: json('POST'),
    put: json('PUT'),
    del: json('DELETE'),
    /** a raw body with its content type */
    send: async <T = any>(method: string, p: string, body: string, contentType: string) =>
      reply<T>(await fetch(url + p, { method, headers: h({ 'content-type': contentType }), body })),
  };
}

/** POST /v1/<path> with the write key (HTTP Basic). */
export function tracker(url: string, writeKey: string) {
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  return async <T = any>(p: 'track' | 'identify' | 'batch', body: unknown) =>
    reply<T>(await fetch(`${url}/v1/${p}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}
