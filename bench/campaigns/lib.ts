/**
 * What the campaign benches share: a runtime on a temporary data dir (or a given one, or a Postgres server),
 * people made quickly through the real ingestion pipeline, a local webhook receiver, and one JSON line per
 * figure.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testConfig, type Config } from '../../src/config.ts';
import { runPipeline } from '../../src/ingest/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';

export const line = (bench: string, o: object) => console.log(JSON.stringify({ bench, ...o }));
export const secs = (ms: number) => Math.round(ms) / 1000;

/**
 * A runtime for a bench: `--data DIR` (kept) or a temp dir (removed on close); `--pg URL` puts Postgres on a
 * server, `--pg start` on a throw-away server started here (Debian's postgresql, as the tests do).
 */
export async function benchRuntime(o: { data?: string; pg?: string; campaigns?: Partial<Config['campaigns']> }): Promise<{ rt: Runtime; close(): Promise<void> }> {
  const dir = o.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-campaigns-'));
  let server: { url: string; stop(): Promise<void> } | undefined;
  if (o.pg === 'start') server = await (await import('../../test/support/postgres.ts')).startPostgres();
  const base = testConfig({ dataDir: dir, logLevel: 'warn' });
  const config = testConfig({ dataDir: dir, logLevel: 'warn', databaseUrl: server?.url ?? o.pg, campaigns: { ...base.campaigns, ...o.campaigns } });
  const rt = await openRuntime(config, { command: 'bench' });
  await rt.tags.live.stop();
  return {
    rt,
    async close() {
      await rt.close();
      await server?.stop();
      if (!o.data) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `n` people `<prefix><i>` with marketing consent and an email, each one identify through the ingestion pipeline (so the identity map knows them). */
export async function makePeople(rt: Runtime, prefix: string, n: number, chunk = 5_000): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const t = Date.now() - 3_600_000;
  for (let off = 0; off < n; off += chunk) {
    const messages = ids.slice(off, off + chunk).map((u, i) => ({
      type: 'identify', messageId: `bench-id-${u}`, userId: u, timestamp: new Date(t + off + i).toISOString(),
      traits: { email: `${u}@bench.example`, consent: { marketing: true } },
    }));
    const out = runPipeline({ messages, receivedAt: Date.now(), requestId: `bench-${off}`, source: 'http', writeKeyId: 'bench', maxMessageBytes: rt.config.ingest.maxMessageBytes, maxFutureMs: rt.config.ingest.maxFutureMs }, rt.keyring);
    await rt.writer.submit(out.rows, out.dead);
  }
  return ids;
}

/** A webhook receiver on loopback that answers 200 at once and counts what it got. */
export async function startReceiver(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      n++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
