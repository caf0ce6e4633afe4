import type { OlapStore } from '../store/olap/index.ts';

/**
 * What can earn, read from the events in ClickHouse and resolved to persons (person_ids): orders,
 * refunds, reviews, shares that brought a visit, sign-ins and birthdays. Each query returns one row per
 * source with the key that makes earning from it happen once. `ids` restricts the read to the events of
 * those distinct ids (the live path after a write); without it every event is read (catch-up).
 */
export interface Scope {
  /** distinct ids whose events to read; undefined: everyone */
  ids?: string[];
  /** only events at or after this instant (points earned earlier would already have expired) */
  since: Date;
  /**
   * the live path: only events stored (received) at or after this instant — the ones that just arrived,
   * with a margin — so a person's whole history is not read again on every write
   */
  receivedSince?: Date;
}

function personEvents(db: string, cols: string, where: string, scope: Scope): string {
  const ids = (scope.ids ? ' AND e.distinct_id IN {ids:Array(String)}' : '')
    + (scope.receivedSince ? ' AND e.received_at >= fromUnixTimestamp64Milli({received:Int64})' : '');
  const pmIds = scope.ids ? ' WHERE distinct_id IN {ids:Array(String)}' : '';
  return `SELECT if(pm.person_id != '', pm.person_id, e.distinct_id) AS person, ${cols}
    FROM ${db}.events AS e
    LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids${pmIds} GROUP BY distinct_id) AS pm
      ON pm.distinct_id = e.distinct_id
    WHERE e.timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND ${where}${ids}`;
}

const params = (scope: Scope, more: Record<string, unknown> = {}) => ({
  ...(scope.ids ? { ids: scope.ids } : {}), ...(scope.receivedSince ? { received: scope.receivedSince.getTime() } : {}), since: scope.since.getTime(), ...more,
});
const ms = (v: unknown) => new Date(Number(v));

export interface OrderSource {
  person: string;
  orderKey: string;
  at: Date;
  revenue: number;
  coupon: string;
  discount: number;
  lines: { category: string; price: number; quantity: number }[];
}

/** `Order Completed` by signed-in users, one row per order id (a retried order is one order). */
export async function orderSources(olap: OlapStore, scope: Scope): Promise<OrderSource[]> {
  const rows = await olap.query<{ person: string; order_key: string; ms: string; revenue: number; coupon: string; discount: number; cats: string[]; prices: number[]; qtys: number[] }>(
    `SELECT person, order_key, toUnixTimestamp64Milli(min(timestamp)) AS ms,
            argMin(revenue, timestamp) AS revenue, argMin(coupon, timestamp) AS coupon, argMin(discount, timestamp) AS discount,
            argMin(arrayMap(p -> tupleElement(p, 'category'), products), timestamp) AS cats,
            argMin(arrayMap(p -> tupleElement(p, 'price'), products), timestamp) AS prices,
            argMin(arrayMap(p -> tupleElement(p, 'quantity'), products), timestamp) AS qtys
     FROM (${personEvents(olap.db, `if(e.order_id != '', e.order_id, e.message_id) AS order_key, e.timestamp AS timestamp,
            coalesce(e.revenue, 0) AS revenue, e.coupon AS coupon, coalesce(e.discount, 0) AS discount, e.products AS products`,
            `e.event = 'Order Completed' AND e.user_id != ''`, scope)})
     GROUP BY person, order_key ORDER BY ms`,
    params(scope),
  );
  return rows.map((r) => ({
    person: r.person, orderKey: r.order_key, at: ms(r.ms), revenue: Number(r.revenue), coupon: r.coupon, discount: Number(r.discount),
    lines: r.cats.map((c, i) => ({ category: c, price: Number(r.prices[i]), quantity: Number(r.qtys[i]) })),
  }));
}

export interface RefundSource {
  orderId: string;
  refundKey: string;
  at: Date;
  /** the refunded amount; 0 when the event does not say (a full refund) */
  amount: number;
}

/** `Order Refunded` with an order id, once per refund (its refund_id, else its messageId). */
export async function refundSources(olap: OlapStore, scope: Scope): Promise<RefundSource[]> {
  const rows = await olap.query<{ order_id: string; refund_key: string; ms: string; amount: number }>(
    `SELECT order_id, refund_key, toUnixTimestamp64Milli(min(timestamp)) AS ms, argMin(amount, timestamp) AS amount
     FROM (${personEvents(olap.db, `e.order_id AS order_id, e.timestamp AS timestamp, coalesce(e.revenue, 0) AS amount,
            if(JSONExtractString(e.properties, 'refund_id') != '', JSONExtractString(e.properties, 'refund_id'), e.message_id) AS refund_key`,
            `e.event = 'Order Refunded' AND e.order_id != ''`, scope)})
     GROUP BY order_id, refund_key ORDER BY ms`,
    params(scope),
  );
  return rows.map((r) => ({ orderId: r.order_id, refundKey: r.refund_key, at: ms(r.ms), amount: Number(r.amount) }));
}

export interface ReviewSource {
  person: string;
  key: string;
  at: Date;
  /** characters in the review text */
  length: number;
}

/** `Product Reviewed` by signed-in users, once per review (review_id, else messageId). */
export async function reviewSources(olap: OlapStore, scope: Scope): Promise<ReviewSource[]> {
  const rows = await olap.query<{ person: string; review_key: string; ms: string; len: number }>(
    `SELECT person, review_key, toUnixTimestamp64Milli(min(timestamp)) AS ms, max(len) AS len
     FROM (${personEvents(olap.db, `e.timestamp AS timestamp, lengthUTF8(trimBoth(JSONExtractString(e.properties, 'review_body'))) AS len,
            if(JSONExtractString(e.properties, 'review_id') != '', JSONExtractString(e.properties, 'review_id'), e.message_id) AS review_key`,
            `e.event = 'Product Reviewed' AND e.user_id != ''`, scope)})
     GROUP BY person, review_key ORDER BY ms`,
    params(scope),
  );
  return rows.map((r) => ({ person: r.person, key: r.review_key, at: ms(r.ms), length: Number(r.len) }));
}

export interface ShareVisitSource {
  /** the person who shared */
  sharer: string;
  shareId: string;
  /** the first visit through the share */
  at: Date;
}

/**
 * Shares that brought a visit: an event of someone else carrying the share's id (properties.share_id, or
 * the share link's campaign content), matched to the `Product Shared` that created it. In the live path
 * `ids` are the visitors'; the share itself may be anyone's.
 */
export async function shareVisitSources(olap: OlapStore, scope: Scope): Promise<ShareVisitSource[]> {
  const shareIdOf = `if(JSONExtractString(e.properties, 'share_id') != '', JSONExtractString(e.properties, 'share_id'),
      if(e.utm_medium = 'social', JSONExtractString(e.context, 'campaign', 'content'), ''))`;
  const visits = personEvents(olap.db, `${shareIdOf} AS share_id, e.timestamp AS timestamp`,
    `e.event != 'Product Shared' AND (position(e.properties, 'share_id') > 0 OR e.utm_medium = 'social')`, scope);
  // in the live path only the shares the visitors came through are read (filtered before the person join)
  const shares = personEvents(olap.db, `JSONExtractString(e.properties, 'share_id') AS share_id, e.timestamp AS timestamp`,
    `e.event = 'Product Shared' AND e.user_id != ''${scope.ids ? ` AND JSONExtractString(e.properties, 'share_id') IN (SELECT share_id FROM v)` : ''}`,
    { since: new Date(scope.since.getTime() - 90 * 86_400_000) });
  // in the live path most writes bring no visit through a share: then the shares (everyone's, 90 days
  // back) are not read at all — that read cost about 1.4 s of the engine a pass on the 10M-event world
  if (scope.ids) {
    const [found] = await olap.query<{ n: string }>(`SELECT count() AS n FROM (${visits}) WHERE share_id != ''`, params(scope));
    if (Number(found?.n ?? 0) === 0) return [];
  }
  const rows = await olap.query<{ sharer: string; share_id: string; ms: string }>(
    `WITH v AS (SELECT share_id, person AS visitor, min(timestamp) AS t FROM (${visits}) WHERE share_id != '' GROUP BY share_id, visitor),
          s AS (SELECT share_id, argMin(person, timestamp) AS sharer FROM (${shares}) WHERE share_id != '' GROUP BY share_id)
     SELECT s.sharer AS sharer, v.share_id AS share_id, toUnixTimestamp64Milli(min(v.t)) AS ms
     FROM v INNER JOIN s ON s.share_id = v.share_id
     WHERE v.visitor != s.sharer
     GROUP BY sharer, share_id ORDER BY ms`,
    params(scope),
  );
  return rows.map((r) => ({ sharer: r.sharer, shareId: r.share_id, at: ms(r.ms) }));
}

export interface DaySource {
  person: string;
  /** shop-time date YYYY-MM-DD */
  date: string;
  at: Date;
}

/** Days on which a signed-in user sent the sign-in event (one per shop-time day). */
export async function signInSources(olap: OlapStore, scope: Scope, event: string, timezone: string): Promise<DaySource[]> {
  const rows = await olap.query<{ person: string; d: string; ms: string }>(
    `SELECT person, toString(toDate(timestamp, {tz:String})) AS d, toUnixTimestamp64Milli(min(timestamp)) AS ms
     FROM (${personEvents(olap.db, 'e.timestamp AS timestamp', `e.event = {event:String} AND e.user_id != ''`, scope)})
     GROUP BY person, d ORDER BY ms`,
    params(scope, { event, tz: timezone }),
  );
  return rows.map((r) => ({ person: r.person, date: r.d, at: ms(r.ms) }));
}

/**
 * Signed-in people whose latest `birthday` trait (YYYY-MM-DD, from identify) falls on one of `monthDays`
 * (MM-DD). Only the match is read back; the birthday itself is not kept.
 */
export async function birthdaySources(olap: OlapStore, scope: Scope, monthDays: string[]): Promise<string[]> {
  const rows = await olap.query<{ person: string }>(
    `SELECT person FROM (${personEvents(olap.db, `JSONExtractString(e.traits, 'birthday') AS birthday, e.timestamp AS timestamp`,
        `e.type = 'identify' AND e.user_id != '' AND position(e.traits, 'birthday') > 0`, { ...scope, since: new Date(0), receivedSince: undefined })})
     WHERE birthday != '' GROUP BY person HAVING substring(argMax(birthday, timestamp), 6, 5) IN {md:Array(String)}`,
    params({ ...scope, since: new Date(0), receivedSince: undefined }, { md: monthDays }),
  );
  return rows.map((r) => r.person);
}

export interface InviteSource {
  sharer: string;
  /** different people (other than the sharer) who visited through the sharer's shares */
  invited: number;
  /** when the latest of them first came */
  at: Date;
}

/**
 * For a fission campaign: how many different people each sharer brought in through their shares. In the
 * live path `ids` are visitors'; the count is then taken over every share of the sharers they came through.
 */
export async function inviteSources(olap: OlapStore, scope: Scope): Promise<InviteSource[]> {
  const shareIdOf = `if(JSONExtractString(e.properties, 'share_id') != '', JSONExtractString(e.properties, 'share_id'),
      if(e.utm_medium = 'social', JSONExtractString(e.context, 'campaign', 'content'), ''))`;
  const visitsOf = (s: Scope) => personEvents(olap.db, `${shareIdOf} AS share_id, e.timestamp AS timestamp`,
    `e.event != 'Product Shared' AND (position(e.properties, 'share_id') > 0 OR e.utm_medium = 'social')`, s);
  const shares = personEvents(olap.db, `JSONExtractString(e.properties, 'share_id') AS share_id, e.timestamp AS timestamp`,
    `e.event = 'Product Shared' AND e.user_id != ''`, { since: scope.since });
  const rows = await olap.query<{ sharer: string; invited: string; ms: string }>(
    `WITH s AS (SELECT share_id, argMin(person, timestamp) AS sharer FROM (${shares}) WHERE share_id != '' GROUP BY share_id),
          v AS (SELECT share_id, person AS visitor, min(timestamp) AS t FROM (${visitsOf({ since: scope.since })}) WHERE share_id != '' GROUP BY share_id, visitor)
     SELECT s.sharer AS sharer, uniqExact(v.visitor) AS invited, toUnixTimestamp64Milli(max(v.t)) AS ms
     FROM v INNER JOIN s ON s.share_id = v.share_id
     WHERE v.visitor != s.sharer${scope.ids ? ` AND s.sharer IN (SELECT s2.sharer FROM s AS s2 INNER JOIN (SELECT DISTINCT share_id FROM (${visitsOf(scope)})) AS mine ON mine.share_id = s2.share_id)` : ''}
     GROUP BY sharer`,
    params(scope),
  );
  return rows.map((r) => ({ sharer: r.sharer, invited: Number(r.invited), at: ms(r.ms) }));
}
