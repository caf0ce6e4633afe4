import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { campaignExposure, policyCheck, recommendationExposure, sensitiveInputs } from '../../src/privacy/fairness.ts';
import { DAY, MINUTE, msg, openScenario, send, type Scenario } from '../support/scenario.ts';
import { ev, loadCatalog } from '../recommend/fixture.ts';

/**
 * Transparency and fairness: sensitive inputs are found through the tags a definition reads; the policy
 * check flags a marketing tag built on gender and a campaign whose audience selects by gender, and not the
 * clean ones; campaign exposure shares by gender match the assignments counted here; recommendation
 * exposure samples each group.
 */
let sc: Scenario;
const now = Date.now();
const people = Array.from({ length: 12 }, (_, i) => ({ id: `fair-${i}`, gender: i < 8 ? 'female' : 'male', tier: i % 3 === 0 ? '一线' : '二线' }));

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-fair-' });
  await loadCatalog(sc.rt, now);
  const m = people.flatMap((p, i) => [
    msg.identify(p.id, now - 5 * DAY, { gender: p.gender, city_tier: p.tier, consent: { analytics: true, personalization: true, marketing: true } }),
    ev.view(p.id, i % 2 ? 'a1' : 'b1', now - 3 * DAY + i * MINUTE),
    ev.buy(p.id, [i % 2 ? 'a2' : 'b2'], now - 2 * DAY + i * MINUTE),
  ]);
  await send(sc.rt, m);
  await sc.rt.tags.taxonomy.create({
    code: 'women_offer_target', category: 'custom', name_zh: '女性优惠对象', name_en: 'Women offer target', valueType: 'boolean', kind: 'rule', purpose: 'marketing',
    spec: { type: 'rule', when: { eq: [{ tag: 'gender' }, 'female'] } },
  }, 'test');
  await sc.rt.tags.taxonomy.create({
    code: 'recent_buyer_offer', category: 'custom', name_zh: '近期买家', name_en: 'Recent buyer offer', valueType: 'number', purpose: 'marketing',
    spec: { type: 'stat', stat: { agg: 'count', event: 'Order Completed', window: '30d' } },
  }, 'test');
  await sc.rt.tags.build({ trigger: 'test' });
  await sc.rt.recommend.train({ trigger: 'test' });
});
after(async () => sc?.close());

describe('transparency and fairness', () => {
  it('finds sensitive inputs through the tags a definition reads', async () => {
    const defs = await sc.rt.tags.taxonomy.definitions();
    assert.deepEqual([...sensitiveInputs({ eq: [{ tag: 'women_offer_target' }, true] }, defs)].sort(), ['gender']);
    assert.deepEqual([...sensitiveInputs({ gte: [{ tag: 'age_band' }, 1] }, defs)].sort(), ['age', 'age_band']);
    assert.deepEqual([...sensitiveInputs({ gt: [{ tag: 'recent_buyer_offer' }, 0] }, defs)], []);
  });

  it('flags a marketing tag and a campaign audience built on gender, and nothing clean', async () => {
    const women = await sc.rt.segments.create({ name: 'Women', description: '', kind: 'dynamic', rule: { tag: 'gender', op: 'eq', value: 'female' } } as never, 'test');
    const buyers = await sc.rt.segments.create({ name: 'Buyers', description: '', kind: 'dynamic', rule: { event: 'Order Completed' } } as never, 'test');
    const content = { subject: { en: 'Hi' }, body: { en: 'An offer' } };
    const targeted = await sc.rt.campaigns.store.create({ name: 'For women', owner: 'test', channel: 'inapp', audience: { kind: 'segment', segmentId: women.id }, variants: [{ name: 'a', weight: 1, content }] }, { actor: 'test', role: 'admin' } as never);
    await sc.rt.campaigns.store.create({ name: 'For buyers', owner: 'test', channel: 'inapp', audience: { kind: 'segment', segmentId: buyers.id }, variants: [{ name: 'a', weight: 1, content }] }, { actor: 'test', role: 'admin' } as never);
    const r = await policyCheck(sc.rt);
    assert.deepEqual(r.violations.map((v) => [v.kind, v.id, v.attributes]).sort(), [
      ['campaign', targeted.id, ['gender']],
      ['tag', 'women_offer_target', ['gender']],
    ]);
    assert.equal(r.checked.campaigns, 2);
  });

  it('campaign exposure by gender matches the treated people counted here', async () => {
    const treated = people.filter((_, i) => i % 2 === 0); // 4 female (0,2,4,6), 2 male (8,10)
    await sc.rt.olap.insert('campaign_assignments', [
      ...treated.map((p) => ({ campaign_id: 'cmp_fair', run_id: 'r1', person_id: p.id, user_id: p.id, arm: 'a', assigned_at: new Date(now) })),
      { campaign_id: 'cmp_fair', run_id: 'r1', person_id: people[1]!.id, user_id: people[1]!.id, arm: 'control', assigned_at: new Date(now) },
    ]);
    const r = await campaignExposure(sc.rt, 'gender');
    const c = r.campaigns.find((x) => x.id === 'cmp_fair')!;
    assert.equal(c.treated, 6);
    const female = c.groups.find((g) => g.group === 'female')!;
    assert.equal(female.reached, 4 / 6);
    assert.equal(female.population, 8 / 12);
    assert.ok(Math.abs(female.ratio! - (4 / 6) / (8 / 12)) < 1e-12);
  });

  it('recommendation exposure samples each group and reports its lists', async () => {
    const r = await recommendationExposure(sc.rt, 'city_tier', 3);
    assert.deepEqual(r.groups.map((g) => g.group).sort(), ['一线', '二线']);
    for (const g of r.groups) {
      assert.equal(g.people, 3);
      assert.ok(g.personalised >= 0 && g.personalised <= 1);
      assert.ok(g.topCategories.reduce((a, c) => a + c.share, 0) <= 1 + 1e-9);
    }
  });
});
