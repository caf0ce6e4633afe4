import type { OlapStore } from '../store/olap/index.ts';
import { BEHAVIOURS, type Catalog, type Interactions } from './types.ts';

/**
 * What training reads out of ClickHouse: the catalog, and per person × item interest aggregated in SQL
 * with time decay. Only compact rows leave the engine; the models fit in TypeScript on typed arrays.
 */

/**
 * Events resolved to their person through the identity map mirrored in person_ids (as the tags do).
 * `restrict` (a condition on `distinct_id`) limits the map to the ids read: a few people's events then
 * join a few rows, not the whole map aggregated.
 */
export const personJoin = (db: string, restrict = '') =>
  `LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids${restrict ? ` WHERE ${restrict}` : ''} GROUP BY distinct_id) AS pm ON pm.distinct_id = e.distinct_id`;
export const PERSON = `if(pm.person_id != '', pm.person_id, e.distinct_id)`;
/** each product an event names: an order's lines, or the product of a product event */
export const ITEMS_OF = `arrayJoin(if(notEmpty(e.products), arrayMap(p -> p.1, e.products), [e.product_id]))`;

async function rows(olap: OlapStore, sql: string, params: Record<string, unknown>, each: (r: unknown[]) => void): Promise<void> {
  const rs = await olap.client.query({ query: sql, query_params: params, format: 'JSONCompactEachRow' });
  for await (const batch of rs.stream()) {
    for (const row of batch as { json<T>(): T }[]) each(row.json<unknown[]>());
  }
}

interface CatalogRow { id: string; title: string; titleEn: string; category: string; brand: string; price: number | null; launched: number | null; attrs: string }

/** Every item of the catalog plus every item events name that the catalog lacks (with the events' category and brand). */
export async function loadCatalog(olap: OlapStore): Promise<Catalog> {
  const db = olap.db;
  const list: CatalogRow[] = [];
  await rows(
    olap,
    // a feed without category paths (Taobao UserBehavior has only category ids) is grouped by the id
    `SELECT item_id, argMax(title, updated_at), argMax(title_en, updated_at),
            if(argMax(category, updated_at) != '', argMax(category, updated_at), argMax(category_id, updated_at)), argMax(brand, updated_at),
            argMax(price, updated_at), toUnixTimestamp64Milli(argMax(launched_at, updated_at)), argMax(attributes, updated_at)
     FROM ${db}.items GROUP BY item_id
     UNION ALL
     SELECT product_id, '', '', any(category), any(brand), any(price), NULL, ''
     FROM ${db}.events WHERE product_id != '' AND event IN {events:Array(String)} AND product_id NOT IN (SELECT item_id FROM ${db}.items)
     GROUP BY product_id`,
    { events: BEHAVIOURS },
    (r) => list.push({ id: String(r[0]), title: String(r[1]), titleEn: String(r[2]), category: String(r[3]), brand: String(r[4]), price: r[5] === null ? null : Number(r[5]), launched: r[6] === null ? null : Number(r[6]), attrs: String(r[7]) }),
  );
  return buildCatalog(list);
}

export function buildCatalog(list: readonly CatalogRow[]): Catalog {
  const n = list.length;
  const c: Catalog = {
    ids: [], index: new Map(), title: [], titleEn: [], category: [], top: [], root: [], brand: [],
    price: new Float64Array(n), pricePct: new Float32Array(n).fill(0.5), stock: new Int32Array(n).fill(-1),
    launched: new Float64Array(n).fill(NaN), markdown: new Float32Array(n), words: [],
  };
  list.forEach((r, i) => {
    let a: Record<string, unknown> = {};
    try {
      if (r.attrs) a = JSON.parse(r.attrs) as Record<string, unknown>;
    } catch {
      a = {};
    }
    c.ids.push(r.id);
    c.index.set(r.id, i);
    c.title.push(r.title);
    c.titleEn.push(r.titleEn);
    c.category.push(r.category);
    c.root.push(r.category.split('/')[0] ?? '');
    c.top.push(typeof a.top_category === 'string' ? a.top_category : c.root[i]!);
    c.brand.push(r.brand);
    c.price[i] = r.price ?? NaN;
    if (typeof a.stock === 'number') c.stock[i] = a.stock;
    if (r.launched !== null) c.launched[i] = r.launched;
    if (typeof a.promo_markdown === 'number') c.markdown[i] = a.promo_markdown;
    const words = [a.colour, a.material, ...(Array.isArray(a.keywords) ? a.keywords : [])].filter((w): w is string => typeof w === 'string' && w !== '');
    c.words.push(words);
  });
  // price position within the category
  const byCat = new Map<string, number[]>();
  for (let i = 0; i < n; i++) if (!Number.isNaN(c.price[i]!)) (byCat.get(c.category[i]!) ?? byCat.set(c.category[i]!, []).get(c.category[i]!)!).push(i);
  for (const members of byCat.values()) {
    members.sort((x, y) => c.price[x]! - c.price[y]!);
    const m = members.length;
    members.forEach((item, k) => (c.pricePct[item] = m > 1 ? k / (m - 1) : 0.5));
  }
  return c;
}

/** Adds an item the catalog did not know (seen live before the next training). */
export function addItem(c: Catalog, id: string): number {
  const i = c.ids.length;
  c.ids.push(id);
  c.index.set(id, i);
  c.title.push('');
  c.titleEn.push('');
  c.category.push('');
  c.top.push('');
  c.root.push('');
  c.brand.push('');
  c.words.push([]);
  const grow = <T extends Float64Array | Float32Array | Int32Array>(a: T, fill: number): T => {
    if (a.length > i) return a;
    const b = new (a.constructor as new (n: number) => T)(Math.max(16, a.length * 2));
    b.set(a);
    b.fill(fill, a.length);
    return b;
  };
  c.price = grow(c.price, NaN);
  c.pricePct = grow(c.pricePct, 0.5);
  c.stock = grow(c.stock, -1);
  c.launched = grow(c.launched, NaN);
  c.markdown = grow(c.markdown, 0);
  return i;
}

export interface InteractionOptions {
  /** events before this moment only (ms) */
  asOf: number;
  /** half-life of interest in days (30 by default) */
  halfLifeDays?: number;
  /** how far back to read (days; 180 by default) */
  windowDays?: number;
}

/**
 * One row per person × item: `sum(weight × exp(−age / τ))` over views, wishlist adds, cart adds and order
 * lines, with τ = half-life / ln 2, grouped and sorted by person in ClickHouse.
 */
export async function loadInteractions(olap: OlapStore, catalog: Catalog, o: InteractionOptions): Promise<Interactions> {
  const db = olap.db;
  const halfLife = (o.halfLifeDays ?? 30) * 86_400_000;
  const from = o.asOf - (o.windowDays ?? 180) * 86_400_000;
  const persons: string[] = [];
  const personIndex = new Map<string, number>();
  const ptr: number[] = [0];
  const item: number[] = [];
  const weight: number[] = [];
  const buys: number[] = [];
  const last: number[] = [];
  await rows(
    olap,
    `SELECT person, item, sum(w * exp((ts - {asOf:Int64}) / {tau:Float64})) AS weight, sum(buy) AS buys, max(ts) AS last
     FROM (
       SELECT ${PERSON} AS person, toUnixTimestamp64Milli(e.timestamp) AS ts,
              multiIf(e.event = 'Order Completed', 5, e.event = 'Product Added', 3, e.event = 'Product Added to Wishlist', 2, 1) AS w,
              toUInt32(e.event = 'Order Completed') AS buy, ${ITEMS_OF} AS item
       FROM ${db}.events AS e ${personJoin(db)}
       WHERE e.event IN {events:Array(String)}
         AND e.timestamp < fromUnixTimestamp64Milli({asOf:Int64}) AND e.timestamp >= fromUnixTimestamp64Milli({from:Int64})
     )
     WHERE item != ''
     GROUP BY person, item
     ORDER BY person, item`,
    { asOf: o.asOf, from, tau: halfLife / Math.LN2, events: BEHAVIOURS },
    (r) => {
      const p = String(r[0]);
      const id = String(r[1]);
      const i = catalog.index.get(id) ?? addItem(catalog, id);
      if (persons[persons.length - 1] !== p) {
        if (persons.length) ptr.push(item.length);
        personIndex.set(p, persons.length);
        persons.push(p);
      }
      item.push(i);
      weight.push(Number(r[2]));
      buys.push(Math.min(65535, Number(r[3])));
      last.push(Number(r[4]));
    },
  );
  ptr.push(item.length);
  if (persons.length === 0) ptr.length = 1;
  return {
    persons, personIndex, ptr: Int32Array.from(ptr), item: Int32Array.from(item), weight: Float32Array.from(weight),
    buys: Uint16Array.from(buys), last: Float64Array.from(last), asOf: o.asOf,
  };
}

/** The interactions of one person, newest first. */
export function touchesOf(x: Interactions, u: number): { item: number; at: number; weight: number; bought: boolean }[] {
  const out = [];
  for (let k = x.ptr[u]!; k < x.ptr[u + 1]!; k++) out.push({ item: x.item[k]!, at: x.last[k]!, weight: x.weight[k]!, bought: x.buys[k]! > 0 });
  return out.sort((a, b) => b.at - a.at);
}
