// Synthetic shoppers: demographics, a hidden persona, hidden traits drawn around the persona's
// means (so personas overlap like real people do), identity (user id, devices, anonymous ids) and
// the small mutable state the behaviour model needs (cart, busy-until, observed counters for truth).

import type { Catalog } from './catalog.ts';
import { DAY } from './calendar.ts';
import {
  AGE_BANDS, CHANNELS, CHANNEL_WEIGHTS, CITIES, CITIES_BY_TIER, DEVICE_TYPES, DEVICE_WEIGHTS,
  GIVEN_FEMALE, GIVEN_MALE, SURNAMES, TIER_WEIGHTS, type DeviceType,
} from './peopleData.ts';
import { PERSONAS, PERSONA_ORDER, PERSONA_WEIGHTS, type Persona } from './persona.ts';
import { Rng, cumulative, hashUnit } from './random.ts';

export interface Device {
  type: DeviceType;
  anonymousId: string;
  /** The device's events carry the userId (after signup/login on it). */
  linked: boolean;
  /** An identify was sent from this device inside the generated window. */
  announced: boolean;
  /** A login on this device is sent as `alias` (previousId → userId) instead of `identify`. */
  aliasLogin: boolean;
  ipTail: number;
  /** Cached line pieces for visits without a campaign (built on first use, see Visit). */
  ctx: string;
  tail: string;
  headTrack: string;
  headView: string;
}

export interface Person {
  index: number;
  userId: string;
  name: string;
  email: string;
  phone: string;
  gender: 'female' | 'male';
  birthYear: number;
  birthday: string;
  ageBand: string;
  city: number;
  channel: number;
  locale: 'zh-CN' | 'en-US';
  persona: Persona;
  /** Registered before the window opened (an existing member). */
  member: boolean;
  firstSeenAt: number;
  signupAt: number;
  registered: boolean;
  devices: Device[];
  secondDeviceFrom: number;
  consent: { analytics: boolean; personalization: boolean; marketing: boolean };
  // hidden traits
  affinity: Float64Array;
  affinityCum: Float64Array;
  priceElasticity: number;
  promoSensitivity: number;
  newArrivalPreference: number;
  brandLoyalty: number;
  favouriteBrands: number[];
  activityPerDay: number;
  browseDepth: number;
  convBase: number;
  favouriteHours: number[];
  hourConcentration: number;
  cycleMult: number;
  churnHazard: number;
  churnAt: number;
  socialReach: number;
  isKol: boolean;
  influence: number;
  reviewPropensity: number;
  // mutable state
  cart: number[];
  cartQty: number[];
  busyUntil: number;
  newUserCouponUntil: number;
  orderSeq: number;
  // observed (for truth files)
  sessions: number;
  orders: number;
  revenue: number;
  futureOrders: number;
  futureRevenue: number;
  nextPurchaseAt: number;
  lastActiveAt: number;
  lastOrderAt: number;
  sharesSent: number;
  shareVisits: number;
  shareOrders: number;
  shareRevenue: number;
}

const PHONE_PREFIXES = ['138', '139', '136', '135', '186', '187', '150', '151', '158', '188', '177', '199'];

/** Days between repeat purchases of category c for this person (per-person × per-category jitter). */
export function cycleDays(p: Person, catalog: Catalog, c: number): number {
  return catalog.tops[c].cycleDays * p.cycleMult * (0.75 + 0.5 * hashUnit(p.index, c, 7));
}

export interface PeopleOptions {
  users: number;
  start: number;
  end: number;
}

export function makePerson(rng: Rng, catalog: Catalog, i: number, opts: PeopleOptions): Person {
  const persona = PERSONA_ORDER[rng.weighted(PERSONA_WEIGHTS)];
  const P = PERSONAS[persona];
  const gender = rng.chance(P.femaleShare) ? 'female' : 'male';
  const band = AGE_BANDS[rng.weighted(AGE_BANDS.map((b, bi) => b.weight * P.ageLean[bi]))];
  const age = band.lo + rng.int(band.hi - band.lo + 1);
  const startYear = new Date(opts.start).getUTCFullYear();
  const birthYear = startYear - age;
  const birthday = `${birthYear}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`;
  const tierIdx = rng.weighted(TIER_WEIGHTS.map((w, ti) => w * P.tierLean[ti]));
  const city = rng.pick(CITIES_BY_TIER[tierIdx]);
  const channel = rng.weighted(CHANNEL_WEIGHTS.map((w, ci) => w * (persona === 'potential' && ci === 2 ? 2.5 : 1)));

  // Category interests: Dirichlet around population weights, bent by persona, gender and life stage.
  const alpha = catalog.tops.map((t) => {
    let a = t.alpha * (P.catBoost[t.code] ?? 1);
    a *= gender === 'female' ? t.femaleLean : 1 / t.femaleLean;
    if (t.code === 'mother_baby') a *= age >= 25 && age <= 39 ? 2.2 : 0.25;
    return a * 0.45 * P.focus; // low concentration: each person has a few strong interests
  });
  const affinity = rng.dirichlet(alpha);

  const member = rng.chance(P.memberShare);
  const span = opts.end - opts.start;
  const firstSeenAt = member ? opts.start - Math.floor(rng.uniform(1, 1000) * DAY) : opts.start + Math.floor(rng.next() * span);
  const nDevices = rng.chance(0.25) ? 2 : 1;
  const devices: Device[] = [];
  const firstType = DEVICE_TYPES[rng.weighted(DEVICE_WEIGHTS)];
  for (let d = 0; d < nDevices; d++) {
    const type = d === 0 ? firstType : firstType === 'pc' ? (rng.chance(0.5) ? 'ios' : 'android') : rng.chance(0.6) ? 'pc' : 'mini_program';
    devices.push({ type, anonymousId: rng.uuid(), linked: member && d === 0, announced: false, aliasLogin: d > 0 && rng.chance(0.4), ipTail: rng.u32(), ctx: '', tail: '', headTrack: '', headView: '' });
  }
  const favouriteBrands: number[] = [];
  const loyalty = Math.max(0, rng.normal(P.brandLoyalty, P.brandLoyalty * 0.25));
  if (loyalty > 0.8) {
    // Loyal shoppers keep a house brand in each of their strongest categories (rarely two).
    const order = Array.from(affinity.keys()).sort((a, b) => affinity[b] - affinity[a]);
    for (const c of order.slice(0, 3)) {
      const brands = catalog.brands.filter((b) => b.top === c);
      favouriteBrands.push(rng.pick(brands).index);
      if (rng.chance(0.15)) favouriteBrands.push(rng.pick(brands).index);
    }
  }
  const h1 = rng.weighted([1, 0.5, 0.3, 0.3, 0.2, 0.2, 0.3, 0.5, 0.8, 1, 1.2, 1.2, 1.5, 1.2, 1, 1, 1, 1, 1.1, 1.5, 2, 2.2, 2, 1.3]);
  const isKol = rng.chance(0.008);
  const hazard = rng.lognormal(P.churnHazard, 0.7);
  const activeFrom = Math.max(opts.start, firstSeenAt);
  const signupAt = member ? firstSeenAt : NaN;
  const gname = gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE;
  return {
    index: i,
    userId: `u_${String(i + 1).padStart(6, '0')}`,
    name: rng.pick(SURNAMES) + rng.pick(gname),
    email: `user${i + 1}@example.com`,
    phone: PHONE_PREFIXES[i % PHONE_PREFIXES.length] + String(i + 1).padStart(8, '0'),
    gender, birthYear, birthday, ageBand: band.band, city, channel,
    locale: rng.chance(0.04) ? 'en-US' : 'zh-CN',
    persona, member, firstSeenAt, signupAt, registered: member, devices,
    secondDeviceFrom: activeFrom + Math.floor(rng.next() * (opts.end - activeFrom) * 0.6),
    consent: { analytics: rng.chance(0.98), personalization: rng.chance(0.93), marketing: rng.chance(0.85) },
    affinity, affinityCum: cumulative(affinity),
    priceElasticity: rng.normal(P.priceElasticity, 0.35),
    promoSensitivity: Math.max(0, rng.normal(P.promoSensitivity, 0.2)),
    newArrivalPreference: Math.max(0, rng.normal(P.newArrivalPreference, 0.3)),
    brandLoyalty: loyalty,
    favouriteBrands,
    activityPerDay: rng.lognormal(P.activity, 0.5) * (isKol ? 1.6 : 1),
    browseDepth: rng.lognormal(P.depth, 0.3),
    convBase: Math.min(0.5, rng.lognormal(P.convBase, 0.35)),
    favouriteHours: [h1, (h1 + 9 + rng.int(6)) % 24],
    hourConcentration: rng.uniform(0.25, 0.75),
    cycleMult: rng.lognormal(1, 0.25),
    churnHazard: hazard,
    churnAt: activeFrom + rng.exponential(hazard) * DAY,
    socialReach: isKol ? rng.lognormal(40, 0.4) : rng.lognormal(1, 0.8),
    isKol,
    influence: isKol ? rng.uniform(0.55, 0.9) : rng.beta(2, 14),
    reviewPropensity: rng.beta(2, 5),
    cart: [], cartQty: [], busyUntil: 0, newUserCouponUntil: 0, orderSeq: 0,
    sessions: 0, orders: 0, revenue: 0, futureOrders: 0, futureRevenue: 0,
    nextPurchaseAt: NaN, lastActiveAt: NaN, lastOrderAt: NaN,
    sharesSent: 0, shareVisits: 0, shareOrders: 0, shareRevenue: 0,
  };
}

export function cityOf(p: Person) {
  return CITIES[p.city];
}

export function channelOf(p: Person): [string, string, string] {
  return CHANNELS[p.channel];
}
