import type { OlapStore } from '../../store/olap/index.ts';
import { datesIn, daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { addToCartSql, cartSummarySql, itemsByHashSql, latestMsSql, productIdsSql, recoverableSql } from './cartSql.ts';

/**
 * Carts started in [from, to) in a reporting timezone: add-to-cart rate, abandonment and its value, time
 * from cart to purchase, the items most often left behind, and who can still be won back
 * (docs/analytics-carts.md; the cart itself is defined in cartSql.ts).
 *
 * - add-to-cart rate: of the persons who viewed a product in range, the share who also added one in range
 * - abandonment rate: abandoned / (abandoned + purchased); open and emptied carts are in neither
 * - time to purchase: from a purchased cart's first add to the order
 * - recoverable: persons with an abandoned cart started in the `recoverDays` days before the latest
 *   event, no order since, and marketing consent (the latest `consent.marketing` trait is true); their
 *   value is the sum of those carts' values
 */

export interface CartParams {
  from: string;
  to: string;
  tz: Timezone;
  /** hours after a cart's last add/remove within which an order counts as its purchase (default 24) */
  windowHours?: number;
  /** abandoned items listed (default 20) */
  limit?: number;
  /** how far back (days before the latest event) abandoned carts count as recoverable (default 7) */
  recoverDays?: number;
}

export type ConsentRule = 'given' | 'not_refused';

export interface CartReport {
  range: { from: string; to: string; tz: Timezone; days: number };
  settings: { windowHours: number; recoverDays: number };
  /** the newest event, the "now" that decides which carts are still open (null when there are none) */
  asOf: string | null;
  totals: {
    viewers: number;
    /** viewers who also added a product */
    viewersAdded: number;
    adders: number;
    addToCartRate: number;
    carts: number;
    purchased: number;
    abandoned: number;
    open: number;
    emptied: number;
    /** abandoned / (abandoned + purchased) */
    abandonmentRate: number;
    value: number;
    purchasedValue: number;
    abandonedValue: number;
    /** median minutes from a purchased cart's first add to its order (null without purchases) */
    medianMinutesToPurchase: number | null;
  };
  /** purchased carts by minutes from first add to order: [fromMinutes, toMinutes) (toMinutes null: no upper end) */
  timeToPurchase: { fromMinutes: number; toMinutes: number | null; carts: number }[];
  daily: { date: string; carts: number; purchased: number; abandoned: number }[];
  abandonedItems: { productId: string; title: string; titleEn: string; carts: number; quantity: number; value: number }[];
  recoverable: { days: number; people: number; value: number };
}

export const CART_DEFAULTS = { windowHours: 24, limit: 20, recoverDays: 7 } as const;
/** bucket edges of the time-to-purchase histogram, in minutes */
export const TIME_EDGES_MINUTES = [0, 10, 30, 60, 180, 360, 720, 1440, 2880, 4320, 10080];

const money = (x: number) => Math.round(Number(x) * 100) / 100;
const DAY_MS = 86_400_000;

type Map2 = [string[], (number | string)[]];
interface SummaryRow {
  carts: number; purchased: number; abandoned: number; open: number; emptied: number;
  total_value: number; purchased_value: number; abandoned_value: number; median_ms: number;
  buckets: [number[], (number | string)[]]; daily: [string[], (number | string)[], (number | string)[], (number | string)[]];
  /** (product hash, carts, quantity, value) */
  items: [string, number | string, number | string, number | string][];
  recoverable_people: number; recoverable_value: number;
}

/** The newest event as epoch ms (0 when the store is empty). */
export async function latestEventMs(olap: OlapStore): Promise<number> {
  const [r] = await olap.query<{ latest: number | string }>(latestMsSql(olap.db));
  return Number(r?.latest ?? 0);
}

/**
 * The abandoned lines per product (hashes, carts, quantities, values) cut to the `limit` products with most
 * carts, then value, then product id, with their catalog titles. Only the products that can make the cut
 * (at least the carts and value of the limit-th) are named: from the catalog by their hashes, and the few
 * not in the catalog from the cart events the summary read (`params` are the summary's).
 */
async function topAbandoned(olap: OlapStore, items: SummaryRow['items'], limit: number, params: Record<string, unknown>) {
  const all = items
    .map(([hash, carts, quantity, value]) => ({ hash, carts: Number(carts), quantity: Number(quantity), value: Number(value) }))
    .filter((x) => x.hash !== '0')
    .sort((a, b) => b.carts - a.carts || b.value - a.value);
  const last = all[Math.min(limit, all.length) - 1];
  if (!last) return [];
  const candidates = all.filter((x) => x.carts > last.carts || (x.carts === last.carts && x.value >= last.value));
  const catalog = await olap.query<{ hash: string; item_id: string; title: string; title_en: string }>(itemsByHashSql(olap.db), { hashes: candidates.map((x) => x.hash) });
  const byHash = new Map(catalog.map((r) => [r.hash, { productId: r.item_id, title: r.title, titleEn: r.title_en }]));
  const unknown = candidates.filter((x) => !byHash.has(x.hash)).map((x) => x.hash);
  if (unknown.length) {
    const ids = await olap.query<{ hash: string; product_id: string }>(productIdsSql(olap.db), { ...params, hashes: unknown });
    for (const r of ids) byHash.set(r.hash, { productId: r.product_id, title: '', titleEn: '' });
  }
  return candidates
    .map((x) => ({ ...(byHash.get(x.hash) ?? { productId: '', title: '', titleEn: '' }), carts: x.carts, quantity: x.quantity, value: x.value }))
    .sort((a, b) => b.carts - a.carts || b.value - a.value || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .slice(0, limit);
}

const asMap = ([keys, values]: Map2) => new Map(keys.map((k, i) => [k, Number(values[i])]));

export async function cartReport(olap: OlapStore, p: CartParams): Promise<CartReport> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const windowHours = p.windowHours ?? CART_DEFAULTS.windowHours;
  const recoverDays = p.recoverDays ?? CART_DEFAULTS.recoverDays;
  const db = olap.db;
  const latestMs = await latestEventMs(olap);
  const limit = p.limit ?? CART_DEFAULTS.limit;
  const params = {
    from: p.from, to: p.to, tz: p.tz, windowMs: windowHours * 3_600_000, latestMs,
    sinceMs: latestMs - recoverDays * DAY_MS, consent: 'given' satisfies ConsentRule,
    edges: TIME_EDGES_MINUTES.map((m) => m * 60_000),
  };
  const [[s], [atc]] = await Promise.all([
    olap.query<SummaryRow>(cartSummarySql(db), params),
    olap.query<{ viewers: number; viewers_added: number; adders: number }>(addToCartSql(db), params),
  ]);
  const top = await topAbandoned(olap, s?.items ?? [], limit, params);

  const purchased = Number(s?.purchased ?? 0);
  const abandoned = Number(s?.abandoned ?? 0);
  const viewers = Number(atc?.viewers ?? 0);
  const viewersAdded = Number(atc?.viewers_added ?? 0);
  const buckets = s ? new Map(s.buckets[0].map((k, i) => [Number(k), Number(s.buckets[1][i])])) : new Map<number, number>();
  const [dayKeys, dCarts, dPurchased, dAbandoned] = s?.daily ?? [[], [], [], []];
  const dc = asMap([dayKeys, dCarts]);
  const dp = asMap([dayKeys, dPurchased]);
  const da = asMap([dayKeys, dAbandoned]);

  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    settings: { windowHours, recoverDays },
    asOf: latestMs ? new Date(latestMs).toISOString() : null,
    totals: {
      viewers, viewersAdded, adders: Number(atc?.adders ?? 0), addToCartRate: viewers ? viewersAdded / viewers : 0,
      carts: Number(s?.carts ?? 0), purchased, abandoned, open: Number(s?.open ?? 0), emptied: Number(s?.emptied ?? 0),
      abandonmentRate: abandoned + purchased ? abandoned / (abandoned + purchased) : 0,
      value: money(s?.total_value ?? 0), purchasedValue: money(s?.purchased_value ?? 0), abandonedValue: money(s?.abandoned_value ?? 0),
      medianMinutesToPurchase: purchased ? Number(s!.median_ms) / 60_000 : null,
    },
    // bucket k (from arrayCount) holds durations in [edges[k-1], edges[k]); durations are ≥ 0, so k ≥ 1
    timeToPurchase: TIME_EDGES_MINUTES.map((m, k) => ({ fromMinutes: m, toMinutes: TIME_EDGES_MINUTES[k + 1] ?? null, carts: buckets.get(k + 1) ?? 0 })),
    daily: datesIn(p.from, p.to).map((date) => ({ date, carts: dc.get(date) ?? 0, purchased: dp.get(date) ?? 0, abandoned: da.get(date) ?? 0 })),
    abandonedItems: top.map((x) => ({ productId: x.productId, title: x.title, titleEn: x.titleEn, carts: x.carts, quantity: x.quantity, value: money(x.value) })),
    recoverable: { days: recoverDays, people: Number(s?.recoverable_people ?? 0), value: money(s?.recoverable_value ?? 0) },
  };
}

export interface RecoverableParams {
  windowHours?: number;
  recoverDays?: number;
  consent?: ConsentRule;
  /** the "now" (epoch ms); default the newest event */
  latestMs?: number;
}

/** People worth a reminder: see recoverableSql. Sorted by person id; value is their recoverable carts' total. */
export async function recoverablePeople(olap: OlapStore, p: RecoverableParams = {}): Promise<{ person: string; value: number; lastAt: string }[]> {
  const latestMs = p.latestMs ?? (await latestEventMs(olap));
  if (!latestMs) return [];
  const windowMs = (p.windowHours ?? CART_DEFAULTS.windowHours) * 3_600_000;
  const sinceMs = latestMs - (p.recoverDays ?? CART_DEFAULTS.recoverDays) * DAY_MS;
  const rows = await olap.query<{ person: string; value: number; last_ms: number | string }>(recoverableSql(olap.db), {
    windowMs, latestMs, sinceMs, consent: p.consent ?? 'given', tz: 'UTC',
  });
  return rows.map((r) => ({ person: r.person, value: money(r.value), lastAt: new Date(Number(r.last_ms)).toISOString() }));
}
