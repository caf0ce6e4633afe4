import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../src/config.ts';
import { runPipeline } from '../../src/ingest/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';

/**
 * What in-process scenario tests share: one runtime per test file on a temp data dir (chdb binds one
 * data dir per process), Segment messages with explicit times built and sent through the real ingestion
 * pipeline (validate → normalise → row → writer: dedupe, identity, insert), and a seeded PRNG.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** the shop's time zone (the config default, Asia/Shanghai) is UTC+8 all year */
export const SHANGHAI_OFFSET = 8 * HOUR;

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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix ?? 'hx-test-'));
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
