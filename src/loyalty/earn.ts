import type { Logger } from 'pino';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { CouponStore } from './coupons.ts';
import type { Outcome, PointsLedger } from './ledger.ts';
import { orderPoints, type EarnRule, type RuleKind, type RuleStore } from './rules.ts';
import { birthdaySources, inviteSources, orderSources, refundSources, reviewSources, shareVisitSources, signInSources, type Scope } from './sources.ts';
import { addMonths, shopDate } from './time.ts';

export interface EarnDeps {
  olap: OlapStore;
  oltp: OltpStore;
  ledger: PointsLedger;
  rules: RuleStore;
  coupons: CouponStore;
  timezone: string;
  expiryMonths: number;
  log?: Logger;
}

export interface EarnReport {
  /** per rule: entries written, points credited, sources that were capped to nothing */
  rules: Record<string, { entries: number; points: number; capped: number }>;
  reversals: number;
  reversedPoints: number;
  couponsRedeemed: number;
  /** people whose balance changed (tiers re-evaluate for them) */
  users: string[];
  seconds: number;
}

/** Runs `fn` over `items` with at most `n` in flight (a Postgres server takes them in parallel). */
async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/**
 * Earning: reads the sources in ClickHouse (sources.ts), drops those the ledger already has, and credits
 * the rest through the ledger (which makes each source earn exactly once even when two runs race). Orders
 * go first so a refund in the same run finds what the order earned; coupon codes on orders are redeemed
 * in the same pass.
 */
export async function earn(deps: EarnDeps, o: { ids?: string[]; receivedSince?: Date; now?: Date; kinds?: RuleKind[] } = {}): Promise<EarnReport> {
  const started = performance.now();
  const now = o.now ?? deps.ledger.now();
  const scope: Scope = { ids: o.ids, receivedSince: o.receivedSince, since: deps.expiryMonths > 0 ? addMonths(now, -deps.expiryMonths) : new Date(0) };
  const rules = (await deps.rules.active()).filter((r) => !o.kinds || o.kinds.includes(r.kind));
  const orderPass = !o.kinds || o.kinds.includes('order_spend');
  const report: EarnReport = { rules: {}, reversals: 0, reversedPoints: 0, couponsRedeemed: 0, users: [], seconds: 0 };
  const users = new Set<string>();
  const tally = (rule: EarnRule, out: Outcome, user: string) => {
    const t = (report.rules[rule.code] ??= { entries: 0, points: 0, capped: 0 });
    if (out.entryId !== null) t.entries++, (t.points += out.points), users.add(user);
    else if (out.status === 'capped') t.capped++;
  };
  const caps = (r: EarnRule) => ({ daily: r.dailyCap, monthly: r.monthlyCap });
  const ofKind = <K extends EarnRule['kind']>(k: K) => rules.filter((r): r is Extract<EarnRule, { kind: K }> => r.kind === k);

  const orderRules = ofKind('order_spend');
  const orders = orderPass ? await orderSources(deps.olap, scope) : [];
  if (orders.length) {
    const withCoupon = orders.filter((x) => x.coupon);
    if (withCoupon.length) report.couponsRedeemed = await deps.coupons.redeemOrders(withCoupon);
  }
  for (const rule of orderRules) {
    const fresh = await unseen(deps.oltp, rule.code, orders.map((x) => x.orderKey));
    const todo = orders.filter((x) => fresh.has(x.orderKey));
    // the member's tier (as it stands when the order is credited) multiplies its order points
    const multiplier = await tierMultipliers(deps.oltp, [...new Set(todo.map((x) => x.person))]);
    await pool(todo, 8, async (x) => {
      const m = multiplier.get(x.person) ?? 1;
      const points = Math.floor(orderPoints(rule.params, x.revenue, x.lines) * m + 1e-9);
      if (points <= 0) return;
      tally(rule, await deps.ledger.earn({
        userId: x.person, points, rule: rule.code, sourceKey: x.orderKey, occurredAt: x.at, amount: x.revenue, caps: caps(rule),
        details: m !== 1 ? { tierMultiplier: m } : undefined,
      }), x.person);
    });
  }

  const refunds = orderPass ? await refundSources(deps.olap, scope) : [];
  if (refunds.length) {
    const done = await seenKeys(deps.oltp, 'reverse', refunds.map((r) => r.refundKey));
    const todo = refunds.filter((r) => !done.has(r.refundKey));
    const earned = await deps.oltp.query<{ user_id: string; rule_code: string; source_key: string; points: number; amount: string | null }>(
      `SELECT user_id, rule_code, source_key, points, amount FROM loyalty_ledger WHERE kind = 'earn' AND source_key = ANY($1::text[])`,
      [[...new Set(todo.map((r) => r.orderId))]],
    );
    for (const r of todo) {
      for (const e of earned.filter((x) => x.source_key === r.orderId)) {
        const amount = Number(e.amount ?? 0);
        const share = r.amount > 0 && amount > 0 ? Math.min(1, r.amount / amount) : 1;
        const out = await deps.ledger.reverse({
          userId: e.user_id, rule: e.rule_code, earnedKey: r.orderId, sourceKey: r.refundKey, points: Math.round(Number(e.points) * share), occurredAt: r.at,
          details: { refunded: r.amount || null },
        });
        if (out.entryId !== null) report.reversals++, (report.reversedPoints -= out.points), users.add(e.user_id);
      }
    }
  }

  const reviewRules = ofKind('review');
  if (reviewRules.length) {
    const reviews = await reviewSources(deps.olap, scope);
    for (const rule of reviewRules) {
      const fresh = await unseen(deps.oltp, rule.code, reviews.map((x) => x.key));
      await pool(reviews.filter((x) => fresh.has(x.key) && x.length >= rule.params.minLength), 8, async (x) => {
        tally(rule, await deps.ledger.earn({ userId: x.person, points: rule.params.points, rule: rule.code, sourceKey: x.key, occurredAt: x.at, caps: caps(rule), details: { length: x.length } }), x.person);
      });
    }
  }

  const shareRules = ofKind('share_visit');
  if (shareRules.length) {
    const visits = await shareVisitSources(deps.olap, scope);
    for (const rule of shareRules) {
      const fresh = await unseen(deps.oltp, rule.code, visits.map((x) => x.shareId));
      await pool(visits.filter((x) => fresh.has(x.shareId)), 8, async (x) => {
        tally(rule, await deps.ledger.earn({ userId: x.sharer, points: rule.params.points, rule: rule.code, sourceKey: x.shareId, occurredAt: x.at, caps: caps(rule) }), x.sharer);
      });
    }
  }

  for (const rule of ofKind('sign_in')) {
    const days = await signInSources(deps.olap, scope, rule.params.event, deps.timezone);
    const key = (x: { person: string; date: string }) => `${x.person}:${x.date}`;
    const fresh = await unseen(deps.oltp, rule.code, days.map(key));
    await pool(days.filter((x) => fresh.has(key(x))), 8, async (x) => {
      tally(rule, await deps.ledger.earn({ userId: x.person, points: rule.params.points, rule: rule.code, sourceKey: key(x), occurredAt: x.at, caps: caps(rule) }), x.person);
    });
  }

  const fissionRules = ofKind('fission');
  if (fissionRules.length) {
    const invites = await inviteSources(deps.olap, scope);
    for (const rule of fissionRules) {
      // one reward per `invites` different people brought in: milestones 3, 6, 9 … each earn once
      const milestones = invites.flatMap((x) => Array.from({ length: Math.floor(x.invited / rule.params.invites) }, (_, k) => ({ ...x, key: `${x.sharer}:${(k + 1) * rule.params.invites}` })));
      const fresh = await unseen(deps.oltp, rule.code, milestones.map((m) => m.key));
      await pool(milestones.filter((m) => fresh.has(m.key)), 8, async (m) => {
        tally(rule, await deps.ledger.earn({ userId: m.sharer, points: rule.params.points, rule: rule.code, sourceKey: m.key, occurredAt: m.at, caps: caps(rule), details: { invited: m.invited } }), m.sharer);
      });
    }
  }

  const birthdayRules = ofKind('birthday');
  if (birthdayRules.length) {
    const today = shopDate(now, deps.timezone);
    const md = [today.slice(5)];
    const year = Number(today.slice(0, 4));
    // 29 February birthdays are celebrated on 28 February in common years
    if (md[0] === '02-28' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) md.push('02-29');
    const people = await birthdaySources(deps.olap, scope, md);
    for (const rule of birthdayRules) {
      const key = (p: string) => `${p}:${year}`;
      const fresh = await unseen(deps.oltp, rule.code, people.map(key));
      await pool(people.filter((p) => fresh.has(key(p))), 8, async (p) => {
        tally(rule, await deps.ledger.earn({ userId: p, points: rule.params.points, rule: rule.code, sourceKey: key(p), occurredAt: now, caps: caps(rule) }), p);
      });
    }
  }

  report.users = [...users];
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Members' current tier multipliers (only those other than 1). */
async function tierMultipliers(db: OltpStore, users: string[]): Promise<Map<string, number>> {
  if (users.length === 0) return new Map();
  const rows = await db.query<{ user_id: string; m: string | number }>(
    `SELECT a.user_id, t.points_multiplier AS m FROM loyalty_accounts a JOIN loyalty_tiers t ON t.code = a.tier
     WHERE a.user_id = ANY($1::text[]) AND t.points_multiplier <> 1`, [users]);
  return new Map(rows.map((r) => [r.user_id, Number(r.m)]));
}

/** The keys among `keys` that the rule has not earned from yet. */
async function unseen(db: OltpStore, rule: string, keys: string[]): Promise<Set<string>> {
  const fresh = new Set(keys);
  if (fresh.size === 0) return fresh;
  const have = await db.query<{ source_key: string }>(
    `SELECT source_key FROM loyalty_ledger WHERE kind = 'earn' AND rule_code = $1 AND source_key = ANY($2::text[])`, [rule, [...fresh]]);
  for (const h of have) fresh.delete(h.source_key);
  return fresh;
}

async function seenKeys(db: OltpStore, kind: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const have = await db.query<{ source_key: string }>(`SELECT source_key FROM loyalty_ledger WHERE kind = $1 AND source_key = ANY($2::text[])`, [kind, keys]);
  return new Set(have.map((h) => h.source_key));
}
