import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OltpStore } from '../store/oltp/index.ts';
import type { AuditSink } from './audit.ts';

const money = z.number().min(0).max(1_000_000);

/** A coupon template: what it gives, for how long, to how many. Checked by kind. */
export const templateInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be letters, digits, _ or - (at most 64)').optional(),
  name: z.string().min(1).max(200),
  kind: z.enum(['amount_off', 'percent_off', 'threshold', 'free_shipping']),
  /** amount off (amount_off, threshold), or the shipping it saves (free_shipping) */
  amount: money.nullable().default(null),
  /** percent off (percent_off), 0–100 */
  percent: z.number().gt(0).max(100).nullable().default(null),
  /** the order value (before the coupon) needed to use it; the 满 of 满减 */
  minSpend: money.default(0),
  /** the most a percent coupon takes off */
  maxDiscount: money.nullable().default(null),
  validFrom: z.iso.datetime({ offset: true }).nullable().default(null),
  validUntil: z.iso.datetime({ offset: true }).nullable().default(null),
  /** valid for this many days from issue (within validUntil when both are set) */
  validDays: z.number().int().min(1).max(3650).nullable().default(null),
  perUserLimit: z.number().int().min(1).max(1000).default(1),
  /** how many may be issued in all (null: no limit) */
  stock: z.number().int().min(0).max(100_000_000).nullable().default(null),
}).superRefine((t, ctx) => {
  const need = (field: 'amount' | 'percent', why: string) => ctx.addIssue({ code: 'custom', path: [field], message: why });
  if ((t.kind === 'amount_off' || t.kind === 'threshold') && !(t.amount && t.amount > 0)) need('amount', `is required for a ${t.kind} coupon`);
  if (t.kind === 'threshold' && !(t.minSpend > 0)) ctx.addIssue({ code: 'custom', path: ['minSpend'], message: 'a threshold (满减) coupon needs minSpend > 0' });
  if (t.kind === 'percent_off' && t.percent === null) need('percent', 'is required for a percent_off coupon');
  if (t.kind !== 'percent_off' && t.percent !== null) need('percent', `only a percent_off coupon takes a percent`);
  if (t.validFrom && t.validUntil && Date.parse(t.validUntil) <= Date.parse(t.validFrom)) ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'must be after validFrom' });
});
export type TemplateInput = z.output<typeof templateInput>;

export interface CouponTemplate extends Omit<TemplateInput, 'id'> {
  id: string;
  issued: number;
  status: 'active' | 'paused';
  createdBy: string;
  createdAt: string;
}

export interface IssueResult {
  issueId: string;
  templateId: string;
  target: 'user' | 'segment' | 'campaign';
  targetRef: string;
  requested: number;
  issued: number;
  /** people who already hold as many as the per-user limit allows */
  overLimit: number;
  /** people left without one because the stock ran out */
  outOfStock: number;
  /** the codes issued (only when 100 or fewer) */
  codes?: { userId: string; code: string }[];
}

export interface TemplateStats {
  templateId: string;
  issued: number;
  redeemed: number;
  redemptionRate: number | null;
  /** the discounts granted: what the coupons cost */
  cost: number;
  /** order value paid on redeemed orders */
  revenue: number;
  avgDiscount: number | null;
  stockLeft: number | null;
  issues: Omit<IssueResult, 'codes'>[];
  daily: { date: string; redeemed: number; cost: number }[];
}

export class TemplateNotFoundError extends Error {}
export class CouponInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

// no 0/O, 1/I/L: codes are read aloud and typed
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export function couponCode(): string {
  const b = randomBytes(10);
  let s = '';
  for (const x of b) s += ALPHABET[x % ALPHABET.length];
  return s;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toTemplate(r: Record<string, unknown>): CouponTemplate {
  return {
    id: r.id as string, name: r.name as string, kind: r.kind as CouponTemplate['kind'], amount: num(r.amount), percent: num(r.percent),
    minSpend: Number(r.min_spend), maxDiscount: num(r.max_discount), validFrom: iso(r.valid_from), validUntil: iso(r.valid_until),
    validDays: num(r.valid_days), perUserLimit: Number(r.per_user_limit), stock: num(r.stock), issued: Number(r.issued),
    status: r.status as 'active' | 'paused', createdBy: r.created_by as string, createdAt: iso(r.created_at)!,
  };
}

/**
 * Coupons: templates, issuing (to users, a segment's members, or for a campaign) within per-user limits
 * and stock, redemption by code when an `Order Completed` carries it, and what they cost.
 */
export class CouponStore {
  constructor(
    private readonly db: OltpStore,
    private readonly audit: AuditSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createTemplate(t: TemplateInput, by: { actor: string; role: string }): Promise<CouponTemplate> {
    const id = t.id ?? `ct_${randomUUID().slice(0, 8)}`;
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<Record<string, unknown>>(
        `INSERT INTO coupon_templates (id, name, kind, amount, percent, min_spend, max_discount, valid_from, valid_until, valid_days, per_user_limit, stock, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [id, t.name, t.kind, t.amount, t.percent, t.minSpend, t.maxDiscount, t.validFrom, t.validUntil, t.validDays, t.perUserLimit, t.stock, by.actor],
      );
      if (!rows[0]) throw new CouponInputError('id', `a coupon template '${id}' already exists`);
      await this.audit.record({ ...by, action: 'coupon_template.create', subjectType: 'coupon_template', subjectId: id, details: { ...t, id } }, tx);
      return toTemplate(rows[0]);
    });
  }

  async templates(): Promise<CouponTemplate[]> {
    return (await this.db.query<Record<string, unknown>>('SELECT * FROM coupon_templates ORDER BY created_at DESC, id')).map(toTemplate);
  }

  async template(id: string): Promise<CouponTemplate> {
    const [r] = await this.db.query<Record<string, unknown>>('SELECT * FROM coupon_templates WHERE id = $1', [id]);
    if (!r) throw new TemplateNotFoundError(`no coupon template '${id}'`);
    return toTemplate(r);
  }

  async setStatus(id: string, status: 'active' | 'paused', by: { actor: string; role: string }): Promise<CouponTemplate> {
    return this.db.transaction(async (tx) => {
      const [r] = await tx.query<Record<string, unknown>>('UPDATE coupon_templates SET status = $2 WHERE id = $1 RETURNING *', [id, status]);
      if (!r) throw new TemplateNotFoundError(`no coupon template '${id}'`);
      await this.audit.record({ ...by, action: `coupon_template.${status === 'paused' ? 'pause' : 'resume'}`, subjectType: 'coupon_template', subjectId: id }, tx);
      return toTemplate(r);
    });
  }

  /**
   * Issues one coupon of the template to each of `userIds` (duplicates count once) who holds fewer than
   * the per-user limit, while stock lasts. The template row is locked for the whole issue, so two issues
   * racing for the last coupons cannot oversell, and the limit holds under concurrency.
   */
  async issue(templateId: string, userIds: readonly string[], target: { kind: 'user' | 'segment' | 'campaign'; ref: string }, by: { actor: string; role: string }): Promise<IssueResult> {
    const users = [...new Set(userIds)];
    const now = this.now();
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<Record<string, unknown>>('SELECT * FROM coupon_templates WHERE id = $1 FOR UPDATE', [templateId]);
      if (!row) throw new TemplateNotFoundError(`no coupon template '${templateId}'`);
      const t = toTemplate(row);
      if (t.status !== 'active') throw new CouponInputError('templateId', `coupon template '${templateId}' is paused`);
      if (t.validUntil && Date.parse(t.validUntil) <= now.getTime()) throw new CouponInputError('templateId', `coupon template '${templateId}' expired at ${t.validUntil}`);
      const held = new Map<string, number>();
      for (let i = 0; i < users.length; i += 50_000) {
        const rows = await tx.query<{ user_id: string; n: number | string }>(
          'SELECT user_id, count(*) AS n FROM coupons WHERE template_id = $1 AND user_id = ANY($2::text[]) GROUP BY user_id', [templateId, users.slice(i, i + 50_000)]);
        for (const r of rows) held.set(r.user_id, Number(r.n));
      }
      const eligible = users.filter((u) => (held.get(u) ?? 0) < t.perUserLimit);
      const left = t.stock === null ? eligible.length : Math.max(0, t.stock - t.issued);
      const chosen = eligible.slice(0, left);
      const from = new Date(Math.max(now.getTime(), t.validFrom ? Date.parse(t.validFrom) : 0));
      let until = t.validDays ? new Date(now.getTime() + t.validDays * 86_400_000) : null;
      if (t.validUntil && (!until || Date.parse(t.validUntil) < until.getTime())) until = new Date(t.validUntil);
      const issueId = `ci_${randomUUID()}`;
      const result: IssueResult = {
        issueId, templateId, target: target.kind, targetRef: target.ref, requested: users.length, issued: chosen.length,
        overLimit: users.length - eligible.length, outOfStock: eligible.length - chosen.length,
      };
      await tx.query(
        `INSERT INTO coupon_issues (id, template_id, target, target_ref, requested, issued, over_limit, out_of_stock, issued_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [issueId, templateId, target.kind, target.ref, result.requested, result.issued, result.overLimit, result.outOfStock, by.actor, now.toISOString()],
      );
      const codes = chosen.map(() => couponCode());
      for (let i = 0; i < chosen.length; i += 20_000) {
        await tx.query(
          `INSERT INTO coupons (code, template_id, issue_id, user_id, issued_at, valid_from, valid_until)
           SELECT c, $1, $2, u, $3, $4, $5 FROM unnest($6::text[], $7::text[]) AS x (c, u)`,
          [templateId, issueId, now.toISOString(), from.toISOString(), until?.toISOString() ?? null, codes.slice(i, i + 20_000), chosen.slice(i, i + 20_000)],
        );
      }
      await tx.query('UPDATE coupon_templates SET issued = issued + $2 WHERE id = $1', [templateId, chosen.length]);
      // an issue to one person is recorded against the person (the audit log keeps a pseudonym of a person
      // subject, never the id), so the log does not name them after an erasure
      const { targetRef, ...counts } = result;
      await this.audit.record(target.kind === 'user'
        ? { ...by, action: 'coupon.issue', subjectType: 'person', subjectId: targetRef, details: counts }
        : { ...by, action: 'coupon.issue', subjectType: 'coupon_template', subjectId: templateId, details: { ...result } }, tx);
      if (chosen.length <= 100) result.codes = chosen.map((u, i) => ({ userId: u, code: codes[i]! }));
      return result;
    });
  }

  /** A person's coupons, newest first. */
  async ofUser(userId: string): Promise<{ code: string; templateId: string; status: string; validFrom: string; validUntil: string | null; redeemedAt: string | null; orderId: string | null }[]> {
    const rows = await this.db.query<Record<string, unknown>>('SELECT * FROM coupons WHERE user_id = $1 ORDER BY issued_at DESC, code LIMIT 500', [userId]);
    return rows.map((r) => ({
      code: r.code as string, templateId: r.template_id as string, status: r.status as string, validFrom: iso(r.valid_from)!, validUntil: iso(r.valid_until),
      redeemedAt: iso(r.redeemed_at), orderId: (r.order_id as string | null) ?? null,
    }));
  }

  /**
   * Redeems the codes that orders carry: a code counts once, for the person it was issued to, inside its
   * validity and when the order reached the template's minimum spend. The discount recorded is what the
   * order says it got, else what the template gives on that order. Returns how many were redeemed.
   */
  async redeemOrders(orders: readonly { person: string; orderKey: string; at: Date; revenue: number; coupon: string; discount: number }[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < orders.length; i += 10_000) {
      const part = orders.slice(i, i + 10_000);
      const rows = await this.db.query<{ code: string }>(
        `UPDATE coupons c SET status = 'redeemed', redeemed_at = o.at, order_id = o.order_id, order_amount = o.amount,
           discount = CASE WHEN o.discount > 0 THEN o.discount
                           WHEN t.kind = 'percent_off' THEN LEAST(coalesce(t.max_discount, 1e9), round((o.amount + o.discount) * t.percent / 100, 2))
                           ELSE coalesce(t.amount, 0) END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::numeric[], $6::numeric[]) AS o (code, user_id, order_id, at, amount, discount),
              coupon_templates t
         WHERE c.code = o.code AND c.user_id = o.user_id AND c.status = 'issued' AND t.id = c.template_id
           AND c.valid_from <= o.at AND (c.valid_until IS NULL OR c.valid_until > o.at) AND o.amount + o.discount >= t.min_spend
         RETURNING c.code`,
        [part.map((o) => o.coupon.trim().toUpperCase()), part.map((o) => o.person), part.map((o) => o.orderKey), part.map((o) => o.at.toISOString()),
          part.map((o) => o.revenue), part.map((o) => o.discount)],
      );
      n += rows.length;
    }
    return n;
  }

  /** Issued, redeemed, rate, cost and revenue of a template, per issue and per day of redemption (shop time). */
  async stats(templateId: string, timezone: string): Promise<TemplateStats> {
    const t = await this.template(templateId);
    const [s] = await this.db.query<{ issued: string | number; redeemed: string | number; cost: string | null; revenue: string | null }>(
      `SELECT count(*) AS issued, count(*) FILTER (WHERE status = 'redeemed') AS redeemed,
              coalesce(sum(discount), 0) AS cost, coalesce(sum(order_amount), 0) AS revenue
       FROM coupons WHERE template_id = $1`, [templateId]);
    const issues = await this.db.query<Record<string, unknown>>('SELECT * FROM coupon_issues WHERE template_id = $1 ORDER BY at DESC LIMIT 100', [templateId]);
    const daily = await this.db.query<{ d: string; n: string | number; cost: string }>(
      `SELECT to_char(redeemed_at AT TIME ZONE $2, 'YYYY-MM-DD') AS d, count(*) AS n, sum(discount) AS cost
       FROM coupons WHERE template_id = $1 AND status = 'redeemed' GROUP BY d ORDER BY d`, [templateId, timezone]);
    const issued = Number(s!.issued);
    const redeemed = Number(s!.redeemed);
    const cost = Number(s!.cost);
    return {
      templateId, issued, redeemed, redemptionRate: issued ? redeemed / issued : null,
      cost, revenue: Number(s!.revenue), avgDiscount: redeemed ? cost / redeemed : null,
      stockLeft: t.stock === null ? null : t.stock - t.issued,
      issues: issues.map((r) => ({
        issueId: r.id as string, templateId, target: r.target as IssueResult['target'], targetRef: r.target_ref as string,
        requested: Number(r.requested), issued: Number(r.issued), overLimit: Number(r.over_limit), outOfStock: Number(r.out_of_stock),
      })),
      daily: daily.map((d) => ({ date: d.d, redeemed: Number(d.n), cost: Number(d.cost) })),
    };
  }
}
