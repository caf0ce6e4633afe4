import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * A coupon issued to one person names them in `coupon_issues.target_ref`. Erasure keeps the issue (it
 * counts coupons and stock) with the name replaced by `[erased]`, removes the person's coupons, and leaves
 * another person's issue alone; afterwards no Postgres table names the person, the append-only audit log
 * included (its coupon.issue entry names the person by pseudonym).
 */
let sc: Scenario;
const by = { actor: 'test', role: 'admin' };
const SUBJECT = 'ce-subject-7f3';
const OTHER = 'ce-other-9k2';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cerase-' });
  await send(sc.rt, [SUBJECT, OTHER].map((u) => msg.track(u, 'Product Viewed', Date.now() - DAY, { product_id: 'p1' })));
  await sc.rt.loyalty.coupons.createTemplate({
    id: 'ce-10', name: '立减10', kind: 'threshold', amount: 10, percent: null, minSpend: 50, maxDiscount: null,
    validFrom: null, validUntil: null, validDays: 30, perUserLimit: 1, stock: 10,
  }, by);
  for (const u of [SUBJECT, OTHER]) await sc.rt.loyalty.coupons.issue('ce-10', [u], { kind: 'user', ref: u }, by);
});
after(async () => sc?.close());

describe('erasure of coupon issues', () => {
  it('unnames the person’s issue, keeps its counts, removes their coupons, leaves the other person’s', async () => {
    const receipt = await sc.rt.privacy.erase(SUBJECT, by);
    assert.ok(receipt.stores['oltp.loyalty']! >= 2, JSON.stringify(receipt.stores));
    const issues = await sc.rt.oltp.query<{ target_ref: string; issued: number }>('SELECT target_ref, issued FROM coupon_issues ORDER BY at, id');
    assert.deepEqual(issues.map((r) => [r.target_ref, Number(r.issued)]).sort(), [['[erased]', 1], [OTHER, 1]].sort());
    const coupons = await sc.rt.oltp.query<{ user_id: string }>('SELECT user_id FROM coupons');
    assert.deepEqual(coupons.map((r) => r.user_id), [OTHER]);

    const tables = await sc.rt.oltp.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    const naming: string[] = [];
    for (const t of tables) {
      const rows = await sc.rt.oltp.query<{ row: string }>(`SELECT t::text AS row FROM "${t.table_name}" t`);
      if (rows.some((r) => r.row.includes(SUBJECT))) naming.push(t.table_name);
    }
    assert.ok(tables.some((t) => t.table_name === 'coupon_issues'));
    // the audit log included: the issue to the person was recorded against the person, which the log keeps
    // as a pseudonym
    assert.deepEqual(naming, []);
    const issued = await sc.rt.oltp.query<{ subject_type: string; subject_id: string }>(`SELECT subject_type, subject_id FROM audit_log WHERE action = 'coupon.issue' ORDER BY id`);
    assert.equal(issued.length, 2);
    for (const r of issued) assert.ok(r.subject_type === 'person' && !r.subject_id.includes(SUBJECT) && r.subject_id !== OTHER, JSON.stringify(r));
  });
});
