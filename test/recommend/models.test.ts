import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadCatalog as readCatalog, loadInteractions, touchesOf } from '../../src/recommend/data.ts';
import { ALS } from '../../src/recommend/models/als.ts';
import { BoughtTogether } from '../../src/recommend/models/boughtTogether.ts';
import { Content } from '../../src/recommend/models/content.ts';
import { ItemCF } from '../../src/recommend/models/itemcf.ts';
import { Popular, groupsOf } from '../../src/recommend/models/popular.ts';
import { SessionModel } from '../../src/recommend/models/session.ts';
import { emptyProfile, type Catalog, type Interactions, type Profile } from '../../src/recommend/types.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { DAY, MINUTE, ITEMS, ev, loadCatalog, send } from './fixture.ts';

/**
 * Each model on a tiny hand-made shop whose right answer is known by construction, and checked against
 * the model's formula computed here, independently, over the same events.
 */

type Kind = 'view' | 'wish' | 'cart' | 'buy';
interface E { u: string; kind: Kind; items: string[]; t: number }
const W: Record<Kind, number> = { view: 1, wish: 2, cart: 3, buy: 5 };

const now = Date.now();
const asOf = now - DAY;
const t0 = now - 5 * DAY;
const H = 60 * MINUTE;

const EVENTS: E[] = [
  // item-CF: a1 with a3 through a buyer (weight 5), with a2 through a viewer (1), with a4 long ago (decayed)
  { u: 'u1', kind: 'view', items: ['a1'], t: t0 },
  { u: 'u1', kind: 'view', items: ['a2'], t: t0 + MINUTE * 90 },
  { u: 'u2', kind: 'buy', items: ['a1', 'a3'], t: t0 },
  { u: 'u3', kind: 'view', items: ['a1'], t: t0 - 60 * DAY },
  { u: 'u3', kind: 'view', items: ['a4'], t: t0 - 60 * DAY + 2 * H },
  { u: 'u4', kind: 'view', items: ['b1'], t: t0 },
  { u: 'u4', kind: 'cart', items: ['b2'], t: t0 + 2 * H },
  // bought together: a1 with b2 twice
  { u: 'u5', kind: 'buy', items: ['a1', 'b2'], t: t0 + DAY },
  { u: 'u6', kind: 'buy', items: ['a1', 'b2'], t: t0 + DAY },
  { u: 'u7', kind: 'buy', items: ['b1', 'b2'], t: t0 + DAY },
  { u: 'u8', kind: 'buy', items: ['c2'], t: t0 + DAY },
  { u: 'u9', kind: 'buy', items: ['a2', 'b3'], t: t0 + DAY },
  // session: a1 → a2 → a3 within minutes, then b1 three hours later (another session)
  { u: 'u10', kind: 'view', items: ['a1'], t: t0 + 2 * DAY },
  { u: 'u10', kind: 'view', items: ['a2'], t: t0 + 2 * DAY + MINUTE },
  { u: 'u10', kind: 'view', items: ['a3'], t: t0 + 2 * DAY + 2 * MINUTE },
  { u: 'u10', kind: 'view', items: ['b1'], t: t0 + 2 * DAY + 3 * H },
  { u: 'u11', kind: 'view', items: ['a1'], t: t0 + 2 * DAY },
  { u: 'u11', kind: 'wish', items: ['a2'], t: t0 + 2 * DAY + MINUTE },
  { u: 'u11', kind: 'view', items: ['a2'], t: t0 + 2 * DAY + 2 * MINUTE },
  // trending: b3 viewed in the last three days, b4 ten days before
  ...[1, 2, 3].map((n) => ({ u: `t${n}`, kind: 'view' as Kind, items: ['b3'], t: asOf - n * 10 * H })),
  ...[1, 2, 3, 4, 5, 6].map((n) => ({ u: `s${n}`, kind: 'view' as Kind, items: ['b4'], t: asOf - 10 * DAY - n * H })),
  // after the as-of moment: must not count
  { u: 'u1', kind: 'buy', items: ['b4'], t: asOf + H },
];

const message = (e: E) => (e.kind === 'buy' ? ev.buy(e.u, e.items, e.t) : ev[e.kind](e.u, e.items[0]!, e.t));

// ---- the formulas, written again over EVENTS ----

/** w_ui = Σ behaviour weight × 2^(−age/30 days) over events before asOf and within 180 days */
function interest(): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  for (const e of EVENTS) {
    if (e.t >= asOf || e.t < asOf - 180 * DAY) continue;
    const row = m.get(e.u) ?? m.set(e.u, new Map()).get(e.u)!;
    for (const i of e.items) row.set(i, (row.get(i) ?? 0) + W[e.kind] * 2 ** (-(asOf - e.t) / (30 * DAY)));
  }
  return m;
}

function itemCfSims(): Map<string, Map<string, number>> {
  const w = interest();
  const norm = new Map<string, number>();
  const co = new Map<string, Map<string, number>>();
  for (const row of w.values()) {
    const d = 1 / Math.log(2 + row.size);
    for (const [i, wi] of row) {
      norm.set(i, (norm.get(i) ?? 0) + Math.log1p(wi) ** 2 * d);
      for (const [j, wj] of row) {
        if (i === j) continue;
        const r = co.get(i) ?? co.set(i, new Map()).get(i)!;
        r.set(j, (r.get(j) ?? 0) + Math.log1p(wi) * Math.log1p(wj) * d);
      }
    }
  }
  const sims = new Map<string, Map<string, number>>();
  for (const [i, r] of co) sims.set(i, new Map([...r].map(([j, c]) => [j, c / Math.sqrt(norm.get(i)! * norm.get(j)!)])));
  return sims;
}

let sc: Scenario;
let catalog: Catalog;
let x: Interactions;
before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-rec-models-' });
  await loadCatalog(sc.rt, now);
  await send(sc.rt, EVENTS.map(message));
  catalog = await readCatalog(sc.rt.olap);
  x = await loadInteractions(sc.rt.olap, catalog, { asOf });
});
after(() => sc?.close());

const id = (i: number) => catalog.ids[i]!;
const ix = (s: string) => catalog.index.get(s)!;

describe('interactions (SQL aggregation with decay)', () => {
  it('match Σ weight × 2^(−age/half-life) per person × item, and ignore events after the as-of moment', () => {
    const want = interest();
    let pairs = 0;
    for (const [u, row] of want) {
      const k = x.personIndex.get(u);
      assert.ok(k !== undefined, `person ${u}`);
      const got = new Map(touchesOf(x, k).map((t) => [id(t.item), t.weight]));
      assert.equal(got.size, row.size, `${u}: items`);
      for (const [i, v] of row) assert.ok(Math.abs(got.get(i)! - v) < 1e-4, `${u}/${i}: ${got.get(i)} vs ${v}`);
      pairs += row.size;
    }
    assert.equal(x.item.length, pairs);
    assert.ok(!touchesOf(x, x.personIndex.get('u1')!).some((t) => id(t.item) === 'b4'), 'a purchase after as-of is not training data');
  });
});

describe('item-CF', () => {
  it('neighbours of a1 follow the cosine of decayed, damped interest; a4 (seen with a1 60 days ago) below the recent pairs', () => {
    const m = ItemCF.train(x, catalog.ids.length);
    const got = m.similar(ix('a1'), 10).map((s) => [id(s.item), s.score] as const);
    const want = [...itemCfSims().get('a1')!].sort((p, q) => q[1] - p[1]);
    assert.deepEqual(got.map((g) => g[0]), want.map((w) => w[0]));
    for (let r = 0; r < want.length; r++) assert.ok(Math.abs(got[r]![1] - want[r]![1]) < 1e-4, `${want[r]![0]}: ${got[r]![1]} vs ${want[r]![1]}`);
    const order = got.map((g) => g[0]);
    assert.ok(order.indexOf('a4') > order.indexOf('a2') && order.indexOf('a4') > order.indexOf('a3'), `a4's only co-occurrence is 60 days old: ${order.join(' ')}`);
  });

  it('a pair from a buyer outweighs a pair from a viewer (view 1 < buy 5)', () => {
    // person A viewed items 0 and 1; person B bought items 0 and 2
    const synth: Interactions = {
      persons: ['A', 'B'], personIndex: new Map([['A', 0], ['B', 1]]), ptr: Int32Array.of(0, 2, 4), item: Int32Array.of(0, 1, 0, 2),
      weight: Float32Array.of(1, 1, 5, 5), buys: Uint16Array.of(0, 0, 1, 1), last: new Float64Array(4), asOf: 0,
    };
    const m = ItemCF.train(synth, 3);
    assert.deepEqual(m.similar(0, 5).map((s) => s.item), [2, 1]);
    assert.ok(m.simOf(0, 2) > m.simOf(0, 1));
  });

  it('an arriving event updates the neighbour lists in place (incremental)', () => {
    const m = ItemCF.train(x, catalog.ids.length);
    assert.equal(m.simOf(ix('c2'), ix('b3')), 0);
    // someone who viewed b3 now views c2
    m.observe(ix('c2'), Math.log1p(1) / Math.sqrt(Math.log(4)), [{ item: ix('b3'), v: Math.log1p(1) / Math.sqrt(Math.log(4)) }]);
    assert.ok(m.simOf(ix('c2'), ix('b3')) > 0 && m.simOf(ix('b3'), ix('c2')) > 0);
    assert.equal(m.similar(ix('c2'), 5)[0]!.item, ix('b3'));
  });

  it('a person’s list sums log(1 + w) × similarity over their last 30 items, names the strongest contributor, and is the same on every call', () => {
    const m = ItemCF.train(x, catalog.ids.length);
    for (let u = 0; u < x.persons.length; u++) {
      const history = touchesOf(x, u);
      // the formula, here with a plain Map over the neighbour lists
      const sums = new Map<number, { score: number; via: number; best: number }>();
      for (const h of history.slice(0, 30)) {
        for (const n of m.similar(h.item, m.k)) {
          const add = Math.log1p(h.weight) * n.score;
          const cur = sums.get(n.item);
          if (!cur) sums.set(n.item, { score: add, via: h.item, best: add });
          else {
            cur.score += add;
            if (add > cur.best) Object.assign(cur, { best: add, via: h.item });
          }
        }
      }
      const want = [...sums].map(([item, v]) => ({ item, score: v.score, via: v.via })).sort((p, q) => q.score - p.score || p.item - q.item).slice(0, 3);
      // the scratch rows are reused from call to call: a second call (after another person's) answers the same
      assert.deepEqual(m.recommend(history, 3), want, x.persons[u]);
      m.recommend(touchesOf(x, (u + 1) % x.persons.length), 50);
      assert.deepEqual(m.recommend(history, 3), want, `${x.persons[u]} again`);
    }
  });
});

describe('iALS (conjugate gradient)', () => {
  it('two taste groups: each person’s best unseen item is the one item of their own group they missed', () => {
    // 12 people × 8 items; people 0–5 like items 0–3, 6–11 like items 4–7; person p misses item p % 4 of their group
    const persons = Array.from({ length: 12 }, (_, p) => `p${p}`);
    const rows: number[][] = persons.map((_, p) => {
      const base = p < 6 ? 0 : 4;
      return [0, 1, 2, 3].filter((k) => k !== p % 4).map((k) => base + k);
    });
    const ptr = Int32Array.from([0, ...rows.map((_, p) => rows.slice(0, p + 1).flat().length)]);
    const synth: Interactions = {
      persons, personIndex: new Map(persons.map((p, i) => [p, i])), ptr, item: Int32Array.from(rows.flat()),
      weight: new Float32Array(rows.flat().length).fill(3), buys: new Uint16Array(rows.flat().length), last: new Float64Array(rows.flat().length), asOf: 0,
    };
    const m = ALS.train(synth, 8, { factors: 4, iterations: 15, lambda: 0.05 });
    for (let p = 0; p < 12; p++) {
      const s = m.scoresOf(m.userVector(p));
      const unseen = [...Array(8).keys()].filter((i) => !rows[p]!.includes(i)).sort((a, b) => s[b]! - s[a]!);
      assert.equal(unseen[0], (p < 6 ? 0 : 4) + (p % 4), `person ${p}: ${[...s].map((v) => v.toFixed(2)).join(' ')}`);
    }
    // folding in a new person who likes items 4, 5, 6 puts item 7 first
    const v = m.foldIn([4, 5, 6].map((item) => ({ item, at: 0, weight: 3, bought: false })));
    const s = m.scoresOf(v);
    assert.equal([0, 1, 2, 3, 7].sort((a, b) => s[b]! - s[a]!)[0], 7);
    // a second fold-in (the item factors' Gram matrix kept from the first) gives the same vector, and the
    // served list is the scores' top items in order
    assert.deepEqual([...m.foldIn([4, 5, 6].map((item) => ({ item, at: 0, weight: 3, bought: false })))], [...v]);
    const byScore = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, 3);
    assert.deepEqual(m.recommend(v, 3).map((r) => [r.item, r.score]), byScore.map((i) => [i, s[i]!]));
  });
});

describe('content-based (attributes and jieba-cut titles)', () => {
  it('the untouched new arrival n1 (same category, brand, colour, material, words) is a1’s closest item, so it gets exposure', () => {
    const m = Content.train(catalog);
    const sim = m.similar(ix('a1'), 5).map((s) => id(s.item));
    assert.equal(sim[0], 'n1');
    assert.ok(sim.includes('a2') && sim.includes('a3'), sim.join(' '));
    assert.deepEqual(m.similar(ix('b1'), 5).map((s) => id(s.item)), ['b2'], 'candidates share the leaf category or the brand');
    const forViewer = m.recommend([{ item: ix('a1'), at: 0, weight: 1, bought: false }], 5);
    assert.equal(id(forViewer[0]!.item), 'n1');
    assert.equal(forViewer[0]!.via, ix('a1'));
  });
});

describe('bought together (order baskets)', () => {
  it('scores pairs by confidence × (1 − 1/lift) over multi-item orders, computed here from the orders', async () => {
    const m = await BoughtTogether.train(sc.rt.olap, catalog, { asOf, minSupport: 1 });
    const baskets = EVENTS.filter((e) => e.kind === 'buy' && e.t < asOf && e.items.length > 1).map((e) => e.items);
    const n = baskets.length;
    const count = (...xs: string[]) => baskets.filter((b) => xs.every((v) => b.includes(v))).length;
    const items = [...new Set(baskets.flat())];
    for (const a of items) {
      const want = items
        .filter((b) => b !== a && count(a, b) > 0)
        .map((b) => {
          const lift = (count(a, b) * n) / (count(a) * count(b));
          return { b, s: lift > 1 ? (count(a, b) / count(a)) * (1 - 1 / lift) : 0 };
        })
        .filter((p) => p.s > 0)
        .sort((p, q) => q.s - p.s || ix(p.b) - ix(q.b));
      const got = m.with(ix(a), 10);
      assert.deepEqual(got.map((g) => id(g.item)), want.map((w) => w.b), `with ${a}`);
      got.forEach((g, r) => assert.ok(Math.abs(g.score - want[r]!.s) < 1e-9));
    }
    // a3 was only ever bought with a1 (lift 5/3), b2 also with b1 (lift 10/9): a3 first despite fewer orders
    assert.deepEqual(m.with(ix('a1'), 5).map((g) => id(g.item)), ['a3', 'b2']);
    const basket = m.forBasket([ix('a1'), ix('b1')], 5);
    assert.equal(id(basket[0]!.item), 'b2');
  });
});

describe('popularity, trending and groups', () => {
  it('per-group lists sum the members’ interest; a person gets their most specific big-enough group, else everyone’s', () => {
    const prof = (tier: string, ps: boolean): Profile => ({ ...emptyProfile(), cityTier: tier, priceSensitive: ps });
    const profiles = new Map<string, Profile>([['u1', prof('一线', true)], ['u2', prof('一线', true)], ['u4', prof('二线', false)], ['u5', prof('二线', true)]]);
    const m = Popular.fromInteractions(catalog.ids.length, x, (p) => profiles.get(p), { minGroup: 2 });
    const w = interest();
    const sum = (who: string[]) => {
      const acc = new Map<string, number>();
      for (const u of who) for (const [i, v] of w.get(u) ?? []) acc.set(i, (acc.get(i) ?? 0) + v);
      return [...acc].sort((p, q) => q[1] - p[1] || ix(p[0]) - ix(q[0]));
    };
    const g = m.forProfile(prof('一线', true), 50);
    assert.equal(g.group, 'tier=一线&type=price_sensitive');
    assert.deepEqual(g.items.map((s) => id(s.item)), sum(['u1', 'u2']).map((p) => p[0]));
    // 二线 has two people but only one price-sensitive: the type list (u1, u2, u5) is used
    const h = m.forProfile(prof('二线', true), 50);
    assert.equal(h.group, 'type=price_sensitive');
    assert.deepEqual(h.items.map((s) => id(s.item)), sum(['u1', 'u2', 'u5']).map((p) => p[0]));
    assert.equal(m.forProfile(prof('二线', false), 50).group, 'tier=二线');
    const nobody = m.forProfile(undefined, 50);
    assert.equal(nobody.group, null);
    assert.deepEqual(nobody.items.map((s) => id(s.item)), sum([...w.keys()]).map((p) => p[0]));
    assert.deepEqual(groupsOf(prof('三线', true)), ['tier=三线&type=price_sensitive', 'type=price_sensitive', 'tier=三线']);
  });

  it('trending compares the last 3 days with the 14 before: b3 (viewed lately) is in, b4 (ten days ago) is not', async () => {
    const m = await Popular.train(sc.rt.olap, catalog, x, () => undefined, { asOf });
    const score = (item: string) => {
      let recent = 0;
      let before = 0;
      for (const e of EVENTS) {
        if (!e.items.includes(item) || e.t >= asOf || e.t < asOf - 17 * DAY) continue;
        if (e.t >= asOf - 3 * DAY) recent += W[e.kind];
        else before += W[e.kind];
      }
      return recent > 0 ? ((recent / 3 + 1) / (before / 14 + 1)) * Math.log(1 + recent) : 0;
    };
    const want = ITEMS.map((i) => ({ i: i.id, s: score(i.id) })).filter((p) => p.s > 0).sort((p, q) => q.s - p.s || (p.i < q.i ? -1 : 1));
    assert.deepEqual(m.trending.map((s) => id(s.item)), want.map((p) => p.i));
    m.trending.forEach((s, r) => assert.ok(Math.abs(s.score - want[r]!.s) < 1e-6));
    const order = m.trending.map((s) => id(s.item));
    assert.ok(order.includes('b3'), order.join(' '));
    assert.ok(!m.trending.some((s) => id(s.item) === 'b4'), 'nothing recent, not trending');
  });
});

describe('session-based (last views)', () => {
  it('counts the next three views within 30 minutes at 1/distance; the view three hours later is another session', async () => {
    const m = await SessionModel.train(sc.rt.olap, catalog, { asOf });
    // independent: per person, views sorted by time; pairs (a, b) at distance d ≤ 3 within 30 minutes
    const pairs = new Map<string, number>();
    const byUser = new Map<string, E[]>();
    for (const e of EVENTS) if (e.kind === 'view' && e.t < asOf) (byUser.get(e.u) ?? byUser.set(e.u, []).get(e.u)!).push(e);
    for (const seq of byUser.values()) {
      seq.sort((p, q) => p.t - q.t);
      for (let i = 0; i < seq.length; i++) {
        for (let d = 1; d <= 3 && i + d < seq.length; d++) {
          const a = seq[i]!.items[0]!;
          const b = seq[i + d]!.items[0]!;
          if (a === b || seq[i + d]!.t - seq[i]!.t > 30 * MINUTE) continue;
          pairs.set(`${a}>${b}`, (pairs.get(`${a}>${b}`) ?? 0) + 1 / d);
        }
      }
    }
    const out = new Map<string, number>();
    const inn = new Map<string, number>();
    for (const [k, v] of pairs) {
      const [a, b] = k.split('>') as [string, string];
      out.set(a, (out.get(a) ?? 0) + v);
      inn.set(b, (inn.get(b) ?? 0) + v);
    }
    const want = [...pairs].filter(([k]) => k.startsWith('a1>')).map(([k, v]) => ({ b: k.slice(3), s: v / Math.sqrt(out.get('a1')! * inn.get(k.slice(3))!) })).sort((p, q) => q.s - p.s);
    const got = m.after(ix('a1'), 10);
    assert.deepEqual(got.map((g) => id(g.item)), want.map((w) => w.b));
    got.forEach((g, r) => assert.ok(Math.abs(g.score - want[r]!.s) < 1e-9));
    assert.deepEqual(want.map((w) => w.b), ['a2', 'a3']);
    assert.equal(m.after(ix('a3'), 10).length, 0, 'b1 came three hours after a3');
    const next = m.recommend([{ item: ix('a2'), at: 0, weight: 1, bought: false }, { item: ix('a1'), at: 0, weight: 1, bought: false }], 5);
    assert.equal(id(next[0]!.item), 'a3');
  });
});
