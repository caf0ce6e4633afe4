import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecommendEngine } from '../../src/recommend/index.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { DAY, MINUTE, byId, consent, ev, loadCatalog, send } from './fixture.ts';

/**
 * The engine on the runtime, on the hand-made shop: business filters and feedback obeyed, the diversity
 * knob, a reason on every item, cold start, and live updates as events arrive through the pipeline.
 */

const now = Date.now();
const t0 = now - 6 * DAY;
let sc: Scenario;
let engine: RecommendEngine;

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-rec-engine-' });
  await loadCatalog(sc.rt, now);
  const m = [];
  // shoppers who tie the dresses together, the phones together, and snacks with phones
  for (let n = 0; n < 6; n++) {
    const u = `shopper${n}`;
    const t = t0 + n * 10 * MINUTE;
    m.push(ev.view(u, 'a1', t), ev.view(u, 'a2', t + MINUTE), ev.view(u, 'n1', t + 2 * MINUTE), ev.view(u, 'a4', t + 3 * MINUTE));
    m.push(ev.view(u, 'b1', t + DAY), ev.cart(u, 'b2', t + DAY + MINUTE), ev.view(u, 'b3', t + DAY + 2 * MINUTE));
    m.push(ev.buy(u, [n < 3 ? 'c1' : 'c2', 'b2'], t + 2 * DAY), ev.view(u, 'c2', t + 2 * DAY + MINUTE), ev.buy(u, ['a2', 'a4'], t + 2 * DAY + 5 * MINUTE));
  }
  // ann likes dresses and bought a3 once; nobody ever buys the same item twice, so a3 must not come back
  m.push(ev.view('ann', 'a1', t0 + 3 * DAY), ev.buy('ann', ['a3'], t0 + 3 * DAY + MINUTE), ev.view('ann', 'b1', t0 + 3 * DAY + 2 * MINUTE));
  // everyone consents to personalisation except noel, who browses like shopper0
  for (const u of ['ann', 'zed', ...Array.from({ length: 6 }, (_, n) => `shopper${n}`)]) m.push(consent(u, t0 - DAY));
  m.push(consent('noel', t0 - DAY, false), ev.view('noel', 'a1', t0 + DAY), ev.view('noel', 'a2', t0 + DAY + MINUTE));
  await send(sc.rt, m);
  await sc.rt.tags.build({ trigger: 'test' });
  engine = sc.rt.recommend;
  await engine.train({ trigger: 'test' });
});
after(() => sc?.close());

const ids = (r: { items: { itemId: string }[] }) => r.items.map((i) => i.itemId);

describe('business filters', () => {
  it('never recommends what the person bought (non-repeatable) or what is out of stock', async () => {
    const r = await engine.forUser('ann', { limit: 10, explore: 0 });
    assert.ok(r.items.length > 0);
    assert.ok(!ids(r).includes('a3'), `a3 was bought: ${ids(r)}`);
    assert.ok(!ids(r).includes('c1'), `c1 is out of stock: ${ids(r)}`);
    for (const u of ['shopper0', 'shopper3', 'nobody-yet']) assert.ok(!ids(await engine.forUser(u, { limit: 11 })).includes('c1'));
  });

  it('excluded categories are left out; when categories are included only they appear (several of each)', async () => {
    const ex = await engine.forUser('ann', { limit: 10, exclude: ['服装', '食品/零食'] });
    assert.ok(ex.items.length > 0);
    for (const i of ex.items) assert.ok(!i.category.startsWith('服装') && !i.category.startsWith('食品/零食'), i.category);
    const inc = await engine.forUser('ann', { limit: 10, include: ['数码/手机', '数码/影音/耳机'] });
    assert.ok(inc.items.length > 0);
    for (const i of inc.items) assert.ok(i.category.startsWith('数码/手机') || i.category === '数码/影音/耳机', i.category);
    const brand = await engine.forUser('ann', { limit: 10, include: ['brand:极光'] });
    assert.deepEqual([...new Set(brand.items.map((i) => i.brand))], ['极光']);
  });
});

describe('feedback', () => {
  it('"not interested" in an item or a category applies to the very next request, and survives a restart', async () => {
    const first = await engine.forUser('shopper1', { limit: 10, explore: 0 });
    const gone = first.items[0]!.itemId;
    await engine.recordFeedback('shopper1', { kind: 'not_interested', itemId: gone });
    const second = await engine.forUser('shopper1', { limit: 10, explore: 0 });
    assert.ok(!ids(second).includes(gone), `${gone} still recommended`);
    await engine.recordFeedback('shopper1', { kind: 'dislike', category: '数码' });
    const third = await engine.forUser('shopper1', { limit: 10, explore: 0 });
    assert.ok(third.items.length > 0 && third.items.every((i) => !i.category.startsWith('数码')), third.items.map((i) => i.category).join(' '));
    // a fresh engine reads the recorded feedback back
    const again = new RecommendEngine({ olap: sc.rt.olap, oltp: sc.rt.oltp, identity: sc.rt.identity, log: sc.rt.log });
    await again.init();
    await again.train({ trigger: 'test' });
    const fourth = await again.forUser('shopper1', { limit: 10, explore: 0 });
    assert.ok(!ids(fourth).includes(gone) && fourth.items.every((i) => !i.category.startsWith('数码')));
    await again.stop();
  });
});

describe('diversity and exploration', () => {
  it('the diversity knob spreads the list over categories; maxPerCategory caps a category', async () => {
    const cats = (r: { items: { category: string }[] }) => new Set(r.items.map((i) => i.category)).size;
    const narrow = await engine.forUser('shopper2', { limit: 5, diversity: 0, explore: 0 });
    const wide = await engine.forUser('shopper2', { limit: 5, diversity: 1, explore: 0 });
    assert.ok(cats(wide) >= cats(narrow), `${cats(wide)} vs ${cats(narrow)}`);
    assert.ok(cats(wide) >= 4, `diversity 1: ${wide.items.map((i) => i.category).join(' ')}`);
    const capped = await engine.forUser('shopper2', { limit: 6, maxPerCategory: 1, explore: 0 });
    assert.equal(cats(capped), capped.items.length);
  });

  it('an exploration share puts new arrivals in the list, and is stable for a person within a day', async () => {
    const r1 = await engine.forUser('ann', { limit: 10, explore: 0.3, exclude: [] });
    const r2 = await engine.forUser('ann', { limit: 10, explore: 0.3 });
    assert.deepEqual(ids(r1), ids(r2));
    const explored = r1.items.filter((i) => i.source === 'explore');
    for (const i of explored) assert.ok(byId.get(i.itemId)!.launchedDaysAgo !== undefined, `${i.itemId} is not new`);
  });
});

describe('explanations', () => {
  it('every recommended item carries a readable reason naming what led to it', async () => {
    for (const u of ['ann', 'shopper0', 'shopper4', 'stranger']) {
      for (const scene of ['home', 'email'] as const) {
        const r = await engine.forUser(u, { limit: 10, scene, lang: 'zh' });
        assert.ok(r.items.length > 0, `${u}/${scene}`);
        for (const i of r.items) {
          assert.ok(i.reason.length > 3, `${u}/${i.itemId}: '${i.reason}'`);
          if (i.becauseOf && ['itemcf', 'content', 'session', 'together'].includes(i.source)) assert.ok(i.reason.includes(byId.get(i.becauseOf)!.title), i.reason);
        }
      }
    }
    const en = await engine.forUser('ann', { limit: 5, lang: 'en', explore: 0 });
    assert.ok(en.items.every((i) => /[a-z]/.test(i.reason)), en.items.map((i) => i.reason).join(' | '));
    const tog = await engine.boughtTogether('b2', { limit: 5 });
    // b2 was bought with c1 (out of stock) and with c2: only c2 is offered, and nothing else fills the list
    assert.deepEqual(ids(tog), ['c2']);
    assert.ok(tog.items.every((i) => i.source === 'together' && i.reason.includes(byId.get('b2')!.title)), JSON.stringify(tog.items));
  });

  it('without personalisation consent a person gets the anonymous list, whatever they browsed', async () => {
    const noel = await engine.forUser('noel', { limit: 6, explore: 0 });
    const anon = await engine.forUser('never-seen-before', { limit: 6, explore: 0 });
    assert.deepEqual(ids(noel), ids(anon));
    assert.ok(noel.items.every((i) => i.source === 'popular' || i.source === 'trending') && noel.items.every((i) => !i.becauseOf));
    const ann = await engine.forUser('ann', { limit: 6, explore: 0 });
    assert.ok(ann.items.some((i) => i.becauseOf), 'ann consented: her lists use her history');
  });

  it('a person with no history gets the popular list, not an empty one', async () => {
    const r = await engine.forUser('brand-new-visitor', { limit: 5 });
    assert.equal(r.items.length, 5);
    assert.ok(r.items.every((i) => i.source === 'popular' || i.source === 'trending' || i.source === 'explore'), r.items.map((i) => i.source).join(' '));
  });
});

describe('live updates', () => {
  it('events arriving after training update the person’s list and the item-CF neighbours without retraining', async () => {
    const m = engine.models!;
    const c2 = m.catalog.index.get('c2')!;
    const a3 = m.catalog.index.get('a3')!;
    const before = m.itemcf.simOf(c2, a3);
    // a newcomer (unknown at training) views c2 then a3
    const t = Date.now();
    await send(sc.rt, [ev.view('zed', 'c2', t), ev.view('zed', 'a3', t + 1000)]);
    await engine.settled();
    assert.ok(m.itemcf.simOf(c2, a3) > before, 'the c2–a3 pair is in the neighbour lists');
    const r = await engine.forUser('zed', { limit: 10, explore: 0 });
    assert.ok(r.items.length > 0);
    assert.ok(r.items.some((i) => i.becauseOf === 'a3' || i.becauseOf === 'c2'), JSON.stringify(r.items.map((i) => [i.itemId, i.source, i.becauseOf])));
    // ann views b3: the next request knows it, and her last view leads the session list
    await send(sc.rt, [ev.view('ann', 'b3', Date.now())]);
    await engine.settled();
    const s = await engine.userState('ann');
    assert.equal(m.catalog.ids[s.views[0]!.item], 'b3');
  });
});

describe('serving memory', () => {
  it('keeps the blended candidates of the most recently served people only, and answers the others the same', async () => {
    const small = new RecommendEngine({ olap: sc.rt.olap, oltp: sc.rt.oltp, identity: sc.rt.identity, log: sc.rt.log }, { candidateCacheSize: 2, prepareDays: 0 });
    await small.init();
    await small.train({ trigger: 'test' });
    const people = ['shopper0', 'shopper1', 'shopper2', 'shopper3'];
    const first = new Map<string, string[]>();
    for (const u of people) first.set(u, ids(await small.forUser(u, { limit: 8, explore: 0 })));
    assert.equal(small.status().cachedPeople, 4, 'every state is kept');
    assert.equal(small.status().cachedCandidates, 2, 'only the last two keep their candidates');
    // shopper0's candidates were dropped: ranked again from its state, the list is the same
    for (const u of people) assert.deepEqual(ids(await small.forUser(u, { limit: 8, explore: 0 })), first.get(u), u);
    assert.deepEqual(ids(await engine.forUser('shopper0', { limit: 8, explore: 0 })), first.get('shopper0'), 'and the same as an engine that kept everything');
    await small.stop();
  });

  it('prepares the recently active after a training: their candidates are blended before they ask, and their lists are the same', async () => {
    const plain = new RecommendEngine({ olap: sc.rt.olap, oltp: sc.rt.oltp, identity: sc.rt.identity, log: sc.rt.log }, { prepareDays: 0 });
    const ready = new RecommendEngine({ olap: sc.rt.olap, oltp: sc.rt.oltp, identity: sc.rt.identity, log: sc.rt.log }, { prepareDays: 4.5 });
    await plain.init();
    await ready.init();
    // trained as of the same moment, so that only the preparation differs
    const asOf = new Date();
    await plain.train({ trigger: 'test', asOf });
    await ready.train({ trigger: 'test', asOf });
    await ready.prepared();
    assert.equal(plain.status().cachedPeople, 0);
    // the shoppers and ann were active within 4.5 days of the training; noel last browsed 5 days before it
    const p = ready.status().preparation!;
    assert.ok(p.total >= 7 && p.done === p.total && p.seconds !== undefined && !p.stopped, JSON.stringify(p));
    assert.equal(ready.status().cachedCandidates, p.total);
    for (const u of ['ann', 'shopper0', 'shopper5']) assert.ok((await ready.userState(u)).candidates, `${u} was prepared`);
    assert.equal((await ready.userState('noel')).candidates, undefined, 'noel was not');
    for (const u of ['ann', 'shopper0', 'shopper3', 'noel', 'nobody-yet']) {
      for (const req of [{ limit: 8 }, { limit: 5, explore: 0, exclude: ['服装'] }]) {
        const a = await plain.forUser(u, req);
        const b = await ready.forUser(u, req);
        assert.deepEqual(b.items.map((i) => [i.itemId, i.score, i.reason]), a.items.map((i) => [i.itemId, i.score, i.reason]), `${u} ${JSON.stringify(req)}`);
      }
    }
    await plain.stop();
    await ready.stop();
  });
});
