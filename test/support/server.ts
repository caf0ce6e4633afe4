import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for end-to-end tests: a real `huaxiang serve` child process, temp data dirs, small HTTP clients. */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(repoRoot, 'bin', 'huaxiang.js');

/** Anything with `after(fn)`: node:test's TestContext or SuiteContext, or the module-level `after`. */
type Cleanup = { after(fn: () => unknown): unknown } | ((fn: () => unknown) => unknown);

const leftovers = new Set<string>();
process.once('exit', () => {
  for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh data dir under os.tmpdir(), removed when the process exits (each test file runs in its own
 * process). With a test or suite context as `cleanup`, it is removed when that context ends. The
 * module-level `after` hook is accepted but changes nothing: a file's `after` hooks run in the order they
 * were registered, so a removal registered with the dir (at the top of the file) would run before the
 * hook that closes the server using it, and could race the server's last writes (ENOTEMPTY).
 */
export function tmpDataDir(cleanup?: Cleanup, prefix = 'hx-e2e-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  leftovers.add(dir);
  const remove = () => {
    leftovers.delete(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (cleanup && typeof cleanup !== 'function') cleanup.after(remove);
  return dir;
}

export interface SpawnedServer {
  url: string;
  writeKey: string;
  adminToken: string;
  dataDir: string;
  proc: ChildProcess;
  /** everything the process wrote, for error messages */
  output(): string;
  /** SIGTERM (the server flushes queued events) and wait for the exit; resolves with the exit code */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, as a crash would; resolves when the process is gone */
  kill9(): Promise<void>;
}

export interface SpawnOptions {
  dataDir: string;
  /** how long to wait for the "listening on" line; 60 s by default */
  timeoutMs?: number;
  logLevel?: string;
  /** extra environment; HX_* from the parent environment is never passed on */
  env?: Record<string, string>;
}

/** Spawns `node bin/huaxiang.js serve --data DIR --port 0` and waits until it listens. */
export async function spawnServer(opts: SpawnOptions): Promise<SpawnedServer> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) env[k] = v;
  // a test runner's NODE_OPTIONS / NODE_TEST_CONTEXT must not turn the child into a test process
  delete env.NODE_TEST_CONTEXT;
  Object.assign(env, opts.env);
  const proc = spawn(process.execPath, [bin, 'serve', '--data', opts.dataDir, '--port', '0', '--log-level', opts.logLevel ?? 'warn'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`huaxiang serve did not say "listening on" within ${timeoutMs} ms\n${output()}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`huaxiang serve exited (code ${code}) before listening\n${output()}`));
    });
  });

  const creds = JSON.parse(fs.readFileSync(path.join(opts.dataDir, 'credentials.json'), 'utf8')) as { adminToken: string; writeKey: string };
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    url,
    writeKey: creds.writeKey,
    adminToken: creds.adminToken,
    dataDir: opts.dataDir,
    proc,
    output,
    async stop(stopTimeoutMs = 30_000) {
      if (gone) return exited;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      if (gone) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** the raw text, when the body was not JSON */
  text: string;
}

/** A response read whole: status, headers, the body parsed when it is JSON, and the raw text. */
export async function reply<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  let body: any = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** The admin/product API with a bearer token (pass no token to test the 401). */
export function api(url: string, token?: string) {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  return {
    get: async <T = any>(p: string) => reply<T>(await fetch(url + p, { headers: headers() })),
    post: async <T = any>(p: string, body: unknown) =>
      reply<T>(await fetch(url + p, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) })),
    put: async <T = any>(p: string, body: unknown) =>
      reply<T>(await fetch(url + p, { method: 'PUT', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) })),
    del: async <T = any>(p: string) => reply<T>(await fetch(url + p, { method: 'DELETE', headers: headers() })),
  };
}

/** The Segment-compatible ingestion API with the write key as HTTP Basic user name. */
export function ingest(url: string, writeKey?: string) {
  const auth: Record<string, string> = writeKey === undefined ? {} : { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
  return {
    /** POST a JSON value to /v1/<path> */
    send: async <T = any>(p: string, body: unknown) =>
      reply<T>(await fetch(`${url}/v1/${p}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })),
    /** POST a raw body with any content type */
    raw: async <T = any>(p: string, body: string | Uint8Array, contentType = 'application/json') =>
      reply<T>(await fetch(`${url}/v1/${p}`, { method: 'POST', headers: { ...auth, 'content-type': contentType }, body })),
  };
}

/** Waits until `check` returns a truthy value (polling), or throws with the last value seen. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last || Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
