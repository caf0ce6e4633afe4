// The hidden truth written beside the events: what the product should rediscover (personas,
// traits, influence, the response model) and what it should predict (churn, next purchase).
// Never read by the product's own logic; only tests, benchmarks and the demo's report use it.

import { DAY } from './calendar.ts';
import type { Catalog, Item } from './catalog.ts';
import { CHANNELS, CITIES } from './peopleData.ts';
import { cycleDays, type Person } from './people.ts';
import { PERSONAS, PERSONA_ORDER } from './persona.ts';
import { hashUnit } from './random.ts';
import type { Sim } from './sim.ts';
import type { WorldStream } from './stream.ts';

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const isoOrNull = (t: number): string | null => (Number.isFinite(t) ? new Date(t).toISOString() : null);

export function userTruth(p: Person, sim: Sim): Record<string, unknown> {
  const { catalog } = sim;
  const { horizon, end } = sim.opts;
  const city = CITIES[p.city];
  return {
    userId: p.userId,
    anonymousIds: p.devices.map((d) => d.anonymousId),
    persona: p.persona,
    persona_zh: PERSONAS[p.persona].zh,
    member: p.member,
    registered: p.registered,
    signupAt: isoOrNull(p.signupAt),
    firstSeenAt: new Date(p.firstSeenAt).toISOString(),
    name: p.name,
    email: p.email,
    phone: p.phone,
    gender: p.gender,
    birthYear: p.birthYear,
    ageBand: p.ageBand,
    city: city.zh,
    province: city.provinceZh,
    cityTier: city.tier,
    devices: p.devices.map((d) => d.type),
    channel: CHANNELS[p.channel][0],
    locale: p.locale,
    consent: p.consent,
    traits: {
      convBase: r4(p.convBase),
      promoSensitivity: r4(p.promoSensitivity),
      activityPerDay: r4(p.activityPerDay),
      favouriteHours: p.favouriteHours,
      affinity: Object.fromEntries(catalog.tops.map((t, i) => [t.code, r4(p.affinity[i])])),
      priceElasticity: r4(p.priceElasticity),
      newArrivalPreference: r4(p.newArrivalPreference),
      brandLoyalty: r4(p.brandLoyalty),
      favouriteBrands: p.favouriteBrands.map((b) => catalog.brands[b].zh),
      browseDepth: r4(p.browseDepth),
      hourConcentration: r4(p.hourConcentration),
      purchaseCycleDays: Object.fromEntries(catalog.tops.map((t, i) => [t.code, Math.round(cycleDays(p, catalog, i) * 10) / 10])),
      churnHazard: r4(p.churnHazard),
      socialReach: r4(p.socialReach),
      isKol: p.isKol,
      influence: r4(p.influence),
      reviewPropensity: r4(p.reviewPropensity),
    },
    churnAt: isoOrNull(p.churnAt < end + 365 * DAY ? p.churnAt : NaN),
    churned: p.churnAt < end,
    churnedBeforeHorizon: p.churnAt < horizon,
    churnedInFuture: p.churnAt >= horizon && p.churnAt < end,
    nextPurchaseAt: isoOrNull(p.nextPurchaseAt),
    observed: {
      visits: p.sessions,
      orders: p.orders,
      revenue: p.revenue,
      futureOrders: p.futureOrders,
      futureRevenue: p.futureRevenue,
      lastActiveAt: isoOrNull(p.lastActiveAt),
      lastOrderAt: isoOrNull(p.lastOrderAt),
      activeInFuture: p.lastActiveAt >= horizon,
    },
  };
}

export function socialTruth(p: Person, sim: Sim): Record<string, unknown> {
  const n = sim.people.length;
  const friends: string[] = [];
  for (let j = 0; j < 12; j++) friends.push(sim.people[Math.floor(hashUnit(p.index, j, sim.seedHash) * n)].userId);
  return {
    userId: p.userId, isKol: p.isKol, socialReach: r4(p.socialReach), influence: r4(p.influence),
    sharesSent: p.sharesSent, shareVisitsReceived: p.shareVisits, shareOrders: p.shareOrders, shareRevenue: p.shareRevenue,
    friends: p.isKol ? [] : friends,
  };
}

export function itemTruth(it: Item, catalog: Catalog): Record<string, unknown> {
  const leaf = catalog.categories[it.leaf];
  const brand = catalog.brands[it.brand];
  return {
    itemId: it.id, sku: it.sku, name_zh: it.nameZh, name_en: it.nameEn,
    brand: brand.zh, brand_en: brand.en, brand_tier: brand.tier,
    category_id: leaf.id, category_zh: leaf.pathZh, category_en: leaf.pathEn, top_category: catalog.tops[it.top].code,
    price: it.price, currency: 'CNY', promo_markdown: it.promoMarkdown, launched_at: new Date(it.launchAt).toISOString(), stock: it.stock,
    colour: it.colour?.zh ?? null, colour_en: it.colour?.en ?? null, material: it.material?.zh ?? null, material_en: it.material?.en ?? null,
    keywords: leaf.keywords, quality: it.quality, popularity: r4(it.popularity),
  };
}

export function categoryTruth(catalog: Catalog): Record<string, unknown>[] {
  return catalog.categories.map((c) => ({
    id: c.id, level: c.level, parent: c.parent, name_zh: c.zh, name_en: c.en, path_zh: c.pathZh, path_en: c.pathEn,
    top_category: catalog.tops[c.top].code, keywords: c.keywords, median_price: c.medianPrice || null,
    purchase_cycle_days: catalog.tops[c.top].cycleDays, consumable: catalog.tops[c.top].consumable,
  }));
}

export function dirtTruth(ws: WorldStream): Record<string, unknown> {
  return { rate: ws.options.dirtRate, events: ws.dirt.events, future: ws.dirt.future };
}

function cleanCount(lines: number, d: WorldStream['dirt']['events']): number {
  return lines - d.duplicate - d.revenueNotNumber - d.missingIds - d.productsNotArray;
}

export function summaryTruth(ws: WorldStream): Record<string, unknown> {
  const { sim, options: o } = ws;
  const personas = Object.fromEntries(PERSONA_ORDER.map((p) => [p, 0]));
  let registered = 0;
  let kols = 0;
  let buyers = 0;
  for (const p of sim.people) {
    personas[p.persona]++;
    if (p.registered) registered++;
    if (p.isKol) kols++;
    if (p.orders > 0) buyers++;
  }
  const s = sim.stats;
  return {
    seed: o.seed, users: o.users, days: o.days, future: o.future, items: sim.catalog.items.length,
    categories: sim.catalog.categories.length, brands: sim.catalog.brands.length,
    start: new Date(o.start).toISOString(), horizon: new Date(o.horizon).toISOString(), end: new Date(o.end).toISOString(),
    events: cleanCount(ws.counts.lines, ws.dirt.events), lines: ws.counts.lines,
    futureEvents: cleanCount(ws.counts.futureLines, ws.dirt.future), futureLines: ws.counts.futureLines,
    orders: s.orders, revenue: s.revenue, couponOrders: s.couponOrders, buyers,
    futureOrders: s.futureOrders, futureRevenue: s.futureRevenue,
    visits: s.visits, registeredUsers: registered, kols, personas,
    byType: sim.typeCounts(false), futureByType: sim.typeCounts(true),
  };
}
