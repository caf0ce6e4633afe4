import type { OlapStore } from '../../store/olap/index.ts';
import type { Catalog, Scored } from '../types.ts';
import { top } from './itemcf.ts';

/**
 * "Frequently bought together" from order baskets: for items a and b, n_ab orders hold both, n_a and
 * n_b hold each, N orders have two or more lines. The pair is kept when n_ab ≥ minSupport, and scored
 * by confidence shrunk by lift:
 *   confidence = n_ab / n_a,  lift = n_ab·N / (n_a n_b),  score = confidence · (1 − 1/lift) when lift > 1, else 0
 * (a pair that co-occurs no more than chance scores 0). Counting happens in ClickHouse; only pairs leave it.
 *
 * Basket rules in src/analytics/basket were not in the tree when this was written, so the co-purchase
 * statistics are computed here; the SQL is the usual pair expansion over each order's distinct items.
 */
export interface BoughtTogetherOptions {
  asOf: number;
  minSupport?: number;
  k?: number;
  windowDays?: number;
}

export interface PairRow {
  a: string;
  b: string;
  nab: number;
  na: number;
  nb: number;
  orders: number;
}

export class BoughtTogether {
  constructor(private readonly lists: Map<number, Scored[]>) {}

  static async train(olap: OlapStore, catalog: Catalog, o: BoughtTogetherOptions): Promise<BoughtTogether> {
    return BoughtTogether.fromPairs(await coPurchases(olap, o), catalog, o.k ?? 30);
  }

  static fromPairs(pairs: readonly PairRow[], catalog: Catalog, k = 30): BoughtTogether {
    const lists = new Map<number, Scored[]>();
    for (const p of pairs) {
      const a = catalog.index.get(p.a);
      const b = catalog.index.get(p.b);
      if (a === undefined || b === undefined) continue;
      const s = pairScore(p);
      if (s <= 0) continue;
      let l = lists.get(a);
      if (!l) lists.set(a, (l = []));
      l.push({ item: b, score: s, via: a });
    }
    for (const [a, l] of lists) lists.set(a, top(l, k));
    return new BoughtTogether(lists);
  }

  with(item: number, limit: number): Scored[] {
    return (this.lists.get(item) ?? []).slice(0, limit);
  }

  /** for a basket: each candidate's best score over the basket's items (the reason names that item) */
  forBasket(items: readonly number[], limit: number): Scored[] {
    const acc = new Map<number, Scored & { best: number }>();
    const inBasket = new Set(items);
    for (const i of items) {
      for (const s of this.lists.get(i) ?? []) {
        if (inBasket.has(s.item)) continue;
        const cur = acc.get(s.item);
        if (!cur) acc.set(s.item, { item: s.item, score: s.score, via: i, best: s.score });
        else {
          if (s.score > cur.best) {
            cur.best = s.score;
            cur.via = i;
          }
          cur.score += s.score;
        }
      }
    }
    return top([...acc.values()].map(({ item, score, via }) => ({ item, score, via })), limit);
  }

  get pairs(): number {
    let n = 0;
    for (const l of this.lists.values()) n += l.length;
    return n;
  }
}

export function pairScore(p: Pick<PairRow, 'nab' | 'na' | 'nb' | 'orders'>): number {
  const confidence = p.nab / p.na;
  const lift = (p.nab * p.orders) / (p.na * p.nb);
  return lift > 1 ? confidence * (1 - 1 / lift) : 0;
}

/** co-purchase counts of every pair in orders before `asOf` (both directions) */
export async function coPurchases(olap: OlapStore, o: BoughtTogetherOptions): Promise<PairRow[]> {
  const db = olap.db;
  const from = o.asOf - (o.windowDays ?? 365) * 86_400_000;
  const rows = await olap.query<{ a: string; b: string; nab: string; na: string; nb: string; orders: string }>(
    `WITH baskets AS (
       SELECT arrayDistinct(arrayFilter(x -> x != '', arrayMap(p -> p.1, products))) AS items
       FROM ${db}.events
       WHERE event = 'Order Completed' AND timestamp < fromUnixTimestamp64Milli({asOf:Int64}) AND timestamp >= fromUnixTimestamp64Milli({from:Int64})
     ),
     multi AS (SELECT items FROM baskets WHERE length(items) > 1),
     counts AS (SELECT item, count() AS n FROM multi ARRAY JOIN items AS item GROUP BY item),
     pairs AS (
       SELECT p.1 AS a, p.2 AS b, count() AS nab
       FROM multi ARRAY JOIN arrayFilter(t -> t.1 != t.2, arrayFlatten(arrayMap(x -> arrayMap(y -> (x, y), items), items))) AS p
       GROUP BY a, b HAVING nab >= {min:UInt32}
     )
     SELECT a, b, nab, ca.n AS na, cb.n AS nb, (SELECT count() FROM multi) AS orders
     FROM pairs LEFT JOIN counts AS ca ON ca.item = pairs.a LEFT JOIN counts AS cb ON cb.item = pairs.b`,
    { asOf: o.asOf, from, min: o.minSupport ?? 2 },
  );
  return rows.map((r) => ({ a: r.a, b: r.b, nab: Number(r.nab), na: Number(r.na), nb: Number(r.nb), orders: Number(r.orders) }));
}
