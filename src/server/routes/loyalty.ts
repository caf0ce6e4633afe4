import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CouponInputError, ENTRY_KINDS, RuleNotFoundError, TemplateNotFoundError, TierInputError, ruleInput, templateInput, tierInput, type Actor,
} from '../../loyalty/index.ts';
import { SegmentNotFoundError } from '../../segments/index.ts';
import type { Role } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import type { RouteDoc } from '../openapi.ts';
import { actorOf } from './privacy.ts';
import { parse } from '../validate.ts';

const noNul = (s: string) => !s.includes('\u0000');
const userId = z.string().min(1).max(256).refine(noNul, 'must not contain NUL');
const userParams = z.object({ userId });
const codeParams = z.object({ code: z.string().min(1).max(64).refine(noNul, 'must not contain NUL') });
const templateParams = z.object({ id: z.string().min(1).max(64).refine(noNul, 'must not contain NUL') });
const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  before: z.coerce.number().int().min(1).optional(),
  kind: z.enum(ENTRY_KINDS).optional(),
});
const redeemBody = z.strictObject({
  points: z.number().int().min(1).max(100_000_000),
  /** the caller's id for this redemption: a retried request with the same id spends once */
  requestId: z.string().min(1).max(200).refine(noNul, 'must not contain NUL').optional(),
  reason: z.string().min(1).max(500).optional(),
});
const adjustBody = z.strictObject({
  points: z.number().int().min(-100_000_000).max(100_000_000).refine((n) => n !== 0, 'must not be 0'),
  reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(500),
  requestId: z.string().min(1).max(200).refine(noNul, 'must not contain NUL').optional(),
});
const changesQuery = z.object({ userId: userId.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const [r0, r1, r2, r3, r4, r5] = ruleInput.options.map((o) => o.omit({ code: true }));
const rulePut = z.discriminatedUnion('kind', [r0!, r1!, r2!, r3!, r4!, r5!]);
const statusBody = z.strictObject({ status: z.enum(['active', 'paused']) });
const issueBody = z.strictObject({
  userIds: z.array(userId).min(1).max(1_000_000).optional(),
  segmentId: z.string().min(1).max(100).refine(noNul, 'must not contain NUL').optional(),
  /** issue for a campaign: recorded as the issue's target (the audience still comes from userIds or segmentId) */
  campaignId: z.string().min(1).max(100).refine(noNul, 'must not contain NUL').optional(),
});

const graphQuery = z.object({ limit: z.coerce.number().int().min(1).max(2000).default(200) });
const rankQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) });

const bad = (field: string, message: string) => new HttpError(400, 'invalid_request', `${field}: ${message}`, [{ path: field, message }]);
/** Points, earning rules, tiers and coupons (docs/loyalty.md). Reads: viewer; spending and issuing: marketer; rules, tiers and adjustments: admin. */
export function loyaltyRoutes(app: FastifyInstance, ctx: AppContext) {
  const L = () => ctx.rt.loyalty;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TemplateNotFoundError || err instanceof RuleNotFoundError || err instanceof SegmentNotFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof CouponInputError || err instanceof TierInputError) throw bad(`body.${err.field}`, err.message);
      throw err;
    }
  };
  const doc = (d: Omit<RouteDoc, 'tag' | 'auth'>) => ctx.docs.add({ ...d, tag: 'loyalty', auth: 'bearer' });

  app.get(doc({ method: 'GET', url: '/api/v1/loyalty/overview', summary: 'Programme totals: members, points outstanding, points moved in 30 days, tiers, coupons' }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return overview(ctx);
  });

  const balance = doc({ method: 'GET', url: '/api/v1/loyalty/accounts/:userId', summary: 'Balance, lifetime points, tier and points expiring within 30 days', params: userParams });
  app.get(balance.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(userParams, req.params, 'path');
    return L().ledger.balance(p.userId);
  });

  const history = doc({ method: 'GET', url: '/api/v1/loyalty/accounts/:userId/history', summary: 'Ledger entries of an account, newest first (page with before=<entry id>)', params: userParams, query: historyQuery });
  app.get(history.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(userParams, req.params, 'path');
    const q = parse(historyQuery, req.query, 'query');
    const entries = await L().ledger.history(p.userId, q);
    return { userId: p.userId, entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
  });

  const redeem = doc({ method: 'POST', url: '/api/v1/loyalty/accounts/:userId/redeem', summary: 'Spend points (409 when the balance is short; a repeated requestId spends once)', params: userParams, body: redeemBody });
  app.post(redeem.url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const p = parse(userParams, req.params, 'path');
    const b = parse(redeemBody, req.body, 'body');
    const out = await L().ledger.redeem({ userId: p.userId, points: b.points, sourceKey: b.requestId, reason: b.reason });
    if (out.status === 'insufficient') throw new HttpError(409, 'insufficient_points', `the balance is ${out.balance}, less than ${b.points}`);
    await L().evaluateTiers([p.userId]);
    return out;
  });

  const adjust = doc({ method: 'POST', url: '/api/v1/loyalty/accounts/:userId/adjust', summary: 'Manual adjustment with a reason (audited; a downward one cannot overdraw: 409)', params: userParams, body: adjustBody });
  app.post(adjust.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const p = parse(userParams, req.params, 'path');
    const b = parse(adjustBody, req.body, 'body');
    const out = await L().adjust(p.userId, b.points, b.reason, actorOf(req, role), b.requestId);
    if (out.status === 'insufficient') throw new HttpError(409, 'insufficient_points', `the balance is ${out.balance}, less than ${-b.points}`);
    return out;
  });

  const coupons = doc({ method: 'GET', url: '/api/v1/loyalty/accounts/:userId/coupons', summary: 'Coupons issued to a person', params: userParams });
  app.get(coupons.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(userParams, req.params, 'path');
    return { userId: p.userId, coupons: await L().coupons.ofUser(p.userId) };
  });

  app.get(doc({ method: 'GET', url: '/api/v1/loyalty/rules', summary: 'Earning rules' }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { rules: await L().rules.list() };
  });

  const putRule = doc({ method: 'PUT', url: '/api/v1/loyalty/rules/:code', summary: 'Create or change an earning rule (kind, params, caps)', params: codeParams, body: rulePut });
  app.put(putRule.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const p = parse(codeParams, req.params, 'path');
    const b = parse(rulePut, req.body, 'body');
    const input = parse(ruleInput, { ...b, code: p.code }, 'path');
    const by = actorOf(req, role);
    const rule = await L().rules.put(input, by.actor);
    await L().audit.record({ ...by, action: 'loyalty_rule.put', subjectType: 'loyalty_rule', subjectId: p.code, details: { ...input } });
    return rule;
  });

  app.get(doc({ method: 'GET', url: '/api/v1/loyalty/tiers', summary: 'Tiers with thresholds and benefits, members per tier, the rolling window' }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { windowDays: ctx.rt.config.loyalty.tierWindowDays, tiers: await L().tiers.list(), members: await L().tiers.distribution() };
  });

  const putTier = doc({ method: 'PUT', url: '/api/v1/loyalty/tiers/:code', summary: 'Create or change a tier (rank, thresholds, benefits)', params: codeParams, body: tierInput });
  app.put(putTier.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const p = parse(codeParams, req.params, 'path');
    const b = parse(tierInput, { ...(req.body as object), code: p.code }, 'body');
    const tier = await guard(() => L().tiers.put(b));
    await L().audit.record({ ...actorOf(req, role), action: 'loyalty_tier.put', subjectType: 'loyalty_tier', subjectId: p.code, details: { ...b } });
    return tier;
  });

  const changes = doc({ method: 'GET', url: '/api/v1/loyalty/tiers/changes', summary: 'Upgrade and downgrade events, newest first', query: changesQuery });
  app.get(changes.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(changesQuery, req.query, 'query');
    return { changes: await L().tiers.changes(q) };
  });

  app.post(doc({ method: 'POST', url: '/api/v1/loyalty/tiers/evaluate', summary: 'Re-evaluate every member’s tier now' }).url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const c = await L().evaluateTiers();
    return { changes: c.length, upgrades: c.filter((x) => x.direction === 'upgrade').length, downgrades: c.filter((x) => x.direction === 'downgrade').length };
  });

  app.post(doc({ method: 'POST', url: '/api/v1/loyalty/earn', summary: 'Credit everything the stored events earn and is not credited yet (catch-up after a bulk import)' }).url, async (req) => {
    await ctx.authorize(req, 'marketer');
    return L().earn();
  });

  app.post(doc({ method: 'POST', url: '/api/v1/loyalty/maintain', summary: 'Expire what is due, give today’s birthday points, re-evaluate tiers' }).url, async (req) => {
    await ctx.authorize(req, 'marketer');
    return L().maintain();
  });

  app.post(doc({ method: 'POST', url: '/api/v1/loyalty/social/compute', summary: 'Recompute the share graph, influence scores and the KOL tag now' }).url, async (req) => {
    await ctx.authorize(req, 'analyst');
    return L().social.compute();
  });

  const graph = doc({ method: 'GET', url: '/api/v1/loyalty/social/graph', summary: 'The share graph among the most influential people (ECharts graph nodes and links)', query: graphQuery });
  app.get(graph.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(graphQuery, req.query, 'query');
    return L().social.view(q.limit);
  });

  const kols = doc({ method: 'GET', url: '/api/v1/loyalty/social/kols', summary: 'People tagged KOL (达人), by influence', query: rankQuery });
  app.get(kols.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(rankQuery, req.query, 'query');
    return { kols: await L().social.ranking({ limit: q.limit, kolsOnly: true }) };
  });

  const board = doc({ method: 'GET', url: '/api/v1/loyalty/social/leaderboard', summary: 'Referral leaderboard: orders and revenue attributed to each sharer', query: rankQuery });
  app.get(board.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(rankQuery, req.query, 'query');
    return { leaderboard: await L().social.ranking({ limit: q.limit, orderBy: 'orders' }) };
  });

  app.get(doc({ method: 'GET', url: '/api/v1/loyalty/coupons/templates', summary: 'Coupon templates' }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { templates: await L().coupons.templates() };
  });

  const createTpl = doc({ method: 'POST', url: '/api/v1/loyalty/coupons/templates', summary: 'Create a coupon template (amount_off, percent_off, threshold 满减, free_shipping)', body: templateInput });
  app.post(createTpl.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(templateInput, req.body, 'body');
    const t = await guard(() => L().coupons.createTemplate(b, actorOf(req, role)));
    reply.code(201);
    return t;
  });

  const oneTpl = doc({ method: 'GET', url: '/api/v1/loyalty/coupons/templates/:id', summary: 'A template with its redemption stats and cost', params: templateParams });
  app.get(oneTpl.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(templateParams, req.params, 'path');
    return guard(async () => ({ template: await L().coupons.template(p.id), stats: await L().coupons.stats(p.id, ctx.rt.config.timezone) }));
  });

  const statusTpl = doc({ method: 'POST', url: '/api/v1/loyalty/coupons/templates/:id/status', summary: 'Pause or resume issuing a template', params: templateParams, body: statusBody });
  app.post(statusTpl.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const p = parse(templateParams, req.params, 'path');
    const b = parse(statusBody, req.body, 'body');
    return guard(() => L().coupons.setStatus(p.id, b.status, actorOf(req, role)));
  });

  const issue = doc({ method: 'POST', url: '/api/v1/loyalty/coupons/templates/:id/issue', summary: 'Issue coupons to users or a segment’s members (optionally for a campaign), within per-user limits and stock', params: templateParams, body: issueBody });
  app.post(issue.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const p = parse(templateParams, req.params, 'path');
    const b = parse(issueBody, req.body, 'body');
    if (!b.userIds === !b.segmentId) throw bad('body.userIds', 'give userIds or segmentId (one of them)');
    const by = actorOf(req, role);
    return guard(async () => {
      if (b.segmentId && !b.campaignId) return L().issueToSegment(p.id, b.segmentId, by);
      const users = b.userIds ?? (await (await ctx.rt.segments.store.get(b.segmentId!), ctx.rt.segments.memberIds(b.segmentId!)));
      const target = b.campaignId
        ? { kind: 'campaign' as const, ref: b.campaignId }
        : { kind: 'user' as const, ref: users.length === 1 ? users[0]! : `${users.length} users` };
      return L().coupons.issue(p.id, users, target, by);
    });
  });
}

/** The dashboard's headline figures, from the ledger, accounts and coupons. */
async function overview(ctx: AppContext) {
  const db = ctx.rt.oltp;
  const since = new Date(ctx.rt.loyalty.now().getTime() - 30 * 86_400_000).toISOString();
  const [a] = await db.query<{ members: number | string; outstanding: number | string | null }>(
    'SELECT count(*) AS members, sum(balance) AS outstanding FROM loyalty_accounts');
  const moved = await db.query<{ kind: string; n: number | string; points: number | string }>(
    'SELECT kind, count(*) AS n, sum(points) AS points FROM loyalty_ledger WHERE created_at >= $1 GROUP BY kind ORDER BY kind', [since]);
  const byRule = await db.query<{ rule_code: string; points: number | string }>(
    `SELECT rule_code, sum(points) AS points FROM loyalty_ledger WHERE kind = 'earn' AND created_at >= $1 GROUP BY rule_code ORDER BY points DESC`, [since]);
  const [c] = await db.query<{ issued: number | string; redeemed: number | string; cost: number | string | null }>(
    `SELECT count(*) AS issued, count(*) FILTER (WHERE status = 'redeemed') AS redeemed, sum(discount) AS cost FROM coupons`);
  return {
    members: Number(a!.members),
    pointsOutstanding: Number(a!.outstanding ?? 0),
    last30Days: Object.fromEntries(moved.map((m) => [m.kind, { entries: Number(m.n), points: Number(m.points) }])),
    earnedByRule: byRule.map((r) => ({ rule: r.rule_code, points: Number(r.points) })),
    tiers: await ctx.rt.loyalty.tiers.distribution(),
    coupons: { issued: Number(c!.issued), redeemed: Number(c!.redeemed), cost: Number(c!.cost ?? 0) },
  };
}
