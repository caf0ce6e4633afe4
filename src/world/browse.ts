// What a shopper looks at. Items are chosen like a real shopper scanning a result page: a few
// candidates from the category (by popularity), plus the newest arrivals and house brands the shopper
// watches for, then the one with the best personal utility (price taste, novelty, brand, noise)
// wins. Persona differences in paid prices, novelty and brand repeat all come from this choice.

import { ADJECTIVES, COLOURS } from './brandData.ts';
import { DAY } from './calendar.ts';
import { priceAt } from './catalog.ts';
import type { Person } from './people.ts';
import type { Sim } from './sim.ts';

const NEW_WINDOW = 45 * DAY;

/** Number of items of a launch-sorted leaf list already on sale at time t. */
function launchedCount(launch: Float64Array, t: number): number {
  let lo = 0;
  let hi = launch.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (launch[m] <= t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export function pickLeaf(sim: Sim, top: number): number {
  const c = sim.catalog;
  return c.leavesByTop[top][sim.rng.fromCumulative(c.leafCumByTop[top])];
}

function utility(sim: Sim, u: Person, i: number, t: number): number {
  const c = sim.catalog;
  let s = -u.priceElasticity * c.logRelOf[i] + sim.rng.gumbelFast();
  const age = t - c.launchOf[i];
  if (age < 2 * NEW_WINDOW && u.newArrivalPreference > 0) s += u.newArrivalPreference * 1.6 * Math.exp(-age / NEW_WINDOW);
  if (u.favouriteBrands.length && u.favouriteBrands.includes(c.brandOf[i])) s += u.brandLoyalty;
  return s;
}

/** The item a shopper opens next in a leaf category (-1 leaf = pick one from the top category). */
export function chooseItem(sim: Sim, u: Person, top: number, leaf: number, t: number): number {
  const { rng, catalog } = sim;
  const l = leaf >= 0 ? leaf : pickLeaf(sim, top);
  const list = catalog.itemsByLeaf[l];
  const n = launchedCount(catalog.launchByLeaf[l], t);
  if (n === 0) return list[0];
  const cum = catalog.itemCumByLeaf[l];
  let best = list[rng.fromCumulative(cum, 0, n)];
  let bestScore = utility(sim, u, best, t);
  for (let k = 0; k < 4; k++) {
    const i = list[rng.fromCumulative(cum, 0, n)];
    const sc = utility(sim, u, i, t);
    if (sc > bestScore) {
      bestScore = sc;
      best = i;
    }
  }
  // The "新品" shelf: the latest launches are in view for shoppers who look for them.
  if (u.newArrivalPreference > 0.6) {
    for (let k = 0; k < 2 && k < n; k++) {
      const i = list[n - 1 - k - (k ? rng.int(Math.min(3, n - 1)) : 0)];
      const sc = utility(sim, u, i, t);
      if (sc > bestScore) {
        bestScore = sc;
        best = i;
      }
    }
  }
  // House brands: a loyal shopper goes looking for them (旗舰店).
  const favs = u.favouriteBrands;
  for (let b = 0; b < favs.length; b++) {
    if (catalog.brands[favs[b]].top !== top) continue;
    const own = catalog.itemsByBrand[favs[b]];
    const i = own[rng.int(own.length)];
    if (catalog.launchOf[i] > t) continue;
    const sc = utility(sim, u, i, t);
    if (sc > bestScore) {
      bestScore = sc;
      best = i;
    }
  }
  return best;
}

/** What the shopper types: the leaf name, a habit word, or brand/colour/style + leaf. */
export function searchQuery(sim: Sim, u: Person, leaf: number): string {
  const rng = sim.rng;
  const cat = sim.catalog.categories[leaf];
  const kw = cat.keywords;
  const x = rng.next();
  if (u.locale === 'en-US' && x < 0.5) return cat.en.toLowerCase();
  if (x < 0.4) return kw[0];
  if (x < 0.65) return rng.pick(kw);
  if (x < 0.8) {
    const brands = sim.catalog.brands.filter((b) => b.top === cat.top);
    const fav = u.favouriteBrands.find((b) => sim.catalog.brands[b].top === cat.top);
    return `${fav !== undefined ? sim.catalog.brands[fav].zh : rng.pick(brands).zh} ${kw[0]}`;
  }
  if (x < 0.9) return `${rng.pick(COLOURS).zh}${kw[0]}`;
  return `${rng.pick(ADJECTIVES[sim.catalog.tops[cat.top].attrs]).zh} ${kw[0]}`;
}

/** Product List Viewed properties: a result page of four items from the leaf. */
export function listProps(sim: Sim, leaf: number, listId: string, t: number, promoDay: boolean): string {
  const { rng, catalog } = sim;
  const list = catalog.itemsByLeaf[leaf];
  const n = launchedCount(catalog.launchByLeaf[leaf], t) || list.length;
  const cum = catalog.itemCumByLeaf[leaf];
  let products = '';
  let a = -1;
  let b = -1;
  let c = -1;
  for (let k = 0; k < 4; k++) {
    // Popular items come up again and again; redraw a couple of times so a page rarely repeats one.
    let i = list[rng.fromCumulative(cum, 0, n)];
    for (let r = 0; r < 3 && (i === a || i === b || i === c); r++) i = list[rng.fromCumulative(cum, 0, n)];
    c = b;
    b = a;
    a = i;
    const it = catalog.items[i];
    products += `${k ? ',' : ''}{"product_id":"${it.id}","position":${k + 1},"price":${priceAt(it, promoDay)}}`;
  }
  return `{"list_id":"${listId}","category":${catalog.categories[leaf].pathJson},"products":[${products}]}`;
}
