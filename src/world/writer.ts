// JSONL writer for wire strings (see encode.ts): lines are copied byte-for-byte into ~4 MB
// buffers, and full buffers are written asynchronously at explicit file positions, so the disk
// write of one chunk overlaps generation of the next. The producer awaits `ready()` between
// batches, which bounds the buffers in flight (backpressure) however fast generation runs.

import { close, open, write } from 'node:fs';
import { promisify } from 'node:util';

const CHUNK = 4 << 20;
const MAX_IN_FLIGHT = 3;
const openAsync = promisify(open);
const closeAsync = promisify(close);

export class JsonlWriter {
  private fd = -1;
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  private off = 0;
  private pos = 0;
  private readonly free: Buffer[] = [];
  private inFlight = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  private constructor(readonly path: string) {}

  static async create(path: string): Promise<JsonlWriter> {
    const w = new JsonlWriter(path);
    w.fd = await openAsync(path, 'w');
    return w;
  }

  /** Append one wire-string line (no newline inside). */
  push(line: string): void {
    if (this.off + line.length + 1 > this.buf.length) this.rotate(line.length + 1);
    this.off += this.buf.write(line, this.off, 'latin1');
    this.buf[this.off++] = 10;
  }

  /** Append one line given as a normal JS string (encoded to UTF-8 here; for the truth files). */
  pushText(line: string): void {
    const max = line.length * 3 + 1;
    if (this.off + max > this.buf.length) this.rotate(max);
    this.off += this.buf.write(line, this.off, 'utf8');
    this.buf[this.off++] = 10;
  }

  private rotate(need: number): void {
    if (this.off > 0) this.submit(this.buf, this.off);
    this.buf = need <= CHUNK ? (this.free.pop() ?? Buffer.allocUnsafe(CHUNK)) : Buffer.allocUnsafe(need);
    this.off = 0;
  }

  private submit(buf: Buffer, len: number): void {
    const pos = this.pos;
    this.pos += len;
    this.inFlight++;
    const done = (err: Error | null): void => {
      this.inFlight--;
      if (err) this.failure = err;
      else if (buf.length === CHUNK) this.free.push(buf);
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    const writeFrom = (at: number): void => {
      write(this.fd, buf, at, len - at, pos + at, (err, n) => {
        if (err) done(err);
        else if (at + n < len) writeFrom(at + n); // short write: continue where it stopped
        else done(null);
      });
    };
    writeFrom(0);
  }

  private async waitBelow(limit: number): Promise<void> {
    while (this.inFlight > limit) await new Promise<void>((r) => (this.wake = r));
    if (this.failure) throw this.failure;
  }

  /** Resolves when few enough chunks are in flight (call between production batches). */
  ready(): Promise<void> {
    return this.inFlight < MAX_IN_FLIGHT && !this.failure ? Promise.resolve() : this.waitBelow(MAX_IN_FLIGHT - 1);
  }

  async close(): Promise<void> {
    if (this.off > 0) this.submit(this.buf, this.off);
    this.off = 0;
    await this.waitBelow(0);
    await closeAsync(this.fd);
  }
}
