// The true response model: how likely a shopper converts (orders in the offer's category) with and
// without an offer. Behaviour generation draws every purchase decision from `responseProbability`
// (a single visit, windowDays 0), and truth/response.json documents the same function so campaign
// uplift measured by the product can be compared with the true value.

import { TOP_CATEGORIES } from './catalogData.ts';
import { PERSONAS, PERSONA_ORDER } from './persona.ts';
import { logit, sigmoid } from './random.ts';

export type OfferChannel = 'inapp' | 'push' | 'sms' | 'email' | 'none';

export interface Offer {
  /** Coupon value in CNY (0 = no coupon). */
  couponValue: number;
  /** Top category index or code (e.g. 'beauty'). */
  category: number | string;
  channel: OfferChannel;
  /** Local (Asia/Shanghai) hour the offer is seen. */
  hour: number;
  /** 0 = one visit where the offer is shown; N > 0 = any order in the category within N days. */
  windowDays?: number;
}

/** The traits the model reads; truth/users.jsonl `traits` objects have exactly these fields. */
export interface ResponseTraits {
  convBase: number;
  promoSensitivity: number;
  activityPerDay: number;
  favouriteHours: number[];
  /** Per top category, as an array in catalog order or a record keyed by category code. */
  affinity: ArrayLike<number> | Record<string, number>;
}

export interface ResponseResult {
  withOffer: number;
  withoutOffer: number;
  uplift: number;
}

/** Chance an offer sent on a channel is seen at all (in-app is shown inside the visit). */
export const CHANNEL_SEEN: Record<OfferChannel, number> = { inapp: 1, push: 0.35, sms: 0.5, email: 0.15, none: 0 };

/** A typical one-item basket per top category (geometric mean of its sub-category medians). */
export const REFERENCE_PRICE: number[] = TOP_CATEGORIES.map((t) =>
  Math.exp(t.subs.reduce((s, sub) => s + Math.log(sub[2]), 0) / t.subs.length),
);

export const MODEL = {
  affinityWeight: 0.35,
  favouriteHourBonus: 0.25,
  nightPenalty: -0.3,
  couponLift: 2.2,
  couponHalfSaturation: 0.12,
  clickBase: 0.05,
  clickPerPromoSensitivity: 0.12,
};

function categoryIndex(c: number | string): number {
  if (typeof c === 'number') return c;
  const i = TOP_CATEGORIES.findIndex((t) => t.code === c);
  if (i < 0) throw new Error(`unknown category ${c}`);
  return i;
}

function affinityOf(t: ResponseTraits, c: number): number {
  const a = t.affinity as ArrayLike<number> & Record<string, number>;
  return typeof a.length === 'number' ? a[c] : a[TOP_CATEGORIES[c].code] ?? 0;
}

/** Purchase probability of one visit where the offer is (or is not) shown. */
function perVisit(t: ResponseTraits, c: number, hour: number, couponValue: number): number {
  const n = TOP_CATEGORIES.length;
  const aff = Math.max(1e-4, affinityOf(t, c));
  let z = logit(t.convBase) + MODEL.affinityWeight * Math.max(-2, Math.min(2, Math.log(aff * n)));
  const fav = t.favouriteHours;
  for (let i = 0; i < fav.length; i++) {
    const d = Math.abs(fav[i] - hour) % 24;
    if (Math.min(d, 24 - d) <= 1) {
      z += MODEL.favouriteHourBonus;
      break;
    }
  }
  if (hour >= 1 && hour <= 6) z += MODEL.nightPenalty;
  if (couponValue > 0) {
    const v = couponValue / REFERENCE_PRICE[c];
    z += t.promoSensitivity * MODEL.couponLift * (v / (v + MODEL.couponHalfSaturation));
  }
  return sigmoid(z);
}

export function responseProbability(t: ResponseTraits, offer: Offer): ResponseResult {
  const c = categoryIndex(offer.category);
  const p0 = perVisit(t, c, offer.hour, 0);
  const p1 = perVisit(t, c, offer.hour, offer.couponValue);
  const days = offer.windowDays ?? 0;
  if (days <= 0) {
    const withOffer = offer.channel === 'none' ? p0 : p1;
    return { withOffer, withoutOffer: p0, uplift: withOffer - p0 };
  }
  // Over a window: organic visits to the category arrive at activity × affinity per day; a seen
  // offer also triggers a visit with a click-through chance that grows with promotion sensitivity.
  const visits = t.activityPerDay * days * Math.max(0.02, affinityOf(t, c));
  const withoutOffer = 1 - Math.exp(-visits * p0);
  const seen = CHANNEL_SEEN[offer.channel];
  const click = Math.min(0.9, MODEL.clickBase + MODEL.clickPerPromoSensitivity * t.promoSensitivity);
  const seenConv = 1 - (1 - click * p1) * Math.exp(-visits * p1);
  const withOffer = seen * seenConv + (1 - seen) * withoutOffer;
  return { withOffer, withoutOffer, uplift: withOffer - withoutOffer };
}

/** The body of truth/response.json: the model's definition and worked examples per persona. */
export function describeResponseModel(): unknown {
  const examples = PERSONA_ORDER.flatMap((p) => {
    const d = PERSONAS[p];
    const traits: ResponseTraits = {
      convBase: d.convBase, promoSensitivity: d.promoSensitivity, activityPerDay: d.activity,
      favouriteHours: [20, 12], affinity: TOP_CATEGORIES.map(() => 1 / TOP_CATEGORIES.length),
    };
    return [0, 10, 30].flatMap((couponValue) =>
      (['inapp', 'push'] as OfferChannel[]).map((channel) => {
        const offer: Offer = { couponValue, category: 'beauty', channel, hour: 20, windowDays: channel === 'inapp' ? 0 : 7 };
        return { persona: p, offer, ...responseProbability(traits, offer) };
      }),
    );
  });
  return {
    description:
      'Probability that a user orders in the offer category, with and without the offer. windowDays 0 = within one visit where the offer is shown (used by the generator for every purchase decision); N > 0 = within N days of the offer being sent. Traits are in truth/users.jsonl (traits.*). Import responseProbability from src/world/response.ts to evaluate it.',
    perVisit: 'sigmoid(logit(convBase) + affinityWeight*clamp(ln(affinity[c]*nCategories),-2,2) + favouriteHourBonus*[|hour-favHour|<=1] + nightPenalty*[1<=hour<=6] + promoSensitivity*couponLift*v/(v+couponHalfSaturation)), v = couponValue/referencePrice[c]',
    window: 'visits = activityPerDay*windowDays*max(0.02,affinity[c]); without = 1-exp(-visits*p0); with = seen*(1-(1-click*p1)*exp(-visits*p1)) + (1-seen)*without; click = min(0.9, clickBase + clickPerPromoSensitivity*promoSensitivity)',
    parameters: MODEL,
    channelSeen: CHANNEL_SEEN,
    referencePrice: Object.fromEntries(TOP_CATEGORIES.map((t, i) => [t.code, Math.round(REFERENCE_PRICE[i] * 100) / 100])),
    sessionModifiers: 'inside the generator, replenishment visits multiply the odds by 4 and share visits by (1 + 8*sharerInfluence); the cart value shifts the log-odds by -0.25*priceElasticity*ln(cart/referencePrice)',
    examples,
  };
}
