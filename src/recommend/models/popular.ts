import type { OlapStore } from '../../store/olap/index.ts';
import { BEHAVIOURS, type Catalog, type Interactions, type Profile, type Scored } from '../types.ts';
import { ITEMS_OF } from '../data.ts';
import { top } from './itemcf.ts';

/**
 * Popularity and trending, global and per group of people — city tier, shopper type (价格敏感型,
 * 品牌忠诚型, 新品尝鲜型) and both together — the cold-start answer for someone with no history yet.
 *
 * - popular: Σ over people of the decayed interest (the interaction weights, half-life 30 days);
 * - per group: the same sum over the group's members (groups with at least `minGroup` people);
 * - trending: weighted events of the last 3 days against the 14 before, smoothed:
 *   (recent/3 + 1) / (before/14 + 1) × log(1 + recent), computed in ClickHouse.
 */
export const TYPES = ['price_sensitive', 'brand_loyal', 'trend_seeker'] as const;
export type ShopperType = (typeof TYPES)[number];

export interface PopularOptions {
  asOf: number;
  /** kept per list (300) */
  k?: number;
  /** a group's list is used only when it has this many people (20) */
  minGroup?: number;
}

/** the groups a person belongs to, most specific first */
export function groupsOf(p: Profile | undefined): string[] {
  if (!p) return [];
  const types = TYPES.filter((t) => (t === 'price_sensitive' ? p.priceSensitive : t === 'brand_loyal' ? p.brandLoyal : p.trendSeeker));
  const out: string[] = [];
  if (p.cityTier) for (const t of types) out.push(`tier=${p.cityTier}&type=${t}`);
  for (const t of types) out.push(`type=${t}`);
  if (p.cityTier) out.push(`tier=${p.cityTier}`);
  return out;
}

export class Popular {
  constructor(
    readonly global: Scored[],
    readonly trending: Scored[],
    readonly groups: Map<string, Scored[]>,
    readonly groupSize: Map<string, number>,
    readonly minGroup: number,
  ) {}

  static async train(olap: OlapStore, catalog: Catalog, x: Interactions, profileOf: (person: string) => Profile | undefined, o: PopularOptions): Promise<Popular> {
    const pop = Popular.fromInteractions(catalog.ids.length, x, profileOf, o);
    const trending = await trendingItems(olap, catalog, o.asOf, o.k ?? 300);
    return new Popular(pop.global, trending, pop.groups, pop.groupSize, pop.minGroup);
  }

  static fromInteractions(nItems: number, x: Interactions, profileOf: (person: string) => Profile | undefined, o: Omit<PopularOptions, 'asOf'>): Popular {
    const k = o.k ?? 300;
    const global = new Float64Array(nItems);
    const byGroup = new Map<string, Float64Array>();
    const size = new Map<string, number>();
    for (let u = 0; u < x.persons.length; u++) {
      const gs = groupsOf(profileOf(x.persons[u]!));
      const arrays = gs.map((g) => {
        size.set(g, (size.get(g) ?? 0) + 1);
        let a = byGroup.get(g);
        if (!a) byGroup.set(g, (a = new Float64Array(nItems)));
        return a;
      });
      for (let t = x.ptr[u]!; t < x.ptr[u + 1]!; t++) {
        const w = x.weight[t]!;
        global[x.item[t]!]! += w;
        for (const a of arrays) a[x.item[t]!]! += w;
      }
    }
    const list = (a: Float64Array) => {
      const s: Scored[] = [];
      for (let i = 0; i < a.length; i++) if (a[i]! > 0) s.push({ item: i, score: a[i]! });
      return top(s, k);
    };
    const minGroup = o.minGroup ?? 20;
    const groups = new Map<string, Scored[]>();
    for (const [g, a] of byGroup) if ((size.get(g) ?? 0) >= minGroup) groups.set(g, list(a).map((s) => ({ ...s, group: g })));
    return new Popular(list(global), [], groups, size, minGroup);
  }

  /** the list for the most specific group the person belongs to that is big enough, else everyone's */
  forProfile(p: Profile | undefined, limit: number): { group: string | null; items: Scored[] } {
    for (const g of groupsOf(p)) {
      const l = this.groups.get(g);
      if (l && l.length) return { group: g, items: l.length > limit ? l.slice(0, limit) : l };
    }
    return { group: null, items: this.global.length > limit ? this.global.slice(0, limit) : this.global };
  }
}

async function trendingItems(olap: OlapStore, catalog: Catalog, asOf: number, k: number): Promise<Scored[]> {
  const db = olap.db;
  const rows = await olap.query<{ item: string; score: number }>(
    `SELECT item, (recent / 3 + 1) / (before / 14 + 1) * log(1 + recent) AS score
     FROM (
       SELECT ${ITEMS_OF} AS item,
              sumIf(w, e.timestamp >= fromUnixTimestamp64Milli({asOf:Int64} - 3 * 86400000)) AS recent,
              sumIf(w, e.timestamp < fromUnixTimestamp64Milli({asOf:Int64} - 3 * 86400000)) AS before
       FROM (SELECT *, multiIf(event = 'Order Completed', 5, event = 'Product Added', 3, event = 'Product Added to Wishlist', 2, 1) AS w FROM ${db}.events
             WHERE event IN {events:Array(String)} AND timestamp < fromUnixTimestamp64Milli({asOf:Int64})
               AND timestamp >= fromUnixTimestamp64Milli({asOf:Int64} - 17 * 86400000)) AS e
       GROUP BY item
     )
     WHERE item != '' AND recent > 0
     ORDER BY score DESC, item LIMIT {k:UInt32}`,
    { asOf, events: BEHAVIOURS, k },
  );
  return rows.flatMap((r) => {
    const i = catalog.index.get(r.item);
    return i === undefined ? [] : [{ item: i, score: Number(r.score) }];
  });
}
