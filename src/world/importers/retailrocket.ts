import { loadChunked, report } from './load.ts';
import { csvHeader, openLines } from './staging.ts';
import { ImportInputError, type Importer } from './types.ts';

const HEADER = ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid'];

/**
 * RetailRocket e-commerce dataset (Kaggle), `events.csv`: `timestamp,visitorid,event,itemid,transactionid`,
 * timestamp in unix ms. view → Product Viewed, addtocart → Product Added, transaction → Order Completed
 * (order_id = transactionid, products = [the item]); one event per row, as in the file. Visitors are
 * anonymous cookies and the visitor id is the only id, so it is both the anonymousId and the person's
 * distinct id (no userId: nothing to link). The file has no prices, so orders carry no revenue.
 */
export const retailrocket: Importer = {
  format: 'retailrocket',
  describe: 'RetailRocket events.csv (timestamp ms,visitorid,event,itemid,transactionid; view/addtocart/transaction)',
  async run(ctx, file) {
    const started = Date.now();
    const header = csvHeader(file);
    if (header.join(',') !== HEADER.join(',')) {
      throw new ImportInputError(`${file}: expected the header '${HEADER.join(',')}', found '${header.join(',')}'`);
    }
    const lines = await openLines(ctx.olap, file, { skipHeader: true, stagingTable: `${ctx.importId}_stg` });
    try {
      const result = await loadChunked(
        ctx,
        'import:retailrocket',
        lines,
        (from) => `
        SELECT row, if(error = '', '', line) AS payload,
           multiIf(length(f) != 5, concat('expected 5 fields, found ', toString(length(f))),
                   ms IS NULL, concat('timestamp: ''', f[1], ''' is not a unix time in milliseconds'),
                   ms < 631152000000 OR ms > {maxMs:Int64}, concat('timestamp: ', f[1], ' is out of range (1990 … now)'),
                   f[2] = '', 'visitorid: is empty',
                   ev = '', concat('event: unknown value ''', f[3], ''' (expected view, addtocart or transaction)'),
                   f[4] = '', 'itemid: is empty',
                   ev = 'Order Completed' AND f[5] = '', 'transactionid: is empty on a transaction',
                   '') AS error,
           concat('rr-', f[2], '-', f[1], '-', f[3], '-', f[4]) AS message_id,
           'track' AS type, ev AS event, f[2] AS distinct_id, f[2] AS anonymous_id,
           fromUnixTimestamp64Milli(coalesce(ms, 0)) AS timestamp, timestamp AS original_timestamp,
           fromUnixTimestamp64Milli({now:Int64}) AS received_at,
           f[4] AS product_id,
           if(ev = 'Order Completed', f[5], '') AS order_id,
           if(ev = 'Order Completed', [tuple(f[4], '', '', 0., toUInt32(1))], []) AS products,
           concat('{"product_id":', toJSONString(f[4]), if(ev = 'Order Completed', concat(',"order_id":', toJSONString(f[5])), ''), '}') AS properties,
           'import:retailrocket' AS library
         FROM (SELECT row, line, splitByChar(',', line) AS f, toInt64OrNull(f[1]) AS ms,
                      transform(f[3], ['view', 'addtocart', 'transaction'], ['Product Viewed', 'Product Added', 'Order Completed'], '') AS ev
               FROM ${from})`,
        { now: ctx.now, maxMs: ctx.now + 86_400_000 },
        {
          idsCarryTime: true,
          // the file names items by id only; a known item keeps what the catalog knows of it
          items: (cand) => ({
            sql: `SELECT product_id, '', '', '', '', '', NULL, '', '{}', 'retailrocket', fromUnixTimestamp64Milli({now:Int64})
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
