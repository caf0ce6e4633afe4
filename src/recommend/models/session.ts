import type { OlapStore } from '../../store/olap/index.ts';
import { PERSON, personJoin } from '../data.ts';
import type { Catalog, Scored, Touch } from '../types.ts';
import { Accumulator, top } from './itemcf.ts';

/**
 * Session-based next-item model from the last few views: in each person's time-ordered views, a view a
 * and each of the next three views b seen within 30 minutes of it form a pair counting 1/d at distance d. trans(a → b) = count(a→b) / √(out(a) · in(b)), the top `k` kept per item.
 * At serving time the person's last views (real time: the engine keeps them as events arrive) are
 * combined, the latest counting most (0.6^position).
 */
export interface SessionOptions {
  asOf: number;
  k?: number;
  windowDays?: number;
  gapMinutes?: number;
}

export class SessionModel {
  constructor(private readonly next: Map<number, Scored[]>) {}

  static async train(olap: OlapStore, catalog: Catalog, o: SessionOptions): Promise<SessionModel> {
    const db = olap.db;
    const rows = await olap.query<{ a: string; b: string; w: number }>(
      `SELECT p.1 AS a, p.2 AS b, sum(p.3) AS w
       FROM (
         SELECT arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(e.timestamp), e.product_id))) AS seq
         FROM ${db}.events AS e ${personJoin(db)}
         WHERE e.event = 'Product Viewed' AND e.product_id != ''
           AND e.timestamp < fromUnixTimestamp64Milli({asOf:Int64}) AND e.timestamp >= fromUnixTimestamp64Milli({from:Int64})
         GROUP BY ${PERSON}
         HAVING length(seq) > 1
       )
       ARRAY JOIN arrayFilter(t -> t.1 != t.2 AND t.4 <= {gap:Int64}, arrayConcat(
         arrayMap(t -> (t.1.2, t.2.2, 1.0, t.2.1 - t.1.1), arrayZip(arraySlice(seq, 1, greatest(length(seq) - 1, 0)), arraySlice(seq, 2))),
         arrayMap(t -> (t.1.2, t.2.2, 1.0 / 2, t.2.1 - t.1.1), arrayZip(arraySlice(seq, 1, greatest(length(seq) - 2, 0)), arraySlice(seq, 3))),
         arrayMap(t -> (t.1.2, t.2.2, 1.0 / 3, t.2.1 - t.1.1), arrayZip(arraySlice(seq, 1, greatest(length(seq) - 3, 0)), arraySlice(seq, 4))))) AS p
       GROUP BY a, b`,
      { asOf: o.asOf, from: o.asOf - (o.windowDays ?? 90) * 86_400_000, gap: (o.gapMinutes ?? 30) * 60_000 },
    );
    return SessionModel.fromPairs(rows.map((r) => ({ a: r.a, b: r.b, w: Number(r.w) })), catalog, o.k ?? 30);
  }

  static fromPairs(pairs: readonly { a: string; b: string; w: number }[], catalog: Catalog, k = 30): SessionModel {
    const out = new Map<number, number>();
    const inn = new Map<number, number>();
    const idx = pairs.flatMap((p) => {
      const a = catalog.index.get(p.a);
      const b = catalog.index.get(p.b);
      if (a === undefined || b === undefined) return [];
      out.set(a, (out.get(a) ?? 0) + p.w);
      inn.set(b, (inn.get(b) ?? 0) + p.w);
      return [{ a, b, w: p.w }];
    });
    const next = new Map<number, Scored[]>();
    for (const p of idx) {
      let l = next.get(p.a);
      if (!l) next.set(p.a, (l = []));
      l.push({ item: p.b, score: p.w / Math.sqrt(out.get(p.a)! * inn.get(p.b)!), via: p.a });
    }
    for (const [a, l] of next) next.set(a, top(l, k));
    return new SessionModel(next);
  }

  after(item: number, limit: number): Scored[] {
    return (this.next.get(item) ?? []).slice(0, limit);
  }

  /** from the last views, newest first */
  recommend(lastViews: readonly Touch[], limit: number): Scored[] {
    const acc = Accumulator.take();
    for (let pos = 0; pos < lastViews.length && pos < 5; pos++) {
      const v = lastViews[pos]!;
      const f = 0.6 ** pos;
      const l = this.next.get(v.item);
      if (l) for (let t = 0; t < l.length; t++) acc.add(l[t]!.item, f * l[t]!.score, v.item);
    }
    return acc.top(limit);
  }
}
