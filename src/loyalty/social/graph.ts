import type { OlapStore } from '../../store/olap/index.ts';

/** One edge of the share graph: everything `from` shared with `to`, and what came of it. */
export interface ShareEdge {
  from: string;
  to: string;
  shares: number;
  /**
   * shares that could have worked: the recipient came through the link, or was a customer the shop saw both
   * before and after the share (so a share that brought nothing was seen and passed over, not lost on
   * someone who had never come or had already left)
   */
  reached: number;
  /** shares that brought at least one visit through their link */
  visits: number;
  /** orders placed through those links */
  orders: number;
  revenue: number;
}

/**
 * The share graph from the events, aggregated in ClickHouse: each `Product Shared` by a signed-in user
 * (resolved to a person through person_ids), recipient from properties.recipient) joined to the visits and orders that
 * carry its share id (properties.share_id, or the share link's campaign content). An order through a
 * share is attributed to the sharer. Whether the recipient was reachable at the time comes from the
 * recipient person's first and last event.
 */
export async function shareEdges(olap: OlapStore, o: { since?: Date } = {}): Promise<ShareEdge[]> {
  const db = olap.db;
  const persons = `(SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id)`;
  const resolved = (cols: string, where: string) => `SELECT if(pm.person_id != '', pm.person_id, e.distinct_id) AS person, ${cols}
    FROM ${db}.events AS e
    LEFT JOIN ${persons} AS pm ON pm.distinct_id = e.distinct_id
    WHERE e.timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND ${where}`;
  const shareIdOf = `if(JSONExtractString(e.properties, 'share_id') != '', JSONExtractString(e.properties, 'share_id'),
      if(e.utm_medium = 'social', JSONExtractString(e.context, 'campaign', 'content'), ''))`;
  const rows = await olap.query<{ sharer: string; recipient: string; shares: string; reached: string; visits: string; orders: string; revenue: number }>(
    `WITH s AS (
       SELECT share_id, argMin(person, timestamp) AS sharer, argMin(recipient, timestamp) AS recipient, min(timestamp) AS at
       FROM (${resolved(`JSONExtractString(e.properties, 'share_id') AS share_id, JSONExtractString(e.properties, 'recipient') AS recipient, e.timestamp AS timestamp`,
          `e.event = 'Product Shared' AND e.user_id != ''`)})
       WHERE share_id != '' GROUP BY share_id
     ), t AS (
       SELECT share_id, uniqExactIf(person, event != 'Order Completed') AS visitors, uniqExactIf(order_key, event = 'Order Completed') AS orders,
              sumIf(revenue, event = 'Order Completed') AS revenue
       FROM (${resolved(`${shareIdOf} AS share_id, e.event AS event, if(e.order_id != '', e.order_id, e.message_id) AS order_key, coalesce(e.revenue, 0) AS revenue`,
          `e.event != 'Product Shared' AND (position(e.properties, 'share_id') > 0 OR e.utm_medium = 'social')`)})
       WHERE share_id != '' GROUP BY share_id
     ), seen AS (
       SELECT if(pm.person_id != '', pm.person_id, d.distinct_id) AS person, min(d.first) AS first, max(d.last) AS last
       FROM (SELECT distinct_id, min(timestamp) AS first, max(timestamp) AS last FROM ${db}.events GROUP BY distinct_id) AS d
       LEFT JOIN ${persons} AS pm ON pm.distinct_id = d.distinct_id
       GROUP BY person
     )
     SELECT s.sharer AS sharer, s.recipient AS recipient, count() AS shares,
            countIf(t.visitors > 0 OR t.orders > 0 OR (seen.person != '' AND seen.first <= s.at AND seen.last > s.at)) AS reached,
            countIf(t.visitors > 0 OR t.orders > 0) AS visits, sum(t.orders) AS orders, round(sum(t.revenue), 2) AS revenue
     FROM s LEFT JOIN t ON t.share_id = s.share_id
     LEFT JOIN ${persons} AS rp ON rp.distinct_id = s.recipient
     LEFT JOIN seen ON seen.person = if(rp.person_id != '', rp.person_id, s.recipient)
     WHERE s.recipient != '' AND s.recipient != s.sharer
     GROUP BY sharer, recipient`,
    { since: (o.since ?? new Date(0)).getTime() },
  );
  return rows.map((r) => ({ from: r.sharer, to: r.recipient, shares: Number(r.shares), reached: Number(r.reached), visits: Number(r.visits), orders: Number(r.orders), revenue: Number(r.revenue) }));
}
