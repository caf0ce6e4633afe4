import { loadChunked, report } from './load.ts';
import { openLines } from './staging.ts';
import type { Importer } from './types.ts';

/**
 * Taobao UserBehavior (Tianchi): `user_id,item_id,category_id,behavior,unix_ts`, no header.
 * pv → Product Viewed, cart → Product Added, fav → Product Added to Wishlist, buy → Order Completed.
 * The file has no prices, so orders carry the item but no revenue. Parsed by the engine.
 */
export const taobaoUserBehavior: Importer = {
  format: 'taobao-userbehavior',
  describe: 'Taobao UserBehavior CSV (user_id,item_id,category_id,behavior,timestamp; pv/cart/fav/buy)',
  async run(ctx, file) {
    const started = Date.now();
    const lines = await openLines(ctx.olap, file, { stagingTable: `${ctx.importId}_stg` });
    try {
      const result = await loadChunked(
        ctx,
        'import:taobao-userbehavior',
        lines,
        (from) => `
        SELECT row, if(error = '', '', line) AS payload,
           multiIf(length(f) != 5, concat('expected 5 fields, found ', toString(length(f))),
                   f[1] = '', 'user_id: is empty',
                   f[2] = '', 'item_id: is empty',
                   beh = '', concat('behavior: unknown value ''', f[4], ''' (expected pv, cart, fav or buy)'),
                   ts IS NULL, concat('timestamp: ''', f[5], ''' is not a unix time in seconds'),
                   ts < 631152000 OR ts > {maxTs:Int64}, concat('timestamp: ', f[5], ' is out of range (1990 … now)'),
                   '') AS error,
           concat('tb-', f[1], '-', f[2], '-', f[4], '-', f[5]) AS message_id,
           'track' AS type, beh AS event, f[1] AS distinct_id, f[1] AS user_id,
           fromUnixTimestamp64Milli(coalesce(ts, 0) * 1000) AS timestamp, timestamp AS original_timestamp,
           fromUnixTimestamp64Milli({now:Int64}) AS received_at,
           f[2] AS product_id, f[3] AS category,
           if(beh = 'Order Completed', concat('tb-', f[1], '-', f[2], '-', f[5]), '') AS order_id,
           if(beh = 'Order Completed', [tuple(f[2], f[3], '', 0., toUInt32(1))], []) AS products,
           concat('{"product_id":', toJSONString(f[2]), ',"category_id":', toJSONString(f[3]), '}') AS properties,
           'import:taobao-userbehavior' AS library
         FROM (SELECT row, line, splitByChar(',', line) AS f, toInt64OrNull(f[5]) AS ts,
                      transform(f[4], ['pv', 'cart', 'fav', 'buy'], ['Product Viewed', 'Product Added', 'Product Added to Wishlist', 'Order Completed'], '') AS beh
               FROM ${from})`,
        { now: ctx.now, maxTs: Math.floor(ctx.now / 1000) + 86_400 },
        {
          idsCarryTime: true,
          // what the file tells about an item is its category; a known item keeps its title and price
          items: (cand) => ({
            sql: `SELECT product_id, '', '', '', any(category), '', NULL, '', '{}', 'taobao-userbehavior', fromUnixTimestamp64Milli({now:Int64})
                  FROM ${cand} WHERE error = '' AND product_id NOT IN (SELECT item_id FROM ${ctx.olap.db}.items) GROUP BY product_id`,
            params: { now: ctx.now },
          }),
        },
      );
      return report(this.format, file, started, result, result.items);
    } finally {
      await lines.close();
    }
  },
};
