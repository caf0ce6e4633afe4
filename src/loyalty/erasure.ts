import type { Erasable } from '../privacy/erasure.ts';
import type { OltpStore } from '../store/oltp/index.ts';

const count = async (db: OltpStore, sql: string, ids: string[]) => Number((await db.query<{ n: number | string }>(sql, [ids]))[0]?.n ?? 0);

/**
 * What loyalty keeps about a person, for erasure and access: the account, every ledger entry (the
 * append-only trigger refuses UPDATE, not DELETE, so erasure can remove them), the open lots, tier
 * changes, coupons issued to them and their influence row. An issue of coupons to that one person keeps
 * its counts with the target replaced by `[erased]`; templates name nobody and stay.
 */
export function loyaltyErasable(db: OltpStore): Erasable {
  const tables = ['loyalty_lots', 'loyalty_ledger', 'loyalty_tier_changes', 'coupons', 'loyalty_influence', 'loyalty_accounts'];
  // an issue to one person names them as its target: the row stays (it counts coupons), the name goes
  const issues = `FROM coupon_issues WHERE target = 'user' AND target_ref = ANY($1::text[])`;
  return {
    name: 'oltp.loyalty',
    description: 'points account, ledger entries, open lots, tier changes and coupons issued to the person',
    count: async (s) => {
      let n = 0;
      for (const t of tables) n += await count(db, `SELECT count(*) AS n FROM ${t} WHERE user_id = ANY($1::text[])`, s.ids);
      return n + (await count(db, `SELECT count(*) AS n ${issues}`, s.ids));
    },
    erase: async (s) => {
      let n = 0;
      await db.transaction(async (tx) => {
        // lots first: they reference ledger entries
        for (const t of tables) n += (await tx.query(`DELETE FROM ${t} WHERE user_id = ANY($1::text[]) RETURNING 1`, [s.ids])).length;
        n += (await tx.query(`UPDATE coupon_issues SET target_ref = '[erased]' WHERE target = 'user' AND target_ref = ANY($1::text[]) RETURNING 1`, [s.ids])).length;
      });
      return n;
    },
    export: async (s) => [
      ...(await db.query(`SELECT 'account' AS record, user_id, balance, lifetime_points, tier, tier_since FROM loyalty_accounts WHERE user_id = ANY($1::text[])`, [s.ids])),
      ...(await db.query(`SELECT 'ledger' AS record, id, user_id, kind, points, rule_code, source_key, occurred_at, reason FROM loyalty_ledger WHERE user_id = ANY($1::text[]) ORDER BY id`, [s.ids])),
      ...(await db.query(`SELECT 'coupon' AS record, code, template_id, status, issued_at, redeemed_at, order_id FROM coupons WHERE user_id = ANY($1::text[])`, [s.ids])),
    ],
  };
}
