/**
 * The baskets the rules are mined from: one row per completed order with the sorted distinct keys it
 * holds at a level (items or categories). The person is not needed, so unlike `completedOrders` no
 * identity join is made; the order rules are the same — 'Order Completed' deduplicated by order_id (the
 * message id when there is none), the first occurrence's products win.
 */

export type BasketLevel = 'item' | 'category';
export const BASKET_LEVELS = ['item', 'category'] as const;

/**
 * The key of an order line at a level. A line without a category takes the order event's category,
 * as the overview report does.
 */
const keyOf = (level: BasketLevel) =>
  level === 'item' ? 'l.product_id' : `if(l.category != '', l.category, order_category)`;

/**
 * Baskets of orders in [from, to) when `ranged` (`{from:Date}`, `{to:Date}`, `{tz:String}`), else of
 * every order. Columns: `oid`, `items` (sorted, distinct, non-empty keys; orders with none are dropped).
 */
export function basketsSql(db: string, level: BasketLevel, ranged: boolean): string {
  const range = ranged
    ? `AND timestamp >= toDateTime({from:Date}, {tz:String}) AND timestamp < toDateTime({to:Date}, {tz:String})`
    : '';
  return `(
    SELECT oid, arraySort(arrayDistinct(arrayFilter(k -> k != '', arrayMap(l -> ${keyOf(level)}, order_products)))) AS items
    FROM (
      SELECT if(order_id != '', order_id, message_id) AS oid,
             argMin(products, timestamp) AS order_products,
             argMin(category, timestamp) AS order_category
      FROM ${db}.events
      WHERE type = 'track' AND event = 'Order Completed' ${range}
      GROUP BY oid
    )
    WHERE notEmpty(items)
  )`;
}

/** Display names of items (latest catalog title); categories are their own names. */
export const itemNamesSql = (db: string) => `
  SELECT item_id AS key, argMax(title, updated_at) AS name
  FROM ${db}.items WHERE item_id IN {keys:Array(String)} GROUP BY item_id`;
