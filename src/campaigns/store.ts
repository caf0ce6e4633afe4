import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../privacy/audit.ts';
import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';
import { assertTransition, CampaignLockedError, EDITABLE } from './status.ts';
import { CAMPAIGN_STATUSES, CHANNELS, CONTROL_ARM, type Campaign, type CampaignStatus } from './types.ts';

const noNul = (s: string) => !s.includes('\u0000');
const text = (max: number) => z.string().min(1).max(max).refine(noNul, 'must not contain NUL');
const localized = z.strictObject({ 'zh-CN': z.string().max(20_000).optional(), en: z.string().max(20_000).optional() });

export const audienceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('segment'), segmentId: text(100) }),
  z.strictObject({ kind: z.literal('lookalike'), segmentId: text(100), size: z.number().int().min(1).max(10_000) }),
  z.strictObject({ kind: z.literal('list'), userIds: z.array(text(256)).min(1).max(1_000_000) }),
]);

export const contentSchema = z.strictObject({
  subject: localized.optional(),
  body: localized.refine((b) => Boolean(b['zh-CN'] || b.en), 'give the body in zh-CN or en'),
  url: z.url().optional(),
  recommendations: z.number().int().min(0).max(20).optional(),
  coupon: z.strictObject({ value: z.number().positive().max(100_000), category: text(100).optional(), validDays: z.number().int().min(1).max(365) }).optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');
export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('now') }),
  z.strictObject({ kind: z.literal('at'), at: z.iso.datetime({ offset: true }) }),
  z.strictObject({
    kind: z.literal('recurring'), every: z.enum(['day', 'week']), at: hhmm,
    weekday: z.number().int().min(0).max(6).optional(), until: z.iso.datetime({ offset: true }).optional(),
  }).refine((s) => s.every === 'day' || s.weekday !== undefined, { message: 'a weekly schedule needs a weekday (0 = Sunday … 6)', path: ['weekday'] }),
]);

const variantSchema = z.strictObject({
  name: z.string().min(1).max(40).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').refine((n) => n !== CONTROL_ARM, `'${CONTROL_ARM}' names the holdout group`),
  weight: z.number().positive().max(1000),
  content: contentSchema,
});

/** A campaign as it is created (POST) — everything but the status and timestamps; `id` optional. */
export const campaignInput = z.strictObject({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').optional(),
  name: text(200),
  owner: text(200),
  channel: z.enum(CHANNELS),
  audience: audienceSchema,
  goal: z.strictObject({ event: text(100).default('Order Completed'), windowDays: z.number().int().min(1).max(90).default(7), category: text(100).optional() })
    .prefault({}),
  variants: z.array(variantSchema).min(1).max(10)
    .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, 'variant names must differ'),
  experiment: z.strictObject({
    holdout: z.number().min(0).max(0.9).default(0.1),
    autoWinner: z.strictObject({ metric: z.enum(['ctr', 'cvr', 'gmv']), minSample: z.number().int().min(10).max(10_000_000) }).optional(),
  }).prefault({}),
  schedule: scheduleSchema.default({ kind: 'now' }),
  budget: z.strictObject({ maxSends: z.number().int().min(1).optional(), couponBudget: z.number().positive().optional() }).default({}),
  sendTimeOptimisation: z.boolean().default(false),
});
export type CampaignInput = z.input<typeof campaignInput>;

/** A change (PATCH): any field of the definition. */
export const campaignPatch = campaignInput.omit({ id: true }).partial();
export type CampaignPatch = z.input<typeof campaignPatch>;

/** A stored campaign: the shared shape plus what the engine keeps about it. */
export interface StoredCampaign extends Campaign {
  /** the variant the automatic winner rule chose; all later treated people get it */
  winner: string | null;
  /** when the scheduler starts the next run */
  nextRunAt: string | null;
}

export interface CampaignChange {
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
  at: string;
}

/** Who made a change: an API token id (`tok_…`), `cli:<user>`, or `system`. */
export type By = string | { actor: string; role?: string };
const actorOf = (by: By) => (typeof by === 'string' ? { actor: by, role: 'system' } : { actor: by.actor, role: by.role ?? 'system' });

export class CampaignNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no campaign '${id}'`);
  }
}
export class CampaignExistsError extends Error {
  constructor(readonly id: string) {
    super(`campaign '${id}' exists already`);
  }
}

interface Row {
  id: string; name: string; owner: string; status: CampaignStatus; channel: Campaign['channel'];
  audience: unknown; goal: unknown; variants: unknown; experiment: unknown; schedule: unknown; budget: unknown;
  send_time_optimisation: boolean; next_run_at: Date | string | null; winner: string | null;
  created_at: Date | string; updated_at: Date | string;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: Date | string) => new Date(v).toISOString();

function toCampaign(r: Row): StoredCampaign {
  return {
    id: r.id, name: r.name, owner: r.owner, status: r.status, channel: r.channel,
    audience: json(r.audience), goal: json(r.goal), variants: json(r.variants), experiment: json(r.experiment),
    schedule: json(r.schedule), budget: json(r.budget), sendTimeOptimisation: r.send_time_optimisation,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
    winner: r.winner, nextRunAt: r.next_run_at ? iso(r.next_run_at) : null,
  };
}

/** The definition fields a change record keeps (an uploaded list of a million ids is summarised). */
function snapshot(c: StoredCampaign): Record<string, unknown> {
  const audience = c.audience.kind === 'list' && c.audience.userIds.length > 100
    ? { kind: 'list', userIds: c.audience.userIds.length }
    : c.audience;
  return { ...c, audience };
}

/**
 * Campaign definitions in Postgres (table `campaigns`), their status machine (status.ts) and the
 * append-only change history (`campaign_changes`: actor, action, before, after). Status changes are also
 * written to the privacy audit log, in the same transaction.
 */
export class CampaignStore {
  constructor(
    private readonly db: OltpStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CampaignInput, by: By): Promise<StoredCampaign> {
    const c = campaignInput.parse(input);
    const id = c.id ?? `cmp_${randomUUID().slice(0, 8)}`;
    const at = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<Row>(
        `INSERT INTO campaigns (id, name, owner, status, channel, audience, goal, variants, experiment, schedule, budget, send_time_optimisation, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [id, c.name, c.owner, c.channel, JSON.stringify(c.audience), JSON.stringify(c.goal), JSON.stringify(c.variants),
          JSON.stringify(c.experiment), JSON.stringify(c.schedule), JSON.stringify(c.budget), c.sendTimeOptimisation, at],
      );
      if (!rows[0]) throw new CampaignExistsError(id);
      const created = toCampaign(rows[0]);
      await this.record(tx, id, by, 'create', null, snapshot(created));
      await this.audit.record({ ...actorOf(by), action: 'campaign.create', subjectType: 'campaign', subjectId: id, details: { name: c.name, channel: c.channel } }, tx);
      return created;
    });
  }

  async get(id: string, tx: SqlExecutor = this.db): Promise<StoredCampaign> {
    const [r] = await tx.query<Row>('SELECT * FROM campaigns WHERE id = $1', [id]);
    if (!r) throw new CampaignNotFoundError(id);
    return toCampaign(r);
  }

  async list(opts: { status?: CampaignStatus } = {}): Promise<StoredCampaign[]> {
    const rows = opts.status
      ? await this.db.query<Row>('SELECT * FROM campaigns WHERE status = $1 ORDER BY created_at DESC, id', [opts.status])
      : await this.db.query<Row>('SELECT * FROM campaigns ORDER BY created_at DESC, id');
    return rows.map(toCampaign);
  }

  /** Changes the definition; only while draft, scheduled or paused. */
  async update(id: string, patch: CampaignPatch, by: By): Promise<StoredCampaign> {
    const parsed = campaignPatch.parse(patch);
    // only the fields the patch names (a default inside the schema must not reset a field left out)
    const p = Object.fromEntries(Object.entries(parsed).filter(([k]) => k in patch)) as typeof parsed;
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.query<Row>('SELECT * FROM campaigns WHERE id = $1 FOR UPDATE', [id]);
      if (!locked) throw new CampaignNotFoundError(id);
      const before = toCampaign(locked);
      if (!EDITABLE.includes(before.status)) throw new CampaignLockedError(id, before.status);
      const next = { ...before, ...p };
      const rows = await tx.query<Row>(
        `UPDATE campaigns SET name = $2, owner = $3, channel = $4, audience = $5, goal = $6, variants = $7, experiment = $8,
           schedule = $9, budget = $10, send_time_optimisation = $11, updated_at = $12 WHERE id = $1 RETURNING *`,
        [id, next.name, next.owner, next.channel, JSON.stringify(next.audience), JSON.stringify(next.goal), JSON.stringify(next.variants),
          JSON.stringify(next.experiment), JSON.stringify(next.schedule), JSON.stringify(next.budget), next.sendTimeOptimisation, this.now().toISOString()],
      );
      const after = toCampaign(rows[0]!);
      await this.record(tx, id, by, 'update', snapshot(before), snapshot(after));
      await this.audit.record({ ...actorOf(by), action: 'campaign.update', subjectType: 'campaign', subjectId: id, details: { fields: Object.keys(p) } }, tx);
      return after;
    });
  }

  /**
   * Moves a campaign to another status (status.ts says which moves are allowed; an InvalidTransitionError
   * names from → to otherwise). `nextRunAt` is set with it (null clears it).
   */
  async transition(id: string, to: CampaignStatus, by: By, opts: { nextRunAt?: Date | null; reason?: string } = {}): Promise<StoredCampaign> {
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.query<Row>('SELECT * FROM campaigns WHERE id = $1 FOR UPDATE', [id]);
      if (!locked) throw new CampaignNotFoundError(id);
      const before = toCampaign(locked);
      assertTransition(id, before.status, to);
      const nextRunAt = opts.nextRunAt === undefined ? before.nextRunAt : opts.nextRunAt?.toISOString() ?? null;
      const rows = await tx.query<Row>(
        'UPDATE campaigns SET status = $2, next_run_at = $3, updated_at = $4 WHERE id = $1 RETURNING *',
        [id, to, nextRunAt, this.now().toISOString()],
      );
      const after = toCampaign(rows[0]!);
      const change = { status: before.status, nextRunAt: before.nextRunAt };
      await this.record(tx, id, by, `status.${to}`, change, { status: to, nextRunAt: after.nextRunAt, ...(opts.reason ? { reason: opts.reason } : {}) });
      await this.audit.record({
        ...actorOf(by), action: 'campaign.status', subjectType: 'campaign', subjectId: id,
        details: { from: before.status, to, ...(opts.reason ? { reason: opts.reason } : {}) },
      }, tx);
      return after;
    });
  }

  /** Sets (or clears) the winning variant: every treated person of later runs gets it. */
  async setWinner(id: string, winner: string | null, by: By): Promise<StoredCampaign> {
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.query<Row>('SELECT * FROM campaigns WHERE id = $1 FOR UPDATE', [id]);
      if (!locked) throw new CampaignNotFoundError(id);
      const before = toCampaign(locked);
      if (winner !== null && !before.variants.some((v) => v.name === winner)) throw new Error(`campaign '${id}' has no variant '${winner}'`);
      const rows = await tx.query<Row>('UPDATE campaigns SET winner = $2, updated_at = $3 WHERE id = $1 RETURNING *', [id, winner, this.now().toISOString()]);
      await this.record(tx, id, by, 'winner', { winner: before.winner }, { winner });
      await this.audit.record({ ...actorOf(by), action: 'campaign.winner', subjectType: 'campaign', subjectId: id, details: { winner } }, tx);
      return toCampaign(rows[0]!);
    });
  }

  /** Scheduled campaigns whose next run is due at `now`. */
  async due(now: Date): Promise<StoredCampaign[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM campaigns WHERE status = 'scheduled' AND next_run_at <= $1 ORDER BY next_run_at, id`, [now.toISOString()],
    );
    return rows.map(toCampaign);
  }

  async changes(id: string, limit = 200): Promise<CampaignChange[]> {
    await this.get(id);
    const rows = await this.db.query<{ actor: string; action: string; before: unknown; after: unknown; at: Date | string }>(
      'SELECT actor, action, before, after, at FROM campaign_changes WHERE campaign_id = $1 ORDER BY id DESC LIMIT $2', [id, limit],
    );
    return rows.map((r) => ({ actor: r.actor, action: r.action, before: json(r.before), after: json(r.after), at: iso(r.at) }));
  }

  /** Appends one change record (the engine records runs and other actions through it too). */
  async record(tx: SqlExecutor, id: string, by: By, action: string, before: unknown, after: unknown): Promise<void> {
    await tx.query(
      'INSERT INTO campaign_changes (campaign_id, actor, action, before, after, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, actorOf(by).actor, action, before === null ? null : JSON.stringify(before), after === null ? null : JSON.stringify(after), this.now().toISOString()],
    );
  }
}
