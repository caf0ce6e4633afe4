import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { searchUsers } from '../../src/profiles/search.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';
import { httpClient } from '../support/inProcessApi.ts';

/**
 * Personal data sent where nobody declared it — a phone number typed into the search box, an e-mail in a
 * review, an ID number and an address in traits under names of the shop's own — is not stored in the
 * clear anywhere in ClickHouse: free text keeps a masked copy, a trait that is wholly personal data is
 * encrypted (readable by the person's export, matched by phone), and identifiers are left alone.
 */
let sc: Scenario;
const now = Date.now();
const PHONE = '13987654321';
const EMAIL = 'mei.chen@example.cn';
const ID = '11010519491231002X';
const ADDRESS = '广东省深圳市南山区科技园路8号';
const ORDER = '13900001111';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-pii-detect-' });
  await send(sc.rt, [
    msg.identify('pd-1', now - 3 * DAY, { mobile_no: PHONE, id_no: ID, shipping: ADDRESS, note: `VIP, prefers calls to ${PHONE}` }),
    msg.track('pd-1', 'Products Searched', now - 2 * DAY, { query: `手机 ${PHONE}` }),
    msg.track('pd-1', 'Product Reviewed', now - DAY, { product_id: 'p1', rating: 5, review_body: `great, write to ${EMAIL}` }),
    msg.track('pd-1', 'Order Completed', now - DAY, { order_id: ORDER, revenue: 10 }),
  ]);
});
after(async () => sc?.close());

describe('personal data in unexpected fields', () => {
  it('stores none of the values in the clear in any ClickHouse table', async () => {
    const db = sc.rt.olap.db;
    const tables = await sc.rt.olap.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT LIKE '%View%'`, { db });
    const hits: string[] = [];
    for (const { name } of tables) {
      const [r] = await sc.rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.\`${name}\` WHERE multiSearchAny(toString(tuple(*)), {needles:Array(String)})`, { needles: [PHONE, EMAIL, ID, ADDRESS] });
      if (Number(r?.n ?? 0) > 0) hits.push(`${name}: ${r!.n}`);
    }
    assert.deepEqual(hits, []);
    // the check can find things: the order number is stored as sent
    const [order] = await sc.rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.events WHERE order_id = {o:String}`, { o: ORDER });
    assert.equal(Number(order!.n), 1);
  });

  it('keeps masked copies in free text', async () => {
    const rows = await sc.rt.olap.query<{ event: string; query: string; properties: string; traits: string }>(
      `SELECT event, query, properties, traits FROM ${sc.rt.olap.db}.events WHERE user_id = 'pd-1' ORDER BY timestamp`,
    );
    assert.equal(rows.find((r) => r.event === 'Products Searched')!.query, '手机 139****4321');
    assert.match(rows.find((r) => r.event === 'Product Reviewed')!.properties, /write to m\*\*\*@example\.cn/);
    assert.match(rows[0]!.traits, /prefers calls to 139\*\*\*\*4321/);
  });

  it('encrypts traits that are personal data: the person can read them back, and a phone lookup matches', async () => {
    const traits = await sc.rt.privacy.personalTraits('pd-1');
    assert.equal(traits.mobile_no, PHONE);
    assert.equal(traits.id_no, ID);
    assert.equal(traits.shipping, ADDRESS);
    const hits = await searchUsers(sc.rt, { phone: PHONE, limit: 5 });
    assert.deepEqual(hits.map((h) => h.userId), ['pd-1']);
  });

  const get = httpClient(() => sc);
  it('shows a viewer those traits masked in the profile', async () => {
    const res = await get('/api/v1/profiles/pd-1');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { traits: Record<string, unknown> };
    assert.equal(body.traits.mobile_no, '139****4321');
    assert.equal(body.traits.id_no, '110***********002X');
    assert.equal(body.traits.shipping, '广东省深圳市****');
    assert.equal(body.traits.note, 'VIP, prefers calls to 139****4321');
  });
});
