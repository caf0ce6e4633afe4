import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getProfile } from '../../src/profiles/index.ts';
import { httpClient } from '../support/inProcessApi.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Traits of the shop's own names that hold personal data (a mobile number, an e-mail, an ID number) are
 * stored encrypted; the profile module shows each masked as what its value is — region and last digits
 * kept — never as an opaque placeholder, and the API answers the same. The plain values appear nowhere.
 */
let sc: Scenario;
const traits = { name: 'Li Ming', mobile_no: '13912344321', contact_mail: 'liming@example.cn', shenfen_hao: '11010519491231002X', email: 'li.m@example.com', tier_note: 'gold' };

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-pmask-' });
  await send(sc.rt, [msg.identify('pm-1', Date.now() - DAY, traits), msg.track('pm-1', 'Product Viewed', Date.now() - DAY + 1000, { product_id: 'p1' })]);
});
after(async () => sc?.close());

describe('masking of encrypted traits in profiles', () => {
  const expected = (t: Record<string, unknown>) => {
    assert.equal(t.mobile_no, '139****4321');
    assert.match(String(t.contact_mail), /^l\*+@example\.cn$/);
    assert.match(String(t.shenfen_hao), /^110\*+002X$/);
    assert.match(String(t.email), /^l\*+@example\.com$/);
    assert.equal(t.tier_note, 'gold');
    for (const v of Object.values(t)) assert.ok(v !== '***', 'an opaque placeholder');
    const shown = JSON.stringify(t);
    for (const plain of [traits.mobile_no, traits.contact_mail, traits.shenfen_hao, traits.email]) assert.ok(!shown.includes(plain), plain);
  };

  it('the profile module masks each as what its value is', async () => {
    const [stored] = await sc.rt.olap.query<{ pii: string }>(`SELECT pii FROM ${sc.rt.olap.db}.events WHERE type = 'identify' AND distinct_id = 'pm-1'`);
    assert.deepEqual(Object.keys(JSON.parse(stored!.pii)).sort(), ['contact_mail', 'email', 'mobile_no', 'shenfen_hao'], 'sealed at rest');
    expected((await getProfile(sc.rt, 'pm-1'))!.traits);
  });

  const get = httpClient(() => sc);
  it('the API shows the same', async () => {
    const res = await get('/api/v1/profiles/pm-1');
    assert.equal(res.status, 200);
    expected(((await res.json()) as { traits: Record<string, unknown> }).traits);
  });
});
