import { loadCandidates, report, upsertItems } from './load.ts';
import { dropTable, stageLines } from './staging.ts';
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
    const stg = `${ctx.importId}_stg`;
    const total = await stageLines(ctx.olap, file, stg);
    ctx.progress(0, total);
    try {
      const result = await loadCandidates(
        ctx,
        'import:taobao-userbehavior',
        `SELECT row, line AS payload, f, ts, beh,
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
           toJSONString(map('product_id', f[2], 'category_id', f[3])) AS properties,
           'import:taobao-userbehavior' AS library
         FROM (SELECT row, line, splitByChar(',', trimRight(line, '\\r')) AS f, toInt64OrNull(f[5]) AS ts,
                      transform(f[4], ['pv', 'cart', 'fav', 'buy'], ['Product Viewed', 'Product Added', 'Product Added to Wishlist', 'Order Completed'], '') AS beh
               FROM ${ctx.olap.db}.${stg})`,
        { now: ctx.now, maxTs: Math.floor(ctx.now / 1000) + 86_400 },
      );
      const items = await upsertItems(
        ctx,
        `SELECT f[2], '', '', '', any(f[3]), '', NULL, '', '{}', 'taobao-userbehavior', fromUnixTimestamp64Milli({now:Int64})
         FROM (SELECT splitByChar(',', trimRight(line, '\\r')) AS f FROM ${ctx.olap.db}.${stg})
         WHERE length(f) = 5 AND f[2] != '' GROUP BY f[2]`,
        { now: ctx.now },
      );
      ctx.progress(total, total);
      return report(this.format, file, started, result, items);
    } finally {
      await dropTable(ctx.olap, stg);
    }
  },
};
