// One visit from landing to leaving: identity, browsing (search → list → product views), wishlist,
// shares, cart moves, and — if the response model says so — checkout. The funnel narrows by price
// (utility and sticker shock), persona (add rates, response) and promotions (coupons, markdowns).

import { chooseItem, listProps, pickLeaf, searchQuery } from './browse.ts';
import { priceAt, type Item } from './catalog.ts';
import { addToCart, checkout, claimCoupons, decidesToBuy } from './checkout.ts';
import { EV, TITLES, wire, type Campaign } from './encode.ts';
import { PERSONAS } from './persona.ts';
import { drawRating, reviewText } from './reviews.ts';
import { BG, DUE, REVIEW, SHARE, type Entry, type Sim } from './sim.ts';
import { share, shareChance } from './social.ts';
import { login, openIdentity, pickDevice, signup, type Visit } from './visit.ts';

function viewProduct(sim: Sim, v: Visit, item: Item, interest: number, shareId: string): void {
  const dwell = Math.max(2, Math.round(sim.rng.lognormal(22, 0.8) * interest));
  const extra = shareId ? `,"share_id":"${shareId}"` : '';
  v.track(EV.viewed, `{${item.frag},"price":${priceAt(item, v.promo !== null)},"currency":"CNY","dwell_seconds":${dwell}${extra}}`);
  v.t += dwell * 1000;
}

function campaignOf(sim: Sim, e: Entry): Campaign | null {
  if (e.kind === SHARE) return { name: 'share', source: e.via, medium: 'social', content: e.ref };
  const promo = sim.cal.promoAt(e.t);
  if (promo && sim.rng.chance(0.25)) return { name: promo.code, source: 'app_push', medium: 'push' };
  return null;
}

function reviewVisit(sim: Sim, v: Visit, e: Entry): void {
  const item = sim.catalog.items[e.item];
  const rating = drawRating(sim.rng, item.quality);
  const body = reviewText(sim.rng, rating, sim.catalog.tops[item.top].attrs, v.u.locale === 'en-US' ? 'en' : 'zh');
  v.view('Review', TITLES.review, `/review/${item.id}`);
  v.step(20, 180);
  v.track(EV.reviewed,
    `{"product_id":"${item.id}","review_id":"r_${e.ref}_${item.index + 1}","order_id":"${e.ref}","rating":${rating},"review_body":${wire(JSON.stringify(body))}}`);
}

/** Generate one visit starting at e.t; returns when the shopper leaves. */
export function runVisit(sim: Sim, v: Visit, e: Entry): number {
  const { rng, catalog } = sim;
  const u = e.u;
  const P = PERSONAS[u.persona];
  const d = pickDevice(sim, u, e.t);
  v.begin(u, d, e.t, campaignOf(sim, e), e.kind === SHARE ? e.ref : '', e.sharer);
  sim.recordVisit(u, e.t);
  const needsLogin = openIdentity(v);
  if (e.kind === REVIEW) {
    if (needsLogin) login(v);
    reviewVisit(sim, v, e);
    return v.t;
  }
  const shared = e.kind === SHARE ? catalog.items[e.item] : null;
  if (shared) {
    u.shareVisits++;
    viewProduct(sim, v, shared, 1.3, e.ref);
  } else {
    v.view('Home', TITLES.home, '/');
  }
  v.step(2, 20);
  if (needsLogin) {
    login(v);
    v.step(2, 10);
  } else if (!u.registered && rng.chance(u.persona === 'potential' ? 0.06 : 0.18)) {
    signup(v);
    v.step(2, 10);
  }

  const top = e.kind === DUE || e.kind === SHARE ? e.cat : rng.fromCumulative(u.affinityCum);
  const coupons = claimCoupons(sim, v);
  const freshFrom = u.cart.length;
  const promoBoost = v.promo ? 1.3 : 1;
  if (shared && rng.chance(0.35 + 0.4 * (e.sharer?.influence ?? 0))) addToCart(sim, v, shared);
  // A replenishment visit often goes straight to the last item (复购).
  if (e.kind === DUE && rng.chance(Math.min(0.9, 0.35 + 0.15 * u.brandLoyalty))) {
    const again = catalog.items[e.item];
    viewProduct(sim, v, again, 0.6, '');
    if (rng.chance(0.75)) addToCart(sim, v, again);
  }

  let leaf = -1;
  const x = rng.next();
  if (x < 0.5) {
    leaf = pickLeaf(sim, top);
    v.step(2, 12);
    v.track(EV.searched, `{"query":${wire(JSON.stringify(searchQuery(sim, u, leaf)))}}`);
    v.step(1, 4);
    v.track(EV.listViewed, listProps(sim, leaf, 'search_results', v.t, v.promo !== null));
  } else if (x < 0.75) {
    leaf = pickLeaf(sim, top);
    v.step(2, 10);
    v.track(EV.listViewed, listProps(sim, leaf, `category_${catalog.categories[leaf].id}`, v.t, v.promo !== null));
  }

  let best = -1;
  let bestInterest = -Infinity;
  const views = Math.max(1, rng.poisson(u.browseDepth * promoBoost));
  const addBase = 0.11 * P.addRate * promoBoost;
  for (let k = 0; k < views; k++) {
    v.step(2, 12);
    // Mostly stays on the intent category; sometimes wanders to another interest.
    const wander = rng.chance(0.15);
    const i = chooseItem(sim, u, wander ? rng.fromCumulative(u.affinityCum) : top, wander ? -1 : leaf, v.t);
    const item = catalog.items[i];
    const median = catalog.categories[item.leaf].medianPrice;
    const rel = Math.log(item.price / median);
    const interest = Math.exp(-0.3 * u.priceElasticity * rel) * (u.favouriteBrands.includes(item.brand) ? 1.5 : 1);
    viewProduct(sim, v, item, interest, '');
    if (interest > bestInterest) {
      bestInterest = interest;
      best = i;
    }
    if (rng.chance(0.035 * (1 + 0.4 * u.newArrivalPreference))) {
      v.step(1, 5);
      v.track(EV.wishlisted, `{"wishlist_id":"w_${u.index + 1}",${item.frag},"price":${priceAt(item, v.promo !== null)}}`);
    }
    if (rng.chance(shareChance(u))) share(sim, v, item);
    if (rng.chance(Math.min(0.6, addBase * interest))) addToCart(sim, v, item);
  }
  if (u.cart.length > 1 && rng.chance(0.1)) {
    const k = rng.int(u.cart.length);
    const item = catalog.items[u.cart[k]];
    v.step(2, 10);
    v.track(EV.removed, `{"cart_id":"c_${u.index + 1}",${item.frag},"price":${priceAt(item, v.promo !== null)},"quantity":${u.cartQty[k]},"currency":"CNY"}`);
    u.cart.splice(k, 1);
    u.cartQty.splice(k, 1);
  }

  const buys = decidesToBuy(sim, v, top, coupons, e.kind);
  if (buys && u.cart.length === freshFrom && best >= 0) addToCart(sim, v, catalog.items[best]);
  if (u.cart.length && (buys || rng.chance(0.35))) {
    v.step(2, 15);
    v.view('Cart', TITLES.cart, '/cart');
    let products = '';
    for (let k = 0; k < u.cart.length; k++) {
      const it = catalog.items[u.cart[k]];
      products += `${k ? ',' : ''}{"product_id":"${it.id}","price":${priceAt(it, v.promo !== null)},"quantity":${u.cartQty[k]}}`;
    }
    v.track(EV.cartViewed, `{"cart_id":"c_${u.index + 1}","products":[${products}]}`);
  }
  if (buys) checkout(sim, v, coupons, Math.min(freshFrom, u.cart.length));
  if (e.kind === BG) v.step(5, 60);
  return v.t;
}
