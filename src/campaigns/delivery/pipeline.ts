import type { Logger } from 'pino';
import type { OltpStore } from '../../store/oltp/index.ts';
import { CapCounter, verdict, type GuardSettings } from '../guards/index.ts';
import type { ChannelAdapter, ChannelName, DeliveryResult, OutgoingMessage, Recipient, RenderedMessage } from '../types.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { claimDue, finish, recentSends, recoverStale, type Outcome, type QueuedMessage } from './queue.ts';
import { TokenBucket } from './rateLimit.ts';

export interface DeliverySettings extends GuardSettings {
  capWindowHours: number;
  /** messages handed to adapters at once */
  concurrency: number;
  maxAttempts: number;
  /** the first retry waits this long; each next one twice as long */
  retryBaseMs: number;
  /** messages claimed per pass */
  batch: number;
}

export interface DeliveryDeps {
  oltp: OltpStore;
  log: Logger;
  settings: DeliverySettings;
  metrics: DeliveryMetrics;
  loadRecipients(personIds: string[]): Promise<Map<string, Recipient>>;
  render(msg: OutgoingMessage, r: Recipient): Promise<RenderedMessage>;
  channels(): Map<ChannelName, ChannelAdapter>;
  now(): Date;
}

export interface PassResult {
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
  suppressed: number;
  deferred: number;
}

interface Prepared {
  batch: QueuedMessage[];
  recipients: Map<string, Recipient>;
}

/** The backoff before retry `attempt` (1-based): base · 2^(attempt−1). */
export function backoffMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** (attempt - 1);
}

/**
 * The delivery pipeline (docs/campaigns.md#delivery): claims due messages in batches, applies the guard
 * rails with what it knows of each person now, renders, and hands each message to its channel adapter at
 * the channel's rate. Retryable failures go back to the queue with exponential backoff until
 * `maxAttempts`; then, and on a final failure, the message is `failed` with its last error.
 */
export class DeliveryPipeline {
  private readonly buckets = new Map<ChannelName, TokenBucket>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly d: DeliveryDeps) {}

  /** One pass: claim one batch and deliver it. */
  async pass(limit = this.d.settings.batch): Promise<PassResult> {
    return this.complete(await this.prepare(limit));
  }

  /**
   * Passes until nothing is due; returns how many messages were sent. The next batch is claimed and its
   * people loaded while the current one is sending (the guard rails of a batch run only after the batch
   * before it is written, so the caps count every send).
   */
  async drain(keepGoing: () => boolean = () => true): Promise<number> {
    let sent = 0;
    let current = await this.prepare(this.d.settings.batch);
    while (current.batch.length > 0) {
      // when stopping, the batch in hand is still finished; nothing more is claimed
      const next = keepGoing() ? this.prepare(this.d.settings.batch) : Promise.resolve<Prepared>({ batch: [], recipients: new Map() });
      // a failed prefetch is seen when awaited; keep it from counting as unhandled meanwhile
      next.catch(() => {});
      try {
        sent += (await this.complete(current)).sent;
      } finally {
        current = await next;
      }
    }
    return sent;
  }

  /** Claims a batch and loads what is known of its people. */
  private async prepare(limit: number): Promise<Prepared> {
    const batch = await claimDue(this.d.oltp, this.d.now(), limit);
    if (batch.length === 0) return { batch, recipients: new Map() };
    return { batch, recipients: await this.d.loadRecipients([...new Set(batch.map((m) => m.personId))]) };
  }

  /** Guard rails, sends and outcomes of a prepared batch. */
  private async complete({ batch, recipients }: Prepared): Promise<PassResult> {
    const res: PassResult = { claimed: batch.length, sent: 0, failed: 0, retried: 0, suppressed: 0, deferred: 0 };
    if (batch.length === 0) return res;
    const now = this.d.now();
    const persons = [...recipients.keys()];
    const s = this.d.settings;
    const [recent, budgets] = await Promise.all([
      recentSends(this.d.oltp, persons, new Date(now.getTime() - s.capWindowHours * 3_600_000)),
      this.couponBudgets(batch),
    ]);
    const caps = new CapCounter(recent);
    const outcomes: Outcome[] = [];
    const toSend: { m: QueuedMessage; r: Recipient }[] = [];
    for (const m of batch) {
      const r = recipients.get(m.personId)!;
      const v = verdict(m.channel, r, caps, s, now);
      if (v.action === 'suppress') {
        outcomes.push({ id: m.id, status: 'suppressed', reason: v.reason });
        continue;
      }
      if (v.action === 'defer') {
        outcomes.push({ id: m.id, status: 'queued', next: v.until, deferred: true });
        continue;
      }
      const coupon = m.content.coupon?.value ?? 0;
      const budget = m.campaignId ? budgets.get(m.campaignId) : undefined;
      if (coupon > 0 && budget) {
        if (budget.spent + coupon > budget.limit) {
          outcomes.push({ id: m.id, status: 'suppressed', reason: 'budget' });
          continue;
        }
        budget.spent += coupon;
      }
      caps.count(m.personId, m.channel);
      toSend.push({ m, r });
    }
    await this.sendAll(toSend, outcomes);
    await finish(this.d.oltp, outcomes);
    const byId = new Map(batch.map((m) => [m.id, m]));
    for (const o of outcomes) {
      const m = byId.get(o.id);
      const kind = o.deferred ? 'deferred' : o.status === 'queued' ? 'retried' : o.status;
      res[kind as keyof Omit<PassResult, 'claimed'>]++;
      this.d.metrics.messages.inc({ channel: m?.channel ?? 'unknown', status: kind });
    }
    return res;
  }

  /** Runs passes in the background until `stop` (serve/demo); idles `idleMs` when the queue is empty. */
  start(idleMs = 500): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      await recoverStale(this.d.oltp, this.d.now(), 10 * 60_000).catch((err) => this.d.log.warn({ err }, 'recovering claimed messages failed'));
      while (this.running) {
        let sent = 0;
        try {
          sent = await this.drain(() => this.running);
        } catch (err) {
          this.d.log.warn({ err }, 'delivery pass failed');
        }
        if (sent === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, idleMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  /** New messages are due: an idle loop claims at once. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private bucket(a: ChannelAdapter): TokenBucket {
    let b = this.buckets.get(a.name);
    if (!b || b.rate !== a.ratePerSecond) {
      b = new TokenBucket(a.ratePerSecond);
      this.buckets.set(a.name, b);
    }
    return b;
  }

  private async sendAll(items: { m: QueuedMessage; r: Recipient }[], outcomes: Outcome[]): Promise<void> {
    const channels = this.d.channels();
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const { m, r } = items[next++]!;
        outcomes.push(await this.sendOne(m, r, channels.get(m.channel)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.d.settings.concurrency, items.length) }, worker));
  }

  private async sendOne(m: QueuedMessage, r: Recipient, adapter: ChannelAdapter | undefined): Promise<Outcome> {
    const s = this.d.settings;
    if (!adapter) return { id: m.id, status: 'failed', error: `no adapter for channel ${m.channel}` };
    let result: DeliveryResult;
    let locale = r.locale;
    try {
      // the person's current locale wins over the one the message was queued with
      const rendered = await this.d.render({ ...m, locale: r.locale }, r);
      locale = rendered.locale;
      await this.bucket(adapter).take();
      const t0 = performance.now();
      result = await adapter.send(rendered);
      this.d.metrics.latency.observe({ channel: m.channel }, (performance.now() - t0) / 1000);
    } catch (err) {
      result = { ok: false, retryable: true, error: (err as Error).message ?? String(err) };
    }
    if (result.ok) return { id: m.id, status: 'sent', sentAt: this.d.now(), providerId: result.providerId, locale };
    if (result.retryable && m.attempts < s.maxAttempts) {
      return { id: m.id, status: 'queued', error: result.error, next: new Date(this.d.now().getTime() + backoffMs(m.attempts, s.retryBaseMs)) };
    }
    this.d.log.warn({ message: m.id, campaign: m.campaignId, journey: m.journeyId, channel: m.channel, attempts: m.attempts, error: result.error }, 'message failed');
    return { id: m.id, status: 'failed', error: result.error };
  }

  /** Coupon budgets of the batch's campaigns that have one: the limit and what sent messages have issued. */
  private async couponBudgets(batch: QueuedMessage[]): Promise<Map<string, { limit: number; spent: number }>> {
    const ids = [...new Set(batch.filter((m) => m.campaignId && m.content.coupon).map((m) => m.campaignId!))];
    if (ids.length === 0) return new Map();
    const rows = await this.d.oltp.query<{ id: string; limit: number | string; spent: number | string }>(
      `SELECT c.id, (c.budget->>'couponBudget')::float8 AS limit,
              coalesce((SELECT sum((m.content->'coupon'->>'value')::float8) FROM campaign_messages m
                        WHERE m.campaign_id = c.id AND m.status IN ('sent', 'delivered')), 0) AS spent
       FROM campaigns c WHERE c.id = ANY($1::text[]) AND c.budget ? 'couponBudget'`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { limit: Number(r.limit), spent: Number(r.spent) }]));
  }
}
