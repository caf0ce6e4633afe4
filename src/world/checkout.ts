// Coupons, the purchase decision and the order. The decision comes from the true response model
// (responseProbability) so campaign uplift has a known value; checkout then loses some carts,
// more for elastic shoppers facing an expensive basket. An order schedules what follows it in life:
// a review a few days later and, by purchase cycle, the next replenishment visit.

import { DAY, type Coupon } from './calendar.ts';
import { chooseItem } from './browse.ts';
import { priceAt, type Item } from './catalog.ts';
import { EV, money, TITLES, wire } from './encode.ts';
import { cycleDays, type Person } from './people.ts';
import { PERSONAS } from './persona.ts';
import { logit, sigmoid } from './random.ts';
import { REFERENCE_PRICE, responseProbability } from './response.ts';
import { DUE, entry, REVIEW, SHARE, type Sim } from './sim.ts';
import { signup, type Visit } from './visit.ts';

const PERSONAL: Coupon[] = [
  { id: 'SAVE-0-5', name: '无门槛5元', minSpend: 0, amount: 5 },
  { id: 'SAVE-99-15', name: '满99减15', minSpend: 99, amount: 15 },
  { id: 'SAVE-199-30', name: '满199减30', minSpend: 199, amount: 30 },
];
const NEW_USER: Coupon = { id: 'NEW-99-20', name: '新人满99减20', minSpend: 99, amount: 20 };
const NONE: Coupon[] = [];
const PERSONAL_ONE: Coupon[][] = PERSONAL.map((c) => [c]);

/** Coupons this shopper holds in this visit: promotion coupons are claimed by most, personal ones hunted. */
export function claimCoupons(sim: Sim, v: Visit): Coupon[] {
  const { rng } = sim;
  const u = v.u;
  const ps = Math.min(1.5, u.promoSensitivity);
  // Shared arrays: most visits hold no coupon or exactly one set, so nothing is allocated.
  let out: Coupon[] = NONE;
  if (v.promo) {
    if (rng.chance(0.35 + 0.45 * Math.min(1, ps))) out = v.promo.coupons;
  } else if (rng.chance(0.03 + 0.25 * ps)) {
    out = PERSONAL_ONE[rng.int(PERSONAL.length)];
  }
  if (u.registered && v.t < u.newUserCouponUntil) out = [...out, NEW_USER];
  return out;
}

function bestCoupon(coupons: Coupon[], subtotal: number): Coupon | null {
  let best: Coupon | null = null;
  for (const c of coupons) if (subtotal >= c.minSpend && (!best || c.amount > best.amount)) best = c;
  return best;
}

/** Will this visit end in a purchase? The true response model plus visit-type modifiers. */
export function decidesToBuy(sim: Sim, v: Visit, top: number, coupons: Coupon[], kind: number): boolean {
  const u = v.u;
  let couponValue = coupons.length ? Infinity : 0;
  for (let k = 0; k < coupons.length; k++) couponValue = Math.min(couponValue, coupons[k].amount);
  const r = responseProbability(u, { couponValue, category: top, channel: 'inapp', hour: v.hour, windowDays: 0 });
  let z = logit(couponValue > 0 ? r.withOffer : r.withoutOffer);
  if (kind === DUE) z += Math.log(4);
  if (kind === SHARE && v.sharer) z += Math.log(1 + 8 * v.sharer.influence);
  return sim.rng.next() < sigmoid(z);
}

const QTY_TOPS = new Set(['food', 'personal_care', 'mother_baby', 'pets', 'health']);

/** Product Added (cart lines merge by item); returns the quantity added. */
export function addToCart(sim: Sim, v: Visit, item: Item): number {
  const u = v.u;
  // Several of a cheap consumable (snacks, tissues, diapers), one of anything else.
  const q = item.price < 150 && QTY_TOPS.has(sim.catalog.tops[item.top].code) && sim.rng.chance(0.35) ? 2 + sim.rng.int(2) : 1;
  v.step(1, 6);
  v.track(EV.added, `{"cart_id":"c_${u.index + 1}",${item.frag},"price":${priceAt(item, v.promo !== null)},"quantity":${q},"currency":"CNY"}`);
  const k = u.cart.indexOf(item.index);
  if (k >= 0) {
    u.cartQty[k] = Math.min(6, u.cartQty[k] + q);
    return q;
  }
  u.cart.push(item.index);
  u.cartQty.push(q);
  if (u.cart.length > 8) {
    u.cart.shift(); // very old lines fall out of the cart
    u.cartQty.shift();
  }
  return q;
}

function productsJson(sim: Sim, items: number[], qty: number[], promoDay: boolean): string {
  let s = '';
  for (let k = 0; k < items.length; k++) {
    const it = sim.catalog.items[items[k]];
    s += `${k ? ',' : ''}{${it.frag},"price":${priceAt(it, promoDay)},"quantity":${qty[k]}}`;
  }
  return `[${s}]`;
}

/** Checkout of the current cart (older cart lines join with probability one quarter). */
export function checkout(sim: Sim, v: Visit, coupons: Coupon[], freshFrom: number): void {
  const { rng, catalog } = sim;
  const u = v.u;
  const items: number[] = [];
  const qty: number[] = [];
  for (let k = 0; k < u.cart.length; k++) {
    if (k >= freshFrom || rng.chance(0.25)) {
      items.push(u.cart[k]);
      qty.push(u.cartQty[k]);
    }
  }
  if (!items.length) return;
  if (!u.registered) signup(v); // checkout needs an account
  const promoDay = v.promo !== null;
  let subtotal = 0;
  for (let k = 0; k < items.length; k++) subtotal += priceAt(catalog.items[items[k]], promoDay) * qty[k];
  // 凑单: a coupon hunter tops the basket up to reach a coupon's threshold.
  if (coupons.length && !bestCoupon(coupons, subtotal) && u.promoSensitivity > 1 && rng.chance(0.75)) {
    const target = Math.min(...coupons.map((c) => c.minSpend));
    for (let n = 0; n < 3 && subtotal < target; n++) {
      const i = chooseItem(sim, u, catalog.items[items[0]].top, -1, v.t);
      const q = addToCart(sim, v, catalog.items[i]);
      const k = items.indexOf(i);
      if (k >= 0) qty[k] += q;
      else {
        items.push(i);
        qty.push(q);
      }
      subtotal += priceAt(catalog.items[i], promoDay) * q;
    }
  }
  subtotal = money(subtotal);
  const orderId = `o_${u.index + 1}_${++u.orderSeq}`;
  const products = productsJson(sim, items, qty, promoDay);
  v.step(3, 20);
  v.view('Checkout', TITLES.checkout, '/checkout');
  v.step(2, 15);
  v.track(EV.checkoutStarted, `{"order_id":"${orderId}","value":${subtotal},"currency":"CNY","products":${products}}`);
  const coupon = bestCoupon(coupons, subtotal);
  if (coupon) {
    v.step(2, 20);
    v.track(EV.couponApplied, `{"order_id":"${orderId}","cart_id":"c_${u.index + 1}","coupon_id":"${coupon.id}","coupon_name":${wire(JSON.stringify(coupon.name))},"discount":${coupon.amount}}`);
  }
  // Checkout abandonment: payment friction plus sticker shock for price-elastic shoppers.
  const top = catalog.items[items[0]].top;
  const shock = Math.max(0, u.priceElasticity) * Math.max(0, Math.log(subtotal / REFERENCE_PRICE[top]));
  if (rng.chance(Math.min(0.6, 0.06 + 0.05 * shock))) return;
  const discount = coupon ? Math.min(coupon.amount, subtotal) : 0;
  const total = money(subtotal - discount);
  v.step(10, 90);
  const share = v.shareId ? `,"share_id":"${v.shareId}"` : '';
  v.track(EV.orderCompleted,
    `{"order_id":"${orderId}","total":${total},"revenue":${total},"subtotal":${subtotal},"discount":${discount},"coupon":${coupon ? `"${coupon.id}"` : 'null'},"currency":"CNY","products":${products}${share}}`);
  sim.recordOrder(u, v.t, total, coupon !== null);
  if (v.sharer && v.t < sim.opts.end) {
    v.sharer.shareOrders++;
    v.sharer.shareRevenue = money(v.sharer.shareRevenue + total);
  }
  // Bought lines leave the cart.
  for (const it of items) {
    const k = u.cart.indexOf(it);
    if (k >= 0) {
      u.cart.splice(k, 1);
      u.cartQty.splice(k, 1);
    }
  }
  afterOrder(sim, u, v.t, items, orderId);
}

/** Reviews a few days after delivery; the next visit of a category when its cycle comes round. */
function afterOrder(sim: Sim, u: Person, t: number, items: number[], orderId: string): void {
  const { rng, catalog } = sim;
  const P = PERSONAS[u.persona];
  const seen = new Set<number>();
  for (const i of items) {
    if (rng.chance(u.reviewPropensity)) {
      sim.schedule(t + Math.floor(rng.uniform(2, 12) * DAY), entry(REVIEW, u, -1, i, orderId));
    }
    const c = catalog.items[i].top;
    if (seen.has(c)) continue;
    seen.add(c);
    const repeat = catalog.tops[c].consumable ? (u.persona === 'potential' ? 0.3 : 0.85) : 0.25 * P.addRate;
    if (rng.chance(repeat)) {
      const gap = cycleDays(u, catalog, c) * rng.lognormal(1, 0.25) * DAY;
      sim.schedule(t + Math.floor(gap), entry(DUE, u, c, i));
    }
  }
}
