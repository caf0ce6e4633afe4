// The server under test, in its own process: spawn `huaxiang serve`, read its URL and write key,
// watch its memory and CPU from /proc, stop it the way an operator would (SIGTERM flushes the queue).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparationProgress } from '../../src/recommend/prepare.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  writeKey: string;
  /** the server's stderr so far (warnings, errors) */
  stderr(): string;
  stop(timeoutMs?: number): Promise<number | null>;
}

/** The environment without HX_* so the server uses the embedded stores in `dataDir`. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) env[k] = v;
  return env;
}

/**
 * `entry` replaces `bin/huaxiang.js serve` (e.g. an instrumented server script that prints the same
 * "listening on URL" line); `--data DIR --port 0 --log-level L` are appended either way.
 */
export async function startServerProcess(opts: { dataDir: string; nodeArgs?: string[]; logLevel?: string; entry?: string[] }): Promise<ServerProcess> {
  const entry = opts.entry ?? [path.join(repoRoot, 'bin/huaxiang.js'), 'serve'];
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), ...entry, '--data', opts.dataDir, '--port', '0', '--log-level', opts.logLevel ?? 'warn'],
    // benches measure throughput, not the per-key rate limits
    { cwd: repoRoot, env: { ...cleanEnv(), HX_API_RATE_PER_MINUTE: '0', HX_INGEST_RATE_PER_MINUTE: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 1e6) err = err.slice(-5e5);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s; stderr:\n${err}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) clearTimeout(timer), resolve(m[1]!);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening; stderr:\n${err}`));
    });
  });
  const creds = JSON.parse(fs.readFileSync(path.join(opts.dataDir, 'credentials.json'), 'utf8')) as { writeKey: string };
  return {
    child,
    pid: child.pid!,
    url,
    writeKey: creds.writeKey,
    stderr: () => err,
    async stop(timeoutMs = 300_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

const CLK_TCK = 100; // Linux USER_HZ; /proc/PID/stat reports CPU time in these ticks

/** VmRSS of a process in MB, or null when it is gone. */
export function rssMB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a process has used, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state is field 0, utime field 11, stime field 12
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine spent busy (all cores; idle and iowait excluded). */
export function systemBusySeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / CLK_TCK;
}

/** Samples a process's RSS every `everyMs`; `max` is the highest seen so far. */
export function watchRss(pid: number, everyMs = 200) {
  let max = 0;
  let last = 0;
  const samples: { t: number; mb: number }[] = [];
  const t0 = Date.now();
  const take = () => {
    const mb = rssMB(pid);
    if (mb === null) return;
    last = mb;
    if (mb > max) max = mb;
    samples.push({ t: Date.now() - t0, mb });
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    get maxMB() {
      return max;
    },
    get lastMB() {
      return last;
    },
    samples,
    /** the highest RSS since sample index `from` */
    maxSince(from: number) {
      let m = 0;
      for (let i = from; i < samples.length; i++) m = Math.max(m, samples[i]!.mb);
      return m;
    },
    stop() {
      take();
      clearInterval(timer);
    },
  };
}

/** Runs a TypeScript file in a fresh node process and returns its stdout. */
export function runTs(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/run-ts.js'), file, ...args], { cwd: repoRoot, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited ${code}: ${err}`))));
  });
}

/**
 * Waits (up to `maxMs`) until the machine is nearly idle — less than `threshold` cores busy over
 * 2 s — so that a case does not start while some other job is using the CPU. Returns the busy cores
 * seen last.
 */
export async function waitForQuiet(maxMs: number, threshold = 0.25): Promise<number> {
  const t0 = Date.now();
  let busy = 0;
  do {
    const a = systemBusySeconds();
    await new Promise((r) => setTimeout(r, 2000));
    busy = (systemBusySeconds() - a) / 2;
    if (busy < threshold) break;
  } while (Date.now() - t0 < maxMs);
  return Math.round(busy * 100) / 100;
}

/**
 * Waits (up to `maxMs`) for a server's recommendation training to finish, and the preparation of the
 * recently active people after it: training reads every event and holds the embedded engine for minutes,
 * preparing takes a core for tens of seconds on a big shop, so figures taken meanwhile would measure
 * start-up, not the steady state. Polls `/api/v1/recommendations/status` (asked again when a request fails:
 * it can wait behind the training's statements); returns the seconds waited and the preparation.
 */
export async function waitForStartupTraining(url: string, headers: Record<string, string>, maxMs = 900_000): Promise<{ seconds: number; preparation: PreparationProgress | null }> {
  const t0 = performance.now();
  let preparation: PreparationProgress | null = null;
  for (;;) {
    const st = (await fetch(`${url}/api/v1/recommendations/status`, { headers }).then((r) => r.json()).catch(() => null)) as
      { trained: boolean; training: boolean; lastError: string | null; preparation?: PreparationProgress | null } | null;
    preparation = st?.preparation ?? null;
    const prepared = !preparation || preparation.seconds !== undefined || preparation.stopped === true;
    if ((st && ((st.trained && !st.training && prepared) || st.lastError)) || performance.now() - t0 > maxMs) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return { seconds: Math.round((performance.now() - t0) / 100) / 10, preparation };
}
