import { z } from 'zod';
import type { OltpStore } from '../store/oltp/index.ts';

/**
 * Member tiers: a person holds the highest tier whose threshold their rolling points (earned minus
 * reversed, in the window) or rolling GMV (order value behind those points, net of refunds) meets.
 * Every change is recorded as an upgrade or downgrade event; the tier also lives on the account row and,
 * through the engine, as the `loyalty_tier` profile tag.
 */
export const tierInput = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lower-case letters, digits and _ (starting with a letter)'),
  rank: z.number().int().min(0).max(100),
  name_zh: z.string().min(1).max(50),
  name_en: z.string().min(1).max(50),
  minPoints: z.number().int().min(0).nullable().default(null),
  minGmv: z.number().min(0).nullable().default(null),
  /** order points of a member in this tier are multiplied by this */
  pointsMultiplier: z.number().min(0).max(10).default(1),
  benefits: z.array(z.string().min(1).max(200)).max(50).default([]),
}).refine((t) => t.minPoints !== null || t.minGmv !== null, { message: 'give minPoints, minGmv or both', path: ['minPoints'] });
export type Tier = z.output<typeof tierInput>;

export interface TierChange {
  userId: string;
  from: string | null;
  to: string;
  direction: 'initial' | 'upgrade' | 'downgrade';
  rollingPoints: number;
  rollingGmv: number;
  at: string;
}

export class TierInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const toTier = (r: Record<string, unknown>): Tier => ({
  code: r.code as string, rank: Number(r.rank), name_zh: r.name_zh as string, name_en: r.name_en as string,
  minPoints: r.min_points === null ? null : Number(r.min_points), minGmv: r.min_gmv === null ? null : Number(r.min_gmv),
  pointsMultiplier: Number(r.points_multiplier ?? 1),
  benefits: (typeof r.benefits === 'string' ? JSON.parse(r.benefits) : r.benefits) as string[],
});

/** The tier a member qualifies for: the highest rank whose points or GMV threshold is met. */
export function tierFor(tiers: readonly Tier[], points: number, gmv: number): Tier | null {
  let best: Tier | null = null;
  for (const t of tiers) {
    const ok = (t.minPoints !== null && points >= t.minPoints) || (t.minGmv !== null && gmv >= t.minGmv);
    if (ok && (!best || t.rank > best.rank)) best = t;
  }
  return best;
}

export class TierStore {
  constructor(private readonly db: OltpStore) {}

  async list(): Promise<Tier[]> {
    return (await this.db.query<Record<string, unknown>>('SELECT * FROM loyalty_tiers ORDER BY rank')).map(toTier);
  }

  async put(t: Tier): Promise<Tier> {
    const clash = await this.db.query<{ code: string }>('SELECT code FROM loyalty_tiers WHERE rank = $1 AND code <> $2', [t.rank, t.code]);
    if (clash[0]) throw new TierInputError('rank', `rank ${t.rank} is taken by tier '${clash[0].code}'`);
    const [r] = await this.db.query<Record<string, unknown>>(
      `INSERT INTO loyalty_tiers (code, rank, name_zh, name_en, min_points, min_gmv, points_multiplier, benefits) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (code) DO UPDATE SET rank = EXCLUDED.rank, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
         min_points = EXCLUDED.min_points, min_gmv = EXCLUDED.min_gmv, points_multiplier = EXCLUDED.points_multiplier,
         benefits = EXCLUDED.benefits, updated_at = now()
       RETURNING *`,
      [t.code, t.rank, t.name_zh, t.name_en, t.minPoints, t.minGmv, t.pointsMultiplier, JSON.stringify(t.benefits)],
    );
    return toTier(r!);
  }

  /** Rolling points and GMV per account in (now − windowDays, now]; `users` restricts to some accounts. */
  async rolling(now: Date, windowDays: number, users?: readonly string[]): Promise<Map<string, { points: number; gmv: number; tier: string | null }>> {
    const from = new Date(now.getTime() - windowDays * 86_400_000);
    const rows = await this.db.query<{ user_id: string; tier: string | null; pts: string | number | null; gmv: string | number | null }>(
      `WITH e AS (
         SELECT l.user_id, l.points, l.amount,
                coalesce((SELECT sum((r.details->>'requested')::bigint) FROM loyalty_ledger r WHERE r.kind = 'reverse' AND r.ref_id = l.id), 0) AS rev
         FROM loyalty_ledger l
         WHERE l.kind = 'earn' AND l.occurred_at > $1 AND l.occurred_at <= $2 ${users ? 'AND l.user_id = ANY($3::text[])' : ''}
       ), s AS (
         SELECT user_id, sum(points - rev) AS pts,
                sum(CASE WHEN amount IS NULL OR points = 0 THEN 0 ELSE amount * (points - rev) / points END) AS gmv
         FROM e GROUP BY user_id
       )
       SELECT a.user_id, a.tier, s.pts, s.gmv FROM loyalty_accounts a LEFT JOIN s ON s.user_id = a.user_id
       ${users ? 'WHERE a.user_id = ANY($3::text[])' : ''}`,
      users ? [from.toISOString(), now.toISOString(), users] : [from.toISOString(), now.toISOString()],
    );
    return new Map(rows.map((r) => [r.user_id, { points: Number(r.pts ?? 0), gmv: Math.round(Number(r.gmv ?? 0) * 100) / 100, tier: r.tier }]));
  }

  /** Re-evaluates tiers (of `users`, or every account) and records each change. Returns the changes. */
  async evaluate(now: Date, windowDays: number, users?: readonly string[]): Promise<TierChange[]> {
    const tiers = await this.list();
    const rank = new Map(tiers.map((t) => [t.code, t.rank]));
    const changes: TierChange[] = [];
    for (const [userId, r] of await this.rolling(now, windowDays, users)) {
      const t = tierFor(tiers, r.points, r.gmv);
      if (!t || t.code === r.tier) continue;
      const direction = r.tier === null || !rank.has(r.tier) ? 'initial' : t.rank > rank.get(r.tier)! ? 'upgrade' : 'downgrade';
      changes.push({ userId, from: r.tier, to: t.code, direction, rollingPoints: r.points, rollingGmv: r.gmv, at: now.toISOString() });
    }
    for (let i = 0; i < changes.length; i += 10_000) {
      const part = changes.slice(i, i + 10_000);
      await this.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE loyalty_accounts a SET tier = c.tier, tier_since = $3 FROM unnest($1::text[], $2::text[]) AS c (user_id, tier) WHERE a.user_id = c.user_id`,
          [part.map((c) => c.userId), part.map((c) => c.to), now.toISOString()],
        );
        await tx.query(
          `INSERT INTO loyalty_tier_changes (user_id, from_tier, to_tier, direction, rolling_points, rolling_gmv, at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::numeric[], $7::timestamptz[])`,
          [part.map((c) => c.userId), part.map((c) => c.from), part.map((c) => c.to), part.map((c) => c.direction), part.map((c) => c.rollingPoints),
            part.map((c) => c.rollingGmv), part.map(() => now.toISOString())],
        );
      });
    }
    return changes;
  }

  /** Recent tier changes (all, or one person's). */
  async changes(o: { userId?: string; limit?: number } = {}): Promise<TierChange[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM loyalty_tier_changes ${o.userId ? 'WHERE user_id = $2' : ''} ORDER BY id DESC LIMIT $1`,
      o.userId ? [o.limit ?? 100, o.userId] : [o.limit ?? 100],
    );
    return rows.map((r) => ({
      userId: r.user_id as string, from: (r.from_tier as string | null) ?? null, to: r.to_tier as string, direction: r.direction as TierChange['direction'],
      rollingPoints: Number(r.rolling_points), rollingGmv: Number(r.rolling_gmv), at: new Date(r.at as string).toISOString(),
    }));
  }

  /** Members per tier now. */
  async distribution(): Promise<{ tier: string | null; members: number }[]> {
    const rows = await this.db.query<{ tier: string | null; n: string | number }>('SELECT tier, count(*) AS n FROM loyalty_accounts GROUP BY tier ORDER BY n DESC');
    return rows.map((r) => ({ tier: r.tier, members: Number(r.n) }));
  }

  /** Every account's tier, for the profile tag. */
  /**
   * Every person's tier, keyed by the person the identity graph resolves each account's id to today: an
   * account credited before its id was merged (identify, alias) counts for the merged person, and when a
   * person holds several accounts the highest-ranked tier wins. Merged-away ids get no tier of their own.
   */
  async all(): Promise<{ userId: string; tier: string }[]> {
    const rows = await this.db.query<{ person: string; tier: string }>(
      `SELECT DISTINCT ON (person) person, tier FROM (
         SELECT coalesce(i.person_id, a.user_id) AS person, a.tier, coalesce(t.rank, -1) AS rank
         FROM loyalty_accounts a
         LEFT JOIN identities i ON i.distinct_id = a.user_id
         LEFT JOIN loyalty_tiers t ON t.code = a.tier
         WHERE a.tier IS NOT NULL
       ) x
       ORDER BY person, rank DESC`,
    );
    return rows.map((r) => ({ userId: r.person, tier: r.tier }));
  }
}
