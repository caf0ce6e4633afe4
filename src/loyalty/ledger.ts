import type { OltpStore } from '../store/oltp/index.ts';
import { addMonths, dayAndMonth } from './time.ts';

export const ENTRY_KINDS = ['earn', 'redeem', 'expire', 'adjust', 'reverse'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface LedgerEntry {
  id: number;
  userId: string;
  kind: EntryKind;
  points: number;
  rule: string | null;
  sourceKey: string | null;
  refId: number | null;
  amount: number | null;
  expiresAt: string | null;
  occurredAt: string;
  createdAt: string;
  operator: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

/** What one operation did: `ok`, or a domain outcome that changed nothing. */
export interface Outcome {
  status: 'ok' | 'duplicate' | 'capped' | 'insufficient' | 'no_earning' | 'settled';
  entryId: number | null;
  /** signed points the entry moved (0 when nothing was written) */
  points: number;
  balance: number;
}

export interface Caps {
  daily?: number | null;
  monthly?: number | null;
}

export interface LedgerOptions {
  /** earned points expire this many months later (0: never) */
  expiryMonths: number;
  /** the shop's time zone: caps count per shop-time day and month */
  timezone: string;
  /** the clock (tests move it) */
  now?: () => Date;
}

type LedgerFunction = 'loyalty_credit' | 'loyalty_debit' | 'loyalty_reverse';

interface OutcomeRow {
  status: Outcome['status'];
  entry_id: number | string | null;
  points: number | string;
  balance: number | string;
}

const outcome = (r: OutcomeRow): Outcome => ({
  status: r.status,
  entryId: r.entry_id === null ? null : Number(r.entry_id),
  points: Number(r.points),
  balance: Number(r.balance),
});

/**
 * The points ledger. Every operation is one call of a PL/pgSQL function (migration 005) that locks the
 * account row first, so concurrent operations on one balance run one after another on a Postgres
 * server, and PGlite runs them serially; either way the balance never goes below zero and always equals
 * the sum of the ledger. Domain outcomes (duplicate, insufficient …) are values, not exceptions.
 */
export class PointsLedger {
  readonly now: () => Date;
  private queue: { fn: LedgerFunction; params: unknown[]; resolve: (o: Outcome) => void; reject: (e: unknown) => void }[] = [];
  private draining = false;

  constructor(
    private readonly db: OltpStore,
    private readonly opts: LedgerOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** When points earned at `t` expire (null: never). */
  expiryOf(t: Date): Date | null {
    return this.opts.expiryMonths > 0 ? addMonths(t, this.opts.expiryMonths) : null;
  }

  /**
   * Credits points for one source (rule + key) exactly once; caps clamp what a rule may give per
   * shop-time day and month of `occurredAt`.
   */
  async earn(e: { userId: string; points: number; rule: string; sourceKey: string; occurredAt: Date; amount?: number | null; caps?: Caps; details?: Record<string, unknown> }): Promise<Outcome> {
    const capped = (e.caps?.daily ?? null) !== null || (e.caps?.monthly ?? null) !== null;
    const p = capped ? dayAndMonth(e.occurredAt, this.opts.timezone) : null;
    return this.credit('earn', e.userId, e.points, e.rule, e.sourceKey, e.occurredAt, e.amount ?? null, e.details ?? {}, null, null,
      p ? [p.day.from, p.day.to, e.caps?.daily ?? null, p.month.from, p.month.to, e.caps?.monthly ?? null] : null);
  }

  /** Spends points (never more than the balance); `sourceKey` makes a retried request spend once. */
  async redeem(e: { userId: string; points: number; sourceKey?: string | null; reason?: string | null; details?: Record<string, unknown> }): Promise<Outcome> {
    return this.debit('redeem', e.userId, e.points, e.sourceKey ?? null, e.details ?? {}, null, e.reason ?? null);
  }

  /** A manual correction by an operator, with the reason; downward adjustments cannot overdraw. */
  async adjust(e: { userId: string; points: number; reason: string; operator: string; sourceKey?: string | null }): Promise<Outcome> {
    if (e.points > 0) return this.credit('adjust', e.userId, e.points, '', e.sourceKey ?? null, this.now(), null, {}, e.operator, e.reason, null);
    return this.debit('adjust', e.userId, -e.points, e.sourceKey ?? null, {}, e.operator, e.reason);
  }

  /**
   * Takes back up to `points` of what (rule, earnedKey) earned, once per `sourceKey` (a refund). The
   * earning's own remaining points go first; points already spent beyond the balance are recorded as
   * the shortfall and the balance stops at zero.
   */
  async reverse(e: { userId: string; rule: string; earnedKey: string; sourceKey: string; points: number; occurredAt: Date; details?: Record<string, unknown> }): Promise<Outcome> {
    return this.call('loyalty_reverse', [
      e.userId, e.rule, e.earnedKey, e.sourceKey, Math.round(e.points), e.occurredAt.toISOString(), JSON.stringify(e.details ?? {}), this.now().toISOString(),
    ]);
  }

  /** Expires what is due for every account (FIFO lots, each closed at its own expiry instant). */
  async expireDue(): Promise<{ accounts: number; points: number }> {
    const now = this.now().toISOString();
    const users = await this.db.query<{ user_id: string }>(
      'SELECT DISTINCT user_id FROM loyalty_lots WHERE remaining > 0 AND expires_at <= $1', [now]);
    let points = 0;
    for (const u of users) {
      const r = await this.db.query<{ n: number | string }>('SELECT loyalty_expire($1, $2) AS n', [u.user_id, now]);
      points += Number(r[0]!.n);
    }
    return { accounts: users.length, points };
  }

  /** The balance now (what has expired by now is expired first), and what expires within 30 days. */
  async balance(userId: string): Promise<{ userId: string; balance: number; lifetimePoints: number; tier: string | null; expiringSoon: { points: number; before: string } }> {
    const now = this.now();
    await this.db.query('SELECT loyalty_expire($1, $2)', [userId, now.toISOString()]);
    const soon = new Date(now.getTime() + 30 * 86_400_000);
    const [acc] = await this.db.query<{ balance: number; lifetime_points: number; tier: string | null; soon: string | number }>(
      `SELECT a.balance, a.lifetime_points, a.tier,
              (SELECT coalesce(sum(remaining), 0) FROM loyalty_lots WHERE user_id = a.user_id AND remaining > 0 AND expires_at <= $2) AS soon
       FROM loyalty_accounts a WHERE a.user_id = $1`,
      [userId, soon.toISOString()],
    );
    return {
      userId,
      balance: Number(acc?.balance ?? 0),
      lifetimePoints: Number(acc?.lifetime_points ?? 0),
      tier: acc?.tier ?? null,
      expiringSoon: { points: Number(acc?.soon ?? 0), before: soon.toISOString() },
    };
  }

  /** Entries of one account, newest first; `before` pages by entry id. */
  async history(userId: string, o: { limit?: number; before?: number; kind?: EntryKind } = {}): Promise<LedgerEntry[]> {
    const params: unknown[] = [userId, Math.min(Math.max(o.limit ?? 50, 1), 1000)];
    let where = 'user_id = $1';
    if (o.before) where += ` AND id < $${params.push(o.before)}`;
    if (o.kind) where += ` AND kind = $${params.push(o.kind)}`;
    const rows = await this.db.query<Record<string, unknown>>(`SELECT * FROM loyalty_ledger WHERE ${where} ORDER BY id DESC LIMIT $2`, params);
    return rows.map(toEntry);
  }

  /**
   * Calls one ledger function. On a Postgres server each call is its own statement (the row lock orders
   * them). PGlite runs one statement at a time anyway, so calls that arrive while one is running are
   * coalesced into one statement of several function calls (UNION ALL runs them in order, each seeing
   * the ones before): the same serial execution, without a round trip per call. If that statement fails,
   * nothing of it was applied and its calls run again one by one, so each gets its own outcome or error.
   */
  private call(fn: LedgerFunction, params: unknown[]): Promise<Outcome> {
    if (this.db.kind !== 'pglite') return this.single(fn, params);
    return new Promise((resolve, reject) => {
      this.queue.push({ fn, params, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async single(fn: LedgerFunction, params: unknown[]): Promise<Outcome> {
    const rows = await this.db.query<OutcomeRow>(`SELECT * FROM ${fn}(${params.map((_, i) => `$${i + 1}`).join(', ')})`, params);
    return outcome(rows[0]!);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 200);
        if (batch.length === 1) {
          const c = batch[0]!;
          await this.single(c.fn, c.params).then(c.resolve, c.reject);
          continue;
        }
        const params: unknown[] = [];
        const sql = batch.map((c, i) => {
          const ph = c.params.map((p) => `$${params.push(p)}`).join(', ');
          return `SELECT ${i} AS call_index, r.* FROM ${c.fn}(${ph}) AS r`;
        }).join('\nUNION ALL ');
        let rows: (OutcomeRow & { call_index: number })[];
        try {
          rows = await this.db.query<OutcomeRow & { call_index: number }>(sql, params);
        } catch {
          for (const c of batch) await this.single(c.fn, c.params).then(c.resolve, c.reject);
          continue;
        }
        for (const r of rows) batch[r.call_index]!.resolve(outcome(r));
      }
    } finally {
      this.draining = false;
    }
  }

  private async credit(kind: 'earn' | 'adjust', userId: string, points: number, rule: string, key: string | null, at: Date, amount: number | null,
    details: Record<string, unknown>, operator: string | null, reason: string | null, caps: [Date, Date, number | null, Date, Date, number | null] | null): Promise<Outcome> {
    const [df, dt, dc, mf, mt, mc] = caps ?? [null, null, null, null, null, null];
    return this.call('loyalty_credit',
      [userId, kind, Math.round(points), rule, key, at.toISOString(), this.expiryOf(at)?.toISOString() ?? null, amount, JSON.stringify(details), operator, reason,
        df?.toISOString() ?? null, dt?.toISOString() ?? null, dc, mf?.toISOString() ?? null, mt?.toISOString() ?? null, mc, this.now().toISOString()],
    );
  }

  private async debit(kind: 'redeem' | 'adjust', userId: string, points: number, key: string | null, details: Record<string, unknown>, operator: string | null, reason: string | null): Promise<Outcome> {
    const now = this.now().toISOString();
    return this.call('loyalty_debit', [userId, kind, Math.round(points), key, now, JSON.stringify(details), operator, reason, now]);
  }
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export function toEntry(r: Record<string, unknown>): LedgerEntry {
  return {
    id: Number(r.id),
    userId: r.user_id as string,
    kind: r.kind as EntryKind,
    points: Number(r.points),
    rule: (r.rule_code as string) || null,
    sourceKey: (r.source_key as string | null) ?? null,
    refId: r.ref_id === null || r.ref_id === undefined ? null : Number(r.ref_id),
    amount: r.amount === null || r.amount === undefined ? null : Number(r.amount),
    expiresAt: iso(r.expires_at),
    occurredAt: iso(r.occurred_at)!,
    createdAt: iso(r.created_at)!,
    operator: (r.operator as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  };
}
