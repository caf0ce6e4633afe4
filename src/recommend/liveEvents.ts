import type { OlapStore } from '../store/olap/index.ts';
import { PERSON, addItem, personJoin } from './data.ts';
import type { Models, UserState } from './rank.ts';
import { BEHAVIOURS, BEHAVIOUR_WEIGHTS, type Behaviour } from './types.ts';

/**
 * Product events arriving after training, and what each does: to the item-CF neighbour lists (`observe`)
 * and to one person's serving state (`applyEvent`). The engine reads them for exactly the people whose
 * events were just stored, or for someone newer than the models on their first request.
 */

export interface LiveEvent {
  person: string;
  item: string;
  event: Behaviour;
  ts: number;
}

/** An arriving event adds its pairs with the person's other items to the item-CF neighbour lists. */
export function observe(m: Models, s: UserState, e: LiveEvent): void {
  const item = m.catalog.index.get(e.item) ?? addItem(m.catalog, e.item);
  const w = BEHAVIOUR_WEIGHTS[e.event] ?? 1;
  const others = s.history.filter((h) => h.item !== item).slice(0, 100);
  const damp = 1 / Math.sqrt(Math.log(2 + others.length + 1));
  const v = Math.log1p(w) * damp;
  m.itemcf.observe(item, v, others.map((h) => ({ item: h.item, v: Math.log1p(h.weight) * damp })));
}

/** One product event into a person's serving state: interest in the item grows by the behaviour's weight; a view joins the last views. */
export function applyEvent(m: Models, s: UserState, e: LiveEvent): void {
  const item = m.catalog.index.get(e.item) ?? addItem(m.catalog, e.item);
  const w = BEHAVIOUR_WEIGHTS[e.event] ?? 1;
  const bought = e.event === 'Order Completed';
  const cur = s.history.find((h) => h.item === item);
  if (cur) {
    cur.weight += w;
    cur.at = Math.max(cur.at, e.ts);
    cur.bought ||= bought;
    s.history.splice(s.history.indexOf(cur), 1);
    s.history.unshift(cur);
  } else s.history.unshift({ item, at: e.ts, weight: w, bought });
  if (s.history.length > 200) s.history.length = 200;
  if (e.event === 'Product Viewed') {
    s.views = [{ item, at: e.ts, weight: w, bought: false }, ...s.views.filter((v) => v.item !== item)].slice(0, 10);
  }
  s.watermark = Math.max(s.watermark ?? 0, e.ts);
  // the person's ALS vector is folded in again from the updated history at the next request
  s.vector = undefined;
  s.alsTop = undefined;
  s.candidates = undefined;
  s.u = -1;
}

/** The product events (one per item of a multi-item order) of some ids after `since` (epoch ms), oldest first. */
export async function eventsOf(olap: OlapStore, distinctIds: readonly string[], since: number): Promise<LiveEvent[]> {
  const db = olap.db;
  const rows = await olap.query<{ person: string; item: string; event: string; ts: string }>(
    `SELECT ${PERSON} AS person, arrayJoin(if(notEmpty(e.products), arrayMap(p -> p.1, e.products), [e.product_id])) AS item, e.event AS event,
            toUnixTimestamp64Milli(e.timestamp) AS ts
     FROM ${db}.events AS e ${personJoin(db, 'distinct_id IN {ids:Array(String)}')}
     WHERE e.distinct_id IN {ids:Array(String)} AND e.event IN {events:Array(String)} AND e.timestamp > fromUnixTimestamp64Milli({since:Int64})
     ORDER BY ts`,
    { ids: distinctIds, events: BEHAVIOURS, since },
  );
  return rows.filter((r) => r.item !== '').map((r) => ({ person: r.person, item: r.item, event: r.event as Behaviour, ts: Number(r.ts) }));
}
