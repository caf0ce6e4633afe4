import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { LoyaltyEngine } from '../loyalty/index.ts';
import type { AuditLog } from '../privacy/audit.ts';
import type { Keyring } from '../privacy/keyring.ts';
import { personPseudonym } from '../privacy/persons.ts';
import type { RecommendEngine } from '../recommend/index.ts';
import type { SegmentEngine } from '../segments/index.ts';
import type { TagEngine } from '../tags/index.ts';
import type { IdentityGraph } from '../identity/index.ts';
import type { BatchingWriter } from '../ingest/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { assignAudience, countAudience, treatedOf } from './audience.ts';
import { createChannels } from './channels/index.ts';
import { renderMessage } from './content/render.ts';
import { deliveryMetrics } from './delivery/metrics.ts';
import { DeliveryPipeline } from './delivery/pipeline.ts';
import { insertMessages, type NewMessage } from './delivery/queue.ts';
import { parseQuietHours, preferredSendTime } from './guards/index.ts';
import { erasedOf, loadRecipients } from './recipients.ts';
import { firstRunAt, nextOccurrence, runIdOf, ScheduleEndedError } from './scheduler.ts';
import { assertTransition, InvalidTransitionError } from './status.ts';
import { CampaignStore, type By, type StoredCampaign } from './store.ts';
import type { Audience, ChannelAdapter, ChannelName, Content, MessageStatus, OutgoingMessage, Recipient, RenderedMessage } from './types.ts';

export interface CampaignDeps {
  config: Config;
  log: Logger;
  olap: OlapStore;
  oltp: OltpStore;
  keyring: Keyring;
  audit: AuditLog;
  segments: SegmentEngine;
  tags: TagEngine;
  identity: IdentityGraph;
  writer: BatchingWriter;
  recommend: RecommendEngine;
  loyalty: LoyaltyEngine;
  registry: Registry;
}

export interface RunResult {
  runId: string;
  audience: number;
  treated: number;
  control: number;
  queued: number;
  /** treated people beyond maxSends, recorded as suppressed (budget) */
  overBudget: number;
  /** list ids the shop does not know (the first 100) and how many */
  unknown: string[];
  unknownCount: number;
}

export interface MessageCounts {
  audience: number;
  queued: number;
  sent: number;
  suppressed: number;
  failed: number;
}

export interface MessageRow {
  id: string; personId: string; userId: string; channel: string; arm: string; locale: string; status: MessageStatus;
  reason: string | null; attempts: number; notBefore: string; lastError: string | null; providerId: string | null;
  createdAt: string; sentAt: string | null; openedAt: string | null; clickedAt: string | null;
}

const tsOrNull = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);

/** Campaigns: definitions, audiences, the scheduler and the delivery pipeline (docs/campaigns.md). */
export class CampaignEngine {
  readonly store: CampaignStore;
  /** the keyed pseudonym the erasure tombstones keep */
  private readonly pseudonym: (id: string) => string;
  readonly delivery: DeliveryPipeline;
  /** the engine's clock: the scheduler, the queue and the guard rails read it (tests move it) */
  clock: () => Date = () => new Date();
  /** how a message is rendered for a person (content/render.ts) */
  render: (msg: OutgoingMessage, r: Recipient) => Promise<RenderedMessage>;
  private adapters: Map<ChannelName, ChannelAdapter> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> | null = null;
  /** campaigns whose run is being started: the tick leaves them alone */
  private readonly starting = new Set<string>();

  constructor(readonly deps: CampaignDeps) {
    this.store = new CampaignStore(deps.oltp, deps.audit, () => this.clock());
    this.pseudonym = personPseudonym(deps.keyring);
    this.render = (msg, r) => renderMessage(this.deps, msg, r);
    const c = deps.config.campaigns;
    this.delivery = new DeliveryPipeline({
      oltp: deps.oltp,
      log: deps.log.child({ component: 'delivery' }),
      settings: {
        capPerChannel: c.capPerChannel, capAll: c.capAll, capWindowHours: c.capWindowHours, quietHours: parseQuietHours(c.quietHours),
        consent: 'given', concurrency: c.concurrency, maxAttempts: c.maxAttempts, retryBaseMs: c.retryBaseMs, batch: 1000,
      },
      metrics: deliveryMetrics(deps.registry, deps.oltp),
      loadRecipients: (ids) => this.loadRecipients(ids),
      render: (msg, r) => this.render(msg, r),
      channels: () => this.channels,
      now: () => this.clock(),
    });
  }

  /** The channel adapters (channels/index.ts, rates from config); tests and benches may set their own. */
  get channels(): Map<ChannelName, ChannelAdapter> {
    this.adapters ??= createChannels(this.deps, { rates: this.deps.config.campaigns.rates as Partial<Record<ChannelName, number>> });
    return this.adapters;
  }

  set channels(m: Map<ChannelName, ChannelAdapter>) {
    this.adapters = m;
  }

  async init(): Promise<void> {}

  /** Starts the scheduler (a tick every 15 s) and the delivery workers (on the elected leader: src/jobs/schedule.ts); again after stop. */
  schedule(): void {
    this.delivery.start();
    this.timer = setInterval(() => void this.tick().catch((err) => this.deps.log.warn({ err }, 'campaign tick failed')), 15_000);
    this.timer.unref();
    void this.tick().catch((err) => this.deps.log.warn({ err }, 'campaign tick failed'));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => {});
    await this.delivery.stop();
    for (const a of this.adapters?.values() ?? []) await a.close?.().catch(() => {});
    // a node that wins the lead back calls schedule() again: fresh adapters then
    this.adapters = null;
  }

  /** What the pipeline knows of each person now (recipients.ts). */
  loadRecipients(personIds: string[]): Promise<Map<string, Recipient>> {
    return loadRecipients({ ...this.deps, decrypt: (t) => this.deps.keyring.decrypt(t), pseudonym: this.pseudonym, timezone: this.deps.config.timezone }, personIds);
  }

  /**
   * Queues messages (journeys and tools). A message whose id is queued already is skipped (the id is the
   * dedup key); one for an erased person is recorded as suppressed. The guard rails run at send time.
   */
  async enqueue(msgs: OutgoingMessage[]): Promise<{ queued: number; suppressed: number; duplicates: number }> {
    const erased = await erasedOf({ oltp: this.deps.oltp, pseudonym: this.pseudonym }, [...new Set(msgs.map((m) => m.personId))]);
    const contents: Content[] = [];
    const index = new Map<string, number>();
    const rows: NewMessage[] = msgs.map((m) => {
      const key = JSON.stringify(m.content);
      let ci = index.get(key);
      if (ci === undefined) index.set(key, (ci = contents.push(m.content) - 1));
      return {
        id: m.id, campaignId: m.campaignId, journeyId: m.journeyId, stepId: m.stepId, personId: m.personId, userId: m.userId,
        channel: m.channel, arm: m.arm, locale: m.locale, content: ci, notBefore: new Date(m.notBefore),
        ...(erased.has(m.personId) ? { status: 'suppressed' as const, reason: 'erased' } : {}),
      };
    });
    const r = await insertMessages(this.deps.oltp, rows, contents);
    this.delivery.poke();
    return { ...r, duplicates: msgs.length - r.queued - r.suppressed };
  }

  /** One delivery pass over everything due now (tests, tools); returns how many messages were sent. */
  deliverNow(): Promise<number> {
    return this.delivery.drain();
  }

  /** How many people an audience reaches now. */
  countAudience(a: Audience): Promise<{ count: number; unknown?: number }> {
    return countAudience(this.deps, a);
  }

  /**
   * Starts a run now: resolves the audience, assigns everyone to the holdout control or a variant (one
   * `campaign_assignments` row each), and queues the treated — at most `budget.maxSends` (a stable sample
   * of the audience is taken first; the few treated past the cap are recorded as suppressed, reason
   * budget). With send-time optimisation a message is not sent before the person's next preferred hour.
   * The campaign goes scheduled → running (a draft through scheduled).
   */
  async startRun(campaignId: string, by: { actor: string; role?: string }): Promise<RunResult> {
    this.starting.add(campaignId);
    try {
      let c = await this.store.get(campaignId);
      if (c.status === 'draft') c = await this.store.transition(campaignId, 'scheduled', by, { nextRunAt: this.clock() });
      assertTransition(campaignId, c.status, 'running');
      const at = this.clock();
      const tz = this.deps.config.timezone;
      const runId = runIdOf(c.schedule, c.schedule.kind === 'recurring' && c.nextRunAt ? new Date(c.nextRunAt) : at, tz);
      const h = c.experiment.holdout;
      const maxSends = c.budget.maxSends ?? null;
      const limit = maxSends === null ? null : Math.ceil(maxSends / (1 - h));
      const assigned = await assignAudience(this.deps, c, runId, at, limit);
      c = await this.store.transition(campaignId, 'running', by);
      const treated = await treatedOf(this.deps.olap, c.id, runId, c.sendTimeOptimisation);
      const contents = c.variants.map((v) => v.content);
      const variantIndex = new Map(c.variants.map((v, i) => [v.name, i]));
      const rows: NewMessage[] = treated.map((t, i) => ({
        id: `${c.id}:${runId}:${t.person_id}`, campaignId: c.id, journeyId: null, stepId: null, personId: t.person_id, userId: t.user_id,
        channel: c.channel, arm: t.arm, locale: 'zh-CN', content: variantIndex.get(t.arm) ?? 0,
        notBefore: c.sendTimeOptimisation ? preferredSendTime(at, t.hours.map(Number), tz) : at,
        ...(maxSends !== null && i >= maxSends ? { status: 'suppressed' as const, reason: 'budget' } : {}),
      }));
      // on a Postgres server, four inserts side by side (PGlite runs them one after another)
      const slices = this.deps.oltp.kind === 'pg' ? 4 : 1;
      const size = Math.ceil(rows.length / slices);
      const parts = await Promise.all(Array.from({ length: slices }, (_, i) => insertMessages(this.deps.oltp, rows.slice(i * size, (i + 1) * size), contents)));
      const inserted = { queued: parts.reduce((a, p) => a + p.queued, 0), suppressed: parts.reduce((a, p) => a + p.suppressed, 0) };
      const result: RunResult = {
        runId, audience: assigned.audience, treated: assigned.treated, control: assigned.control, queued: inserted.queued,
        overBudget: inserted.suppressed, unknown: assigned.unknown.slice(0, 100), unknownCount: assigned.unknown.length,
      };
      await this.store.record(this.deps.oltp, campaignId, by, 'run', null, result);
      await this.deps.audit.record({
        actor: by.actor, role: by.role ?? 'system', action: 'campaign.send', subjectType: 'campaign', subjectId: campaignId,
        details: { runId, audience: result.audience, treated: result.treated, control: result.control, queued: result.queued, unknown: result.unknownCount },
      });
      this.delivery.poke();
      return result;
    } finally {
      this.starting.delete(campaignId);
    }
  }

  /** draft (or paused) → scheduled, with the next run time from the schedule. */
  async scheduleCampaign(id: string, by: By): Promise<StoredCampaign> {
    const c = await this.store.get(id);
    // running → scheduled is the scheduler's own move between the runs of a recurring campaign
    if (c.status !== 'draft' && c.status !== 'paused') throw new InvalidTransitionError(id, c.status, 'scheduled');
    const next = firstRunAt(c.schedule, this.clock(), this.deps.config.timezone);
    if (!next) throw new ScheduleEndedError(id);
    return this.store.transition(id, 'scheduled', by, { nextRunAt: next });
  }

  async pause(id: string, by: By): Promise<StoredCampaign> {
    return this.store.transition(id, 'paused', by);
  }

  /** paused → running when a run was under way, else back to scheduled. */
  async resume(id: string, by: By): Promise<StoredCampaign> {
    const c = await this.store.get(id);
    const [run] = await this.deps.oltp.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM campaign_messages WHERE campaign_id = $1 AND status IN ('queued', 'sending')`, [id],
    );
    if (c.status === 'paused' && Number(run?.n ?? 0) > 0) return this.store.transition(id, 'running', by);
    const next = c.nextRunAt ? new Date(c.nextRunAt) : firstRunAt(c.schedule, this.clock(), this.deps.config.timezone);
    return this.store.transition(id, 'scheduled', by, { nextRunAt: next });
  }

  /** Cancels a campaign: its queued messages will never be sent (recorded as suppressed, reason cancelled). */
  async cancel(id: string, by: By): Promise<StoredCampaign> {
    const c = await this.store.transition(id, 'cancelled', by, { nextRunAt: null });
    await this.deps.oltp.query(`UPDATE campaign_messages SET status = 'suppressed', reason = 'cancelled' WHERE campaign_id = $1 AND status = 'queued'`, [id]);
    return c;
  }

  /**
   * The scheduler's step at `now`: starts every scheduled campaign that is due, and closes every running
   * campaign whose messages are all out — a recurring one goes back to scheduled for its next occurrence
   * (or to done past its end), any other to done.
   */
  async tick(now: Date = this.clock()): Promise<{ started: string[]; finished: string[] }> {
    const run = (async () => {
      const started: string[] = [];
      const finished: string[] = [];
      for (const c of await this.store.due(now)) {
        if (this.starting.has(c.id)) continue;
        try {
          await this.startRun(c.id, { actor: 'system', role: 'system' });
          started.push(c.id);
        } catch (err) {
          this.deps.log.warn({ err, campaign: c.id }, 'campaign run failed to start');
          await this.store.transition(c.id, 'paused', 'system', { reason: `run failed to start: ${(err as Error).message}` }).catch(() => {});
        }
      }
      const running = await this.store.list({ status: 'running' });
      if (running.length) {
        const pending = new Map((await this.deps.oltp.query<{ campaign_id: string; n: number | string }>(
          `SELECT campaign_id, count(*) AS n FROM campaign_messages WHERE campaign_id = ANY($1::text[]) AND status IN ('queued', 'sending') GROUP BY campaign_id`,
          [running.map((c) => c.id)],
        )).map((r) => [r.campaign_id, Number(r.n)]));
        for (const c of running) {
          if (this.starting.has(c.id) || (pending.get(c.id) ?? 0) > 0) continue;
          const next = nextOccurrence(c.schedule, now, this.deps.config.timezone);
          if (next) await this.store.transition(c.id, 'scheduled', 'system', { nextRunAt: next });
          else await this.store.transition(c.id, 'done', 'system', { nextRunAt: null });
          finished.push(c.id);
        }
      }
      return { started, finished };
    })();
    this.ticking = run;
    return run;
  }

  /** Message counts per campaign (the list view), with the audience from the assignments. */
  async counts(ids: string[]): Promise<Map<string, MessageCounts>> {
    const out = new Map<string, MessageCounts>(ids.map((id) => [id, { audience: 0, queued: 0, sent: 0, suppressed: 0, failed: 0 }]));
    if (ids.length === 0) return out;
    const rows = await this.deps.oltp.query<{ campaign_id: string; status: string; n: number | string }>(
      'SELECT campaign_id, status, count(*) AS n FROM campaign_messages WHERE campaign_id = ANY($1::text[]) GROUP BY campaign_id, status', [ids],
    );
    for (const r of rows) {
      const c = out.get(r.campaign_id)!;
      const n = Number(r.n);
      if (r.status === 'queued' || r.status === 'sending') c.queued += n;
      else if (r.status === 'sent' || r.status === 'delivered') c.sent += n;
      else if (r.status === 'suppressed') c.suppressed += n;
      else if (r.status === 'failed') c.failed += n;
    }
    const aud = await this.deps.olap.query<{ campaign_id: string; n: string | number }>(
      `SELECT campaign_id, uniqExact(person_id) AS n FROM ${this.deps.olap.db}.campaign_assignments WHERE campaign_id IN {ids:Array(String)} GROUP BY campaign_id`, { ids },
    );
    for (const r of aud) out.get(r.campaign_id)!.audience = Number(r.n);
    return out;
  }

  /** A campaign's messages, newest first. */
  async messages(id: string, opts: { status?: MessageStatus; limit?: number } = {}): Promise<MessageRow[]> {
    await this.store.get(id);
    const rows = await this.deps.oltp.query<Record<string, any>>(
      `SELECT id, person_id, user_id, channel, arm, locale, status, reason, attempts, not_before, last_error, provider_id, created_at, sent_at, opened_at, clicked_at
       FROM campaign_messages WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id LIMIT $3`,
      [id, opts.status ?? null, opts.limit ?? 100],
    );
    return rows.map((r) => ({
      id: r.id, personId: r.person_id, userId: r.user_id, channel: r.channel, arm: r.arm, locale: r.locale, status: r.status,
      reason: r.reason, attempts: Number(r.attempts), notBefore: new Date(r.not_before).toISOString(), lastError: r.last_error,
      providerId: r.provider_id, createdAt: new Date(r.created_at).toISOString(), sentAt: tsOrNull(r.sent_at), openedAt: tsOrNull(r.opened_at), clickedAt: tsOrNull(r.clicked_at),
    }));
  }
}
