import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { writeModelValues } from '../tags/index.ts';
import { LoyaltyAudit, type AuditSink } from './audit.ts';
import { CouponStore, type IssueResult } from './coupons.ts';
import { earn, type EarnReport } from './earn.ts';
import { PointsLedger, type Outcome } from './ledger.ts';
import { RuleStore } from './rules.ts';
import { SocialGraph } from './social/index.ts';
import { TierStore, type TierChange } from './tiers.ts';

/** How far before a write was reported the live earner looks for its events (received_at). */
const RECEIVED_MARGIN_MS = 10 * 60_000;
/**
 * Under a steady stream of events the earner would run back to back and hold the embedded engine, which
 * answers one query at a time, for most of the time ingestion needs it: after a run of d ms the next starts
 * no sooner than EARN_PACE × d ms later, so earning takes at most a third of the engine. Light traffic keeps
 * runs short and points prompt (earnDelayMs); under load points arrive a few seconds late.
 */
const EARN_PACE = 2;

/** The model tag that carries each member's tier on the profile (src/tags/builtin/basic.ts). */
export const TIER_TAG = 'loyalty_tier';

export interface LoyaltyDeps {
  olap: OlapStore;
  oltp: OltpStore;
  log: Logger;
  timezone: string;
  config: Config['loyalty'];
  /** members of a saved segment (the segment engine), for issuing coupons to a segment */
  segmentMembers?: (segmentId: string) => Promise<string[]>;
  /** the platform's audit log (person subjects pseudonymised); without it loyalty writes audit_log itself */
  audit?: AuditSink;
  /** the clock (tests move it) */
  now?: () => Date;
}

export interface Actor {
  actor: string;
  role: string;
}

/**
 * Loyalty as one engine: the ledger, earning rules, tiers and coupons over the transactional store,
 * earning from the events the writer stores (`changed`, debounced like the live tag refresher), and a
 * maintenance pass (expiry, birthdays, tier re-evaluation, influence scores) on a schedule.
 */
export class LoyaltyEngine {
  readonly ledger: PointsLedger;
  readonly rules: RuleStore;
  readonly tiers: TierStore;
  readonly coupons: CouponStore;
  readonly social: SocialGraph;
  readonly audit: AuditSink;
  readonly now: () => Date;
  private pending = new Set<string>();
  /** when the oldest id still pending was reported (its events were received a little before) */
  private pendingSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** how long the last earning run took: the next waits at least twice that (EARN_PACE) */
  private lastRunMs = 0;
  private interval: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly d: LoyaltyDeps) {
    this.now = d.now ?? (() => new Date());
    this.ledger = new PointsLedger(d.oltp, { expiryMonths: d.config.expiryMonths, timezone: d.timezone, now: this.now });
    this.rules = new RuleStore(d.oltp);
    this.tiers = new TierStore(d.oltp);
    this.audit = d.audit ?? new LoyaltyAudit(d.oltp);
    this.coupons = new CouponStore(d.oltp, this.audit, this.now);
    this.social = new SocialGraph({ olap: d.olap, oltp: d.oltp, now: this.now });
    void this.checkSchema().catch(() => {});
  }

  /**
   * Migration 005 changed while it was first being written; a data dir migrated by one of those early
   * versions lacks later objects. Says so plainly (once, at start) rather than failing later mid-earning.
   */
  private async checkSchema(): Promise<void> {
    const [r] = await this.d.oltp.query<{ influence: string | null; take: string | null; multiplier: number | string }>(
      `SELECT to_regclass('loyalty_influence')::text AS influence, to_regproc('loyalty_take_locked')::text AS take,
              (SELECT count(*) FROM information_schema.columns WHERE table_name = 'loyalty_tiers' AND column_name = 'points_multiplier') AS multiplier`);
    if (r && (!r.influence || !r.take || Number(r.multiplier) === 0)) {
      this.d.log.error('the loyalty tables in this data dir come from an early version of migration 005_loyalty; '
        + 'drop the loyalty_* and coupon* tables and loyalty_* functions and delete schema_migrations version 5 to re-create them (docs/loyalty.md)');
    }
  }

  /** Distinct ids whose events were just stored: their new orders, reviews, shares … earn shortly. */
  changed(ids: Iterable<string>): void {
    if (this.stopped) return;
    this.pendingSince ??= Date.now();
    for (const id of ids) if (id) this.pending.add(id);
    this.kick();
  }

  /** Resolves when everything reported so far has been credited (tests, the build command). */
  async settled(): Promise<void> {
    if (this.pending.size === 0 && !this.running && !this.timer) return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.kick();
    });
  }

  /**
   * Credits what the events of `ids` (or everyone's: catch-up after a bulk import) earn, redeems the
   * coupons their orders carry, then re-evaluates the tiers of the people whose balance changed.
   */
  async earn(o: { ids?: string[]; receivedSince?: Date } = {}): Promise<Omit<EarnReport, 'users'> & { people: number; tierChanges: number }> {
    // tracked, so that stop() (and with it the runtime's close) waits for a catch-up an import started
    const work = this.earnNow(o);
    this.inflight.add(work);
    try {
      return await work;
    } finally {
      this.inflight.delete(work);
    }
  }

  private async earnNow(o: { ids?: string[]; receivedSince?: Date }): Promise<Omit<EarnReport, 'users'> & { people: number; tierChanges: number }> {
    const report = await earn(
      { olap: this.d.olap, oltp: this.d.oltp, ledger: this.ledger, rules: this.rules, coupons: this.coupons, timezone: this.d.timezone, expiryMonths: this.d.config.expiryMonths, log: this.d.log },
      { ids: o.ids, receivedSince: o.receivedSince, now: this.now() },
    );
    const changes = report.users.length ? await this.evaluateTiers(o.ids ? report.users : undefined) : [];
    const { users, ...rest } = report;
    return { ...rest, people: users.length, tierChanges: changes.length };
  }

  /** Re-evaluates tiers (some people, or all) and, when any changed, rewrites the tier profile tag. */
  async evaluateTiers(users?: string[]): Promise<TierChange[]> {
    const changes = await this.tiers.evaluate(this.now(), this.d.config.tierWindowDays, users);
    if (changes.length) await this.syncTierTag();
    return changes;
  }

  /** Writes every member's tier as the `loyalty_tier` model tag (replacing the previous values). */
  async syncTierTag(): Promise<number> {
    const all = await this.tiers.all();
    return writeModelValues(this.d.olap, TIER_TAG, `loyalty_${randomUUID()}`, all.map((a) => ({ personId: a.userId, str: a.tier })));
  }

  /** Expiry, birthday points and every tier (what changes with the passing of time alone); influence scores. */
  async maintain(): Promise<{ expired: { accounts: number; points: number }; earned: Omit<EarnReport, 'users'>; tierChanges: number; influence: Awaited<ReturnType<SocialGraph['compute']>> }> {
    const expired = await this.ledger.expireDue();
    const { users: _users, ...earned } = await earn(
      { olap: this.d.olap, oltp: this.d.oltp, ledger: this.ledger, rules: this.rules, coupons: this.coupons, timezone: this.d.timezone, expiryMonths: this.d.config.expiryMonths },
      { now: this.now(), kinds: ['birthday'] },
    );
    const changes = await this.evaluateTiers();
    const influence = await this.social.compute();
    return { expired, earned, tierChanges: changes.length, influence };
  }

  /** A manual adjustment, audited with the operator and reason in the same breath as the ledger entry. */
  async adjust(userId: string, points: number, reason: string, by: Actor, requestId?: string): Promise<Outcome> {
    const out = await this.ledger.adjust({ userId, points, reason, operator: by.actor, sourceKey: requestId });
    if (out.entryId !== null) {
      // subject 'person': the audit log keeps a keyed pseudonym of the user id, never the id itself
      await this.audit.record({ ...by, action: 'points.adjust', subjectType: 'person', subjectId: userId, details: { points, reason, entryId: out.entryId, balance: out.balance } });
      await this.evaluateTiers([userId]);
    }
    return out;
  }

  /** Issues a template's coupons to the members of a saved segment. */
  async issueToSegment(templateId: string, segmentId: string, by: Actor): Promise<IssueResult> {
    if (!this.d.segmentMembers) throw new Error('segments are not available in this runtime');
    const members = await this.d.segmentMembers(segmentId);
    return this.coupons.issue(templateId, members, { kind: 'segment', ref: segmentId }, by);
  }

  /** Serving: maintenance every `everyMinutes` (and once at start). */
  schedule(everyMinutes = 60): void {
    if (everyMinutes <= 0 || this.interval) return;
    const run = () => void this.maintain().catch((err) => this.d.log.warn({ err }, 'loyalty maintenance failed'));
    this.interval = setInterval(run, everyMinutes * 60_000);
    this.interval.unref();
    setTimeout(run, 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    this.timer = null;
    this.interval = null;
    await this.running;
    await Promise.allSettled([...this.inflight]);
    for (const w of this.waiters.splice(0)) w();
  }

  private kick(): void {
    if (this.timer || this.running || this.stopped) {
      if (this.stopped) for (const w of this.waiters.splice(0)) w();
      return;
    }
    if (this.pending.size === 0) {
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      const ids = [...this.pending].slice(0, 20_000);
      for (const id of ids) this.pending.delete(id);
      // the events just stored, with a margin for a slow flush and the clocks of several API nodes
      const receivedSince = new Date((this.pendingSince ?? Date.now()) - RECEIVED_MARGIN_MS);
      if (this.pending.size === 0) this.pendingSince = null;
      const started = performance.now();
      this.running = this.earn({ ids, receivedSince })
        .then((r) => this.d.log.debug({ ids: ids.length, people: r.people, seconds: r.seconds }, 'loyalty earned'))
        .catch((err) => this.d.log.warn({ err }, 'loyalty earning failed'))
        .finally(() => {
          this.lastRunMs = performance.now() - started;
          this.running = null;
          this.kick();
        });
    }, Math.max(this.d.config.earnDelayMs, EARN_PACE * this.lastRunMs));
  }
}
