import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PointsLedger } from '../../src/loyalty/ledger.ts';
import { addMonths } from '../../src/loyalty/time.ts';
import type { OltpStore } from '../../src/store/oltp/index.ts';

/** The ledger's guarantees, written once and run against PGlite and a real Postgres server. */
export function ledgerContract(name: string, open: () => Promise<OltpStore>) {
  describe(`points ledger: ${name}`, () => {
    let db: OltpStore;
    let clock = new Date('2026-01-10T04:00:00Z');
    let ledger: PointsLedger;
    before(async () => {
      db = await open();
      ledger = new PointsLedger(db, { expiryMonths: 12, timezone: 'Asia/Shanghai', now: () => clock });
    });
    after(async () => db?.close());

    /** balance = sum(ledger) = sum(lot remaining) ≥ 0, computed independently from the three tables */
    async function invariant(userId: string): Promise<number> {
      const [a] = await db.query<{ balance: number }>('SELECT balance FROM loyalty_accounts WHERE user_id = $1', [userId]);
      const [l] = await db.query<{ s: string | number }>('SELECT coalesce(sum(points), 0) AS s FROM loyalty_ledger WHERE user_id = $1', [userId]);
      const [r] = await db.query<{ s: string | number }>('SELECT coalesce(sum(remaining), 0) AS s FROM loyalty_lots WHERE user_id = $1', [userId]);
      const balance = Number(a?.balance ?? 0);
      assert.ok(balance >= 0, `balance ${balance} ≥ 0`);
      assert.equal(Number(l!.s), balance, 'ledger sums to the balance');
      assert.equal(Number(r!.s), balance, 'open lots sum to the balance');
      return balance;
    }

    it('100 concurrent redemptions never overspend, and the ledger sums to the balance', async () => {
      clock = new Date('2026-01-10T04:00:00Z');
      await ledger.earn({ userId: 'c1', points: 700, rule: 'order_spend', sourceKey: 'o-c1-1', occurredAt: new Date('2026-01-09T00:00:00Z') });
      await ledger.earn({ userId: 'c1', points: 300, rule: 'order_spend', sourceKey: 'o-c1-2', occurredAt: new Date('2026-01-09T01:00:00Z') });
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => ledger.redeem({ userId: 'c1', points: 30, sourceKey: `r-c1-${i}` })));
      const ok = results.filter((r) => r.status === 'ok');
      // 1000 points, 30 each: exactly 33 can succeed, the rest are told insufficient
      assert.equal(ok.length, Math.floor(1000 / 30));
      assert.equal(results.filter((r) => r.status === 'insufficient').length, 100 - ok.length);
      for (const r of results) assert.ok(r.balance >= 0);
      assert.equal(await invariant('c1'), 1000 - 30 * ok.length);
      // the balances the successful redemptions saw are all different: they ran one after another
      assert.equal(new Set(ok.map((r) => r.balance)).size, ok.length);
    });

    it('concurrent redemptions and earnings interleaved keep the invariant', async () => {
      await ledger.earn({ userId: 'c2', points: 100, rule: 'order_spend', sourceKey: 'o-c2-0', occurredAt: clock });
      const ops = Array.from({ length: 100 }, (_, i) => (i % 3 === 0
        ? ledger.earn({ userId: 'c2', points: 7, rule: 'order_spend', sourceKey: `o-c2-${i + 1}`, occurredAt: clock })
        : ledger.redeem({ userId: 'c2', points: 11, sourceKey: `r-c2-${i}` })));
      const results = await Promise.all(ops);
      const earned = 100 + 7 * results.filter((r, i) => i % 3 === 0 && r.status === 'ok').length;
      const spent = 11 * results.filter((r, i) => i % 3 !== 0 && r.status === 'ok').length;
      assert.equal(await invariant('c2'), earned - spent);
    });

    it('a source earns once however often it is retried, concurrently or not', async () => {
      const again = () => ledger.earn({ userId: 'e1', points: 50, rule: 'order_spend', sourceKey: 'o-e1', occurredAt: clock, amount: 50 });
      const first = await Promise.all([again(), again(), again(), again(), again()]);
      assert.equal(first.filter((r) => r.status === 'ok').length, 1);
      assert.equal(first.filter((r) => r.status === 'duplicate').length, 4);
      assert.equal((await again()).status, 'duplicate');
      assert.equal(await invariant('e1'), 50);
      // the same key under another rule is another source
      assert.equal((await ledger.earn({ userId: 'e1', points: 5, rule: 'review', sourceKey: 'o-e1', occurredAt: clock })).status, 'ok');
      assert.equal(await invariant('e1'), 55);
    });

    it('a redemption retried with its key spends once', async () => {
      await ledger.earn({ userId: 'e2', points: 40, rule: 'order_spend', sourceKey: 'o-e2', occurredAt: clock });
      const r = await Promise.all([1, 2, 3].map(() => ledger.redeem({ userId: 'e2', points: 10, sourceKey: 'req-1' })));
      assert.equal(r.filter((x) => x.status === 'ok').length, 1);
      assert.equal(await invariant('e2'), 30);
    });

    it('refunds reverse what the order earned: partly, once per refund, never more than earned', async () => {
      await ledger.earn({ userId: 'f1', points: 200, rule: 'order_spend', sourceKey: 'o-f1', occurredAt: clock });
      const part = await ledger.reverse({ userId: 'f1', rule: 'order_spend', earnedKey: 'o-f1', sourceKey: 'refund-1', points: 80, occurredAt: clock });
      assert.deepEqual([part.status, part.points, part.balance], ['ok', -80, 120]);
      assert.equal((await ledger.reverse({ userId: 'f1', rule: 'order_spend', earnedKey: 'o-f1', sourceKey: 'refund-1', points: 80, occurredAt: clock })).status, 'duplicate');
      const rest = await ledger.reverse({ userId: 'f1', rule: 'order_spend', earnedKey: 'o-f1', sourceKey: 'refund-2', points: 500, occurredAt: clock });
      assert.deepEqual([rest.status, rest.points, rest.balance], ['ok', -120, 0]);
      assert.equal((await ledger.reverse({ userId: 'f1', rule: 'order_spend', earnedKey: 'o-f1', sourceKey: 'refund-3', points: 1, occurredAt: clock })).status, 'settled');
      assert.equal((await ledger.reverse({ userId: 'f1', rule: 'order_spend', earnedKey: 'nope', sourceKey: 'refund-4', points: 1, occurredAt: clock })).status, 'no_earning');
      assert.equal(await invariant('f1'), 0);
    });

    it('a refund after the points were spent takes what is left and records the shortfall', async () => {
      await ledger.earn({ userId: 'f2', points: 100, rule: 'order_spend', sourceKey: 'o-f2-a', occurredAt: clock });
      await ledger.earn({ userId: 'f2', points: 50, rule: 'order_spend', sourceKey: 'o-f2-b', occurredAt: clock });
      await ledger.redeem({ userId: 'f2', points: 120 });
      const r = await ledger.reverse({ userId: 'f2', rule: 'order_spend', earnedKey: 'o-f2-b', sourceKey: 'refund-f2', points: 50, occurredAt: clock });
      assert.deepEqual([r.points, r.balance], [-30, 0]);
      const [e] = await ledger.history('f2', { kind: 'reverse' });
      assert.equal(e!.details.shortfall, 20);
      assert.equal(await invariant('f2'), 0);
    });

    it('expiry is first-in-first-out and exact at the boundary', async () => {
      const t0 = new Date('2026-02-01T10:00:00.000Z');
      const t1 = new Date('2026-02-20T10:00:00.000Z');
      clock = new Date('2026-02-25T00:00:00Z');
      await ledger.earn({ userId: 'x1', points: 10, rule: 'order_spend', sourceKey: 'o-x1-a', occurredAt: t0 });
      await ledger.earn({ userId: 'x1', points: 20, rule: 'order_spend', sourceKey: 'o-x1-b', occurredAt: t1 });
      // spending takes the older lot first: 6 of the 10
      await ledger.redeem({ userId: 'x1', points: 6 });
      const expA = addMonths(t0, 12);
      assert.equal(expA.toISOString(), '2027-02-01T10:00:00.000Z');
      clock = new Date(expA.getTime() - 1);
      assert.equal((await ledger.balance('x1')).balance, 24, 'nothing expires a millisecond early');
      clock = expA;
      const due = await ledger.expireDue();
      assert.ok(due.points >= 4);
      const [exp, ...more] = await ledger.history('x1', { kind: 'expire' });
      assert.equal(more.length, 0);
      assert.equal(exp!.points, -4, 'exactly at the boundary the older lot’s remaining 4 expire');
      assert.equal((await ledger.balance('x1')).balance, 20);
      assert.equal(exp!.occurredAt, expA.toISOString());
      clock = new Date(addMonths(t1, 12).getTime() - 1);
      assert.equal((await ledger.balance('x1')).balance, 20);
      clock = addMonths(t1, 12);
      // reading the balance expires what is due too, so a redemption can never spend expired points
      assert.equal((await ledger.redeem({ userId: 'x1', points: 1 })).status, 'insufficient');
      assert.equal(await invariant('x1'), 0);
      await ledger.expireDue();
      assert.deepEqual((await ledger.history('x1', { kind: 'expire' })).map((e) => e.points), [-20, -4], 'each lot expires once');
    });

    it('points earned longer ago than the expiry period expire at once', async () => {
      clock = new Date('2026-06-01T00:00:00Z');
      const r = await ledger.earn({ userId: 'x2', points: 9, rule: 'order_spend', sourceKey: 'o-x2', occurredAt: new Date('2025-01-01T00:00:00Z') });
      assert.deepEqual([r.status, r.balance], ['ok', 0]);
      assert.equal(await invariant('x2'), 0);
    });

    it('caps clamp a rule per shop-time day and month', async () => {
      clock = new Date('2026-03-20T00:00:00Z');
      const caps = { daily: 25, monthly: 40 };
      // 2026-03-10 in Shanghai runs from 03-09T16:00Z to 03-10T16:00Z
      const at = (iso: string) => new Date(iso);
      const r1 = await ledger.earn({ userId: 'k1', points: 10, rule: 'review', sourceKey: 'rv1', occurredAt: at('2026-03-09T16:30:00Z'), caps });
      const r2 = await ledger.earn({ userId: 'k1', points: 10, rule: 'review', sourceKey: 'rv2', occurredAt: at('2026-03-10T10:00:00Z'), caps });
      const r3 = await ledger.earn({ userId: 'k1', points: 10, rule: 'review', sourceKey: 'rv3', occurredAt: at('2026-03-10T12:00:00Z'), caps });
      const r4 = await ledger.earn({ userId: 'k1', points: 10, rule: 'review', sourceKey: 'rv4', occurredAt: at('2026-03-10T15:59:59Z'), caps });
      assert.deepEqual([r1, r2, r3, r4].map((r) => [r.status, r.points]), [['ok', 10], ['ok', 10], ['capped', 5], ['capped', 0]]);
      // the next Shanghai day: the daily cap resets, the monthly one (40) leaves 15
      const r5 = await ledger.earn({ userId: 'k1', points: 20, rule: 'review', sourceKey: 'rv5', occurredAt: at('2026-03-10T16:00:00Z'), caps });
      assert.deepEqual([r5.status, r5.points], ['capped', 15]);
      assert.equal(await invariant('k1'), 40);
    });

    it('manual adjustments carry reason and operator; a downward one cannot overdraw', async () => {
      const up = await ledger.adjust({ userId: 'a1', points: 30, reason: 'goodwill after a late delivery', operator: 'tok_admin' });
      assert.equal(up.status, 'ok');
      assert.equal((await ledger.adjust({ userId: 'a1', points: -31, reason: 'correction', operator: 'tok_admin' })).status, 'insufficient');
      const down = await ledger.adjust({ userId: 'a1', points: -10, reason: 'correction', operator: 'tok_admin' });
      assert.equal(down.balance, 20);
      const h = await ledger.history('a1');
      assert.deepEqual(h.map((e) => [e.kind, e.points, e.operator, e.reason]), [
        ['adjust', -10, 'tok_admin', 'correction'], ['adjust', 30, 'tok_admin', 'goodwill after a late delivery'],
      ]);
      assert.equal(await invariant('a1'), 20);
    });

    it('the ledger is append-only', async () => {
      await assert.rejects(db.query(`UPDATE loyalty_ledger SET points = 1000000 WHERE user_id = 'a1'`), /append-only/);
    });
  });
}
