import type { OlapStore } from '../../store/olap/index.ts';
import { isBehaviour } from '../sql.ts';

export interface EventName {
  event: string;
  /** 'track', 'page' or 'screen' (a name used by several types is listed once per type) */
  type: string;
  count: number;
}

/** The event names people do (track events, page and screen names), most frequent first: the funnel's step picker. */
export async function eventNames(olap: OlapStore, limit = 200): Promise<EventName[]> {
  const rows = await olap.query<{ event: string; type: string; n: number }>(
    `SELECT toString(event) AS event, toString(type) AS type, count() AS n
     FROM ${olap.db}.events
     WHERE ${isBehaviour} AND event != ''
     GROUP BY event, type
     ORDER BY n DESC, event
     LIMIT {limit:UInt32}`,
    { limit },
  );
  return rows.map((r) => ({ event: r.event, type: r.type, count: Number(r.n) }));
}
