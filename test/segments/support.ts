import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../src/config.ts';
import { runPipeline } from '../../src/ingest/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { members, type EvalDeps } from '../../src/segments/evaluate.ts';
import type { Rule } from '../../src/segments/rule.ts';
import { personsOf } from '../../src/tags/build.ts';

/**
 * Kit for the segment tests: one runtime per file (chdb binds one data dir per process), Segment
 * messages through the real ingestion pipeline (validate → normalise → row → batching writer), and
 * helpers to evaluate a rule the two ways the engine does (everyone; only some people, as the live path).
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** the shop's time zone (the config default, Asia/Shanghai) is UTC+8 all year */
export const SHANGHAI_OFFSET = 8 * HOUR;

/** The Shanghai calendar date of a moment, YYYY-MM-DD. */
export const shanghaiDate = (t: number) => new Date(t + SHANGHAI_OFFSET).toISOString().slice(0, 10);

export interface Opened {
  rt: Runtime;
  dir: string;
  close(): Promise<void>;
}

/** A runtime on a fresh temp dir; `live: false` stops the live tag refresher (values change only by builds). */
export async function openTestRuntime(o: { live?: boolean } = {}): Promise<Opened> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-seg-'));
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

export type Msg = Record<string, unknown>;

let seq = 0;
/** Message builders with explicit timestamps and unique messageIds. */
export const msg = {
  track: (userId: string, event: string, t: number, properties: Msg = {}, extra: Msg = {}): Msg => ({
    type: 'track', messageId: `s-${userId}-${++seq}`, userId, event, timestamp: new Date(t).toISOString(), properties, ...extra,
  }),
  identify: (userId: string, t: number, traits: Msg, extra: Msg = {}): Msg => ({
    type: 'identify', messageId: `s-${userId}-${++seq}`, userId, timestamp: new Date(t).toISOString(), traits, ...extra,
  }),
  anon: (anonymousId: string, event: string, t: number, properties: Msg = {}): Msg => ({
    type: 'track', messageId: `s-${anonymousId}-${++seq}`, anonymousId, event, timestamp: new Date(t).toISOString(), properties,
  }),
};

/** Submits messages as POST /v1/batch does and waits until they are stored; a rejected fixture message throws. */
export async function send(rt: Runtime, messages: readonly Msg[]): Promise<{ stored: number; duplicates: number }> {
  const out = runPipeline(
    {
      messages,
      receivedAt: Date.now(),
      requestId: `seg-test-${++seq}`,
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

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

async function reply<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
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
