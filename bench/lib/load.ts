// A small closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending one request,
// waiting for the whole answer, then sending the next. Written on raw sockets (no http.Agent) so the
// generator spends as little of a shared 2-core budget as it can; it understands just what the
// server under test answers with (Content-Length bodies, keep-alive, `Connection: close`).
import net from 'node:net';

export interface LoadOptions {
  url: string;
  path: string;
  /** extra request headers (Authorization, Content-Type …) */
  headers: Record<string, string>;
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** the body of request number `seq` (seq is unique across the whole run) */
  body: (seq: number) => Buffer;
  /** events carried by one request */
  eventsPerRequest: number;
  timeoutMs?: number;
  /** where request numbering starts (so several runs never reuse a messageId) */
  firstSeq?: number;
}

export interface PhaseStats {
  /** requests answered 200 with `{"success":true}` (every event accepted) */
  ok: number;
  /** events acknowledged (ok × eventsPerRequest, plus `accepted` of partial answers) */
  events: number;
  /** answers other than a full success, by status ("200-partial", "503", "socket", "timeout" …) */
  errors: Record<string, number>;
  /** latencies of ok answers, ms */
  latencies: number[];
  /** events acknowledged in each whole second of the phase */
  perSecond: number[];
}

export interface LoadResult {
  warmup: PhaseStats;
  measured: PhaseStats;
  /** seconds from the end of warm-up until the last answer (clients stop sending at the deadline) */
  seconds: number;
  /** request numbers used: [firstSeq, nextSeq) */
  nextSeq: number;
  /** CPU seconds this (load generator) process spent during the measured phase */
  generatorCpuSeconds: number;
}

const emptyPhase = (): PhaseStats => ({ ok: 0, events: 0, errors: {}, latencies: [], perSecond: [] });
const SUCCESS = Buffer.from('{"success":true}');
const HEADER_END = Buffer.from('\r\n\r\n');

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const u = new URL(o.url);
  const port = Number(u.port || 80);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const headLines = [`POST ${o.path} HTTP/1.1`, `Host: ${u.host}`, 'Connection: keep-alive', ...Object.entries(o.headers).map(([k, v]) => `${k}: ${v}`)];
  const headPrefix = headLines.join('\r\n') + '\r\nContent-Length: ';
  const timeoutMs = o.timeoutMs ?? 30_000;

  const warmup = emptyPhase();
  const measured = emptyPhase();
  let seq = o.firstSeq ?? 0;
  const t0 = performance.now();
  const warmEnd = t0 + o.warmupMs;
  const deadline = warmEnd + o.durationMs;
  let lastAnswer = warmEnd;
  let cpuAtWarmEnd: NodeJS.CpuUsage | null = null;

  const record = (status: string, started: number, accepted: number) => {
    const now = performance.now();
    if (now >= warmEnd && !cpuAtWarmEnd) cpuAtWarmEnd = process.cpuUsage();
    const phase = now < warmEnd ? warmup : measured;
    if (phase === measured) lastAnswer = Math.max(lastAnswer, now);
    const second = Math.floor((now - (phase === measured ? warmEnd : t0)) / 1000);
    while (phase.perSecond.length <= second) phase.perSecond.push(0);
    phase.perSecond[second] += status === 'ok' ? o.eventsPerRequest : accepted;
    if (status === 'ok') {
      phase.ok++;
      phase.events += o.eventsPerRequest;
      phase.latencies.push(now - started);
    } else {
      phase.errors[status] = (phase.errors[status] ?? 0) + 1;
      phase.events += accepted;
    }
  };

  // each client owns one keep-alive connection and has one request in flight at a time
  const clients = Array.from({ length: o.clients }, async () => {
    const conn = new Conn(host, port, timeoutMs);
    try {
      while (performance.now() < deadline) {
        const body = o.body(seq++);
        const started = performance.now();
        const r = await conn.send(Buffer.from(`${headPrefix}${body.length}\r\n\r\n`), body);
        record(r.status, started, r.accepted);
        if (r.status === 'socket' || r.status === 'timeout') await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      conn.close();
    }
  });
  await Promise.all(clients);
  const cpu = process.cpuUsage(cpuAtWarmEnd ?? undefined);
  return {
    warmup,
    measured,
    seconds: (lastAnswer - warmEnd) / 1000,
    nextSeq: seq,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

interface Answer {
  status: string;
  accepted: number;
}

/** One keep-alive connection; reconnects after `Connection: close` or a socket error. */
class Conn {
  private socket: net.Socket | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiting: ((a: Answer) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  send(head: Buffer, body: Buffer): Promise<Answer> {
    const s = this.socket ?? this.connect();
    return new Promise<Answer>((resolve) => {
      this.waiting = resolve;
      this.timer = setTimeout(() => this.fail('timeout'), this.timeoutMs);
      s.cork();
      s.write(head);
      s.write(body);
      s.uncork();
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    const s = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.chunks = [];
    this.buffered = 0;
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', () => this.fail('socket'));
    s.on('close', () => {
      if (this.socket === s) this.fail('socket');
    });
    this.socket = s;
    return s;
  }

  private settle(a: Answer): void {
    if (this.timer) clearTimeout(this.timer), (this.timer = null);
    const w = this.waiting;
    this.waiting = null;
    w?.(a);
  }

  private fail(status: string): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
    this.chunks = [];
    this.buffered = 0;
    this.settle({ status, accepted: 0 });
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const end = buf.indexOf(HEADER_END);
    if (end === -1) {
      this.chunks = [buf];
      return;
    }
    const head = buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) return this.fail('no-content-length');
    const len = Number(m[1]);
    if (buf.length < end + 4 + len) {
      this.chunks = [buf];
      return;
    }
    const body = buf.subarray(end + 4, end + 4 + len);
    const code = head.slice(9, 12);
    const rest = buf.subarray(end + 4 + len);
    this.chunks = rest.length ? [Buffer.from(rest)] : [];
    this.buffered = rest.length;
    const close = /\r\nconnection:\s*close/i.test(head);
    let answer: Answer;
    if (code === '200' && body.equals(SUCCESS)) answer = { status: 'ok', accepted: 0 };
    else if (code === '200') {
      let accepted = 0;
      try {
        accepted = Number((JSON.parse(body.toString('utf8')) as { accepted?: number }).accepted ?? 0);
      } catch {
        /* counted as partial with 0 */
      }
      answer = { status: '200-partial', accepted };
    } else answer = { status: code, accepted: 0 };
    if (close) {
      const s = this.socket;
      this.socket = null;
      s?.destroy();
    }
    this.settle(answer);
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(latencies: number[]): { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const s = Float64Array.from(latencies).sort();
  const arr = Array.from(s);
  const mean = arr.reduce((a, b) => a + b, 0) / (arr.length || 1);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50Ms: r(percentile(arr, 50)), p90Ms: r(percentile(arr, 90)), p99Ms: r(percentile(arr, 99)), maxMs: r(arr[arr.length - 1] ?? NaN), meanMs: r(mean) };
}
