import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { OltpStore } from '../store/oltp/index.ts';
import type { SegmentStore } from './store.ts';

export const MAX_ATTEMPTS = 6;

/** `sha256=<hex>` over `<timestamp>.<body>`, so a receiver can refuse replays of old deliveries. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Sends queued segment webhooks (the outbox in webhook_deliveries): POST with
 * `X-Huaxiang-Signature` and `X-Huaxiang-Timestamp`; a non-2xx answer or a network error retries with
 * exponential backoff (1 s, 2 s, 4 s …) up to MAX_ATTEMPTS, then the delivery is marked failed.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: OltpStore,
    private readonly store: SegmentStore,
    private readonly log?: Logger,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Sends what is due now; returns how many were delivered. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    let delivered = 0;
    this.running = (async () => {
      const due = await this.db.query<{ id: string; segment_id: string; url: string; body: string; attempts: number }>(
        `SELECT id, segment_id, url, body, attempts FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT 20`,
      );
      for (const d of due) delivered += Number(await this.send(d));
    })().finally(() => (this.running = null));
    await this.running;
    return delivered;
  }

  private async send(d: { id: string; segment_id: string; url: string; body: string; attempts: number }): Promise<boolean> {
    const hook = await this.store.webhookOf(d.segment_id);
    const ts = String(Math.floor(Date.now() / 1000));
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-huaxiang-timestamp': ts, 'x-huaxiang-signature': signature(hook?.secret ?? '', ts, d.body), 'x-huaxiang-delivery': d.id },
        body: d.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.ok) {
        await this.db.query(`UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = now() WHERE id = $1`, [d.id]);
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const attempts = d.attempts + 1;
    await this.db.query(
      `UPDATE webhook_deliveries SET attempts = $2, last_error = $3, status = $4, next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
      [d.id, attempts, error, attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', 2 ** (attempts - 1)],
    );
    this.log?.warn({ delivery: d.id, attempts, error }, 'segment webhook not delivered');
    return false;
  }
}
