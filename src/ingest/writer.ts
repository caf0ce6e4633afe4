import type { EventRow } from '../events/index.ts';
import type { IdentityGraph } from '../identity/index.ts';
import { linksOf } from '../identity/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { DeadLetter } from './deadLetter.ts';
import type { IngestMetrics } from './metrics.ts';

export interface WriteOutcome {
  stored: number;
  duplicates: number;
}

interface Pending {
  rows: EventRow[];
  dead: DeadLetter[];
  resolve: (o: WriteOutcome) => void;
  reject: (e: unknown) => void;
}

export class OverloadedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingestion queue is full');
  }
}

export interface WriterOptions {
  flushRows: number;
  flushDelayMs: number;
  maxQueuedRows: number;
}

/**
 * Coalesces concurrent requests into large inserts. One flush runs at a time, so the messageId
 * check of a flush always sees everything earlier flushes committed; a request's promise settles
 * only after its rows are in the store.
 */
/** What a flush stored: its rows, and the ids whose person its identity links changed (new ids included). */
export interface StoredFlush {
  rows: readonly EventRow[];
  relinked: ReadonlySet<string>;
}

export class BatchingWriter {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /**
   * told the distinct ids of every flush's stored rows, the rows, and the ids whose person the flush's links
   * changed (the live tag refresher listens here)
   */
  onStored?: (distinctIds: string[], flush: StoredFlush) => void;
  /** told every flush's stored rows once they are in the store (journeys trigger here) */
  onRows?: (rows: EventRow[]) => void;
  /** filters every flush before it is stored: rows of erased persons are dropped (src/privacy/tombstones.ts) */
  keep?: (rows: EventRow[]) => Promise<EventRow[]>;

  constructor(
    private readonly olap: OlapStore,
    private readonly identity: IdentityGraph,
    private readonly opts: WriterOptions,
    private readonly metrics?: IngestMetrics,
  ) {}

  get depth(): number {
    return this.queuedRows;
  }

  submit(rows: EventRow[], dead: DeadLetter[] = []): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(new OverloadedError(5));
    if (this.queuedRows + rows.length > this.opts.maxQueuedRows) return Promise.reject(new OverloadedError(1));
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, dead, resolve, reject });
      this.queuedRows += rows.length;
      this.metrics?.queueRows.set(this.queuedRows);
      this.schedule();
    });
  }

  /** Writes everything queued and stops taking more. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.flushing) {
      if (this.timer) clearTimeout(this.timer), (this.timer = null);
      if (!this.flushing) this.flushing = this.flush();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    if (this.queuedRows >= this.opts.flushRows) {
      if (this.timer) clearTimeout(this.timer), (this.timer = null);
      this.flushing = this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.flushing) this.flushing = this.flush();
      }, this.opts.flushDelayMs);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    this.metrics?.queueRows.set(0);
    try {
      const outcomes = await this.write(batch);
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.flushing = null;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async write(batch: Pending[]): Promise<WriteOutcome[]> {
    const started = process.hrtime.bigint();
    const all = this.keep ? await this.keep(batch.flatMap((p) => p.rows)) : batch.flatMap((p) => p.rows);
    // links are idempotent, so they are applied for every row (duplicates too) while the store is
    // asked which rows are new; both finish before the insert, so a failed flush leaves no event behind
    const [stored, relinked] = await Promise.all([this.newRows(all), this.identity.apply(all.flatMap(linksOf))]);
    const toInsert = all.filter((r) => stored.has(r));
    await this.olap.insert('events', toInsert);
    await this.olap.insert('dead_letters', batch.flatMap((p) => p.dead));
    if (this.onStored && toInsert.length) this.onStored([...new Set(toInsert.map((r) => r.distinct_id))], { rows: toInsert, relinked: new Set(relinked) });
    if (this.onRows && toInsert.length) this.onRows(toInsert);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics?.insertSeconds.observe(seconds);
    this.metrics?.messages.inc({ result: 'stored' }, toInsert.length);
    this.metrics?.messages.inc({ result: 'duplicate' }, all.length - toInsert.length);
    return batch.map((p) => {
      const n = p.rows.filter((r) => stored.has(r)).length;
      return { stored: n, duplicates: p.rows.length - n };
    });
  }

  /**
   * Rows that are neither earlier in this flush nor already stored. A message is known by its messageId
   * under the id it was sent as (userId, else anonymousId): a retry carries both unchanged, and the sorting
   * key's first column narrows the lookup to those ids' granules before the messageId bloom filter is read.
   */
  private async newRows(rows: EventRow[]): Promise<Set<EventRow>> {
    const key = (distinctId: string, messageId: string) => `${distinctId}\u0000${messageId}`;
    const first = new Map<string, EventRow>();
    for (const r of rows) {
      const k = key(r.distinct_id, r.message_id);
      if (!first.has(k)) first.set(k, r);
    }
    const existing = first.size
      ? await this.olap.query<{ message_id: string; distinct_id: string }>(
          `SELECT message_id, distinct_id FROM ${this.olap.db}.events WHERE distinct_id IN {dids:Array(String)} AND message_id IN {ids:Array(String)}`,
          { ids: [...new Set(rows.map((r) => r.message_id))], dids: [...new Set(rows.map((r) => r.distinct_id))] },
        )
      : [];
    for (const e of existing) first.delete(key(e.distinct_id, e.message_id));
    return new Set(first.values());
  }
}

