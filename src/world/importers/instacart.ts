import fs from 'node:fs';
import path from 'node:path';
import { loadCandidates, report, upsertItems } from './load.ts';
import { checkTimeZone, csvFields, wallClockIn } from './sql.ts';
import { csvHeader, openLines, type LineSource } from './staging.ts';
import { ImportInputError, type Importer } from './types.ts';

const FILES = {
  orders: ['orders.csv', 'order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order'],
  prior: ['order_products__prior.csv', 'order_id,product_id,add_to_cart_order,reordered'],
  train: ['order_products__train.csv', 'order_id,product_id,add_to_cart_order,reordered'],
  products: ['products.csv', 'product_id,product_name,aisle_id,department_id'],
  aisles: ['aisles.csv', 'aisle_id,aisle'],
  departments: ['departments.csv', 'department_id,department'],
} as const;
type Part = keyof typeof FILES;

/**
 * Instacart Market Basket (Kaggle layout): a directory with orders.csv, order_products__prior.csv
 * (and __train.csv when present), products.csv, aisles.csv, departments.csv.
 *
 * One `Order Completed` per order that has lines (Kaggle's `test` orders have none and are skipped),
 * userId = user_id, products = the lines (category `department › aisle`, quantity 1; the data has no
 * prices, so no revenue). Items come from products.csv with the same category path.
 *
 * The data has no dates, only each user's order sequence. Timestamps are synthesised, deterministically:
 * each user's latest order falls on its `order_dow` weekday (0 = Sunday) within the four weeks up to
 * `--anchor` (default 2017-05-01; which of the four weeks comes from a hash of the user id, so users do
 * not all pile up on one day), at `order_hour_of_day` (minutes from a hash of the order id), in
 * `--timezone` (default UTC). Earlier orders are placed back by `days_since_prior_order`; when some of
 * a user's orders are not in the file, each missing one counts as the user's average gap.
 * Bad rows are reported with their file and row; a line whose order is not in orders.csv is rejected.
 */
export const instacart: Importer = {
  format: 'instacart',
  describe: 'Instacart Market Basket directory (orders.csv, order_products__*.csv, products.csv, aisles.csv, departments.csv)',
  async run(ctx, dir) {
    const started = Date.now();
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ImportInputError(`${dir}: instacart expects a directory with orders.csv, order_products__prior.csv, …`);
    const anchor = ctx.options.anchor ?? '2017-05-01';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(anchor) || Number.isNaN(Date.parse(anchor))) throw new ImportInputError(`--anchor: '${anchor}' is not a date (YYYY-MM-DD)`);
    const tz = checkTimeZone(ctx.options.timezone ?? 'UTC', '--timezone');
    const present = (Object.keys(FILES) as Part[]).filter((p) => fs.existsSync(path.join(dir, FILES[p][0])));
    for (const p of ['orders', 'prior', 'products', 'aisles', 'departments'] as Part[]) {
      if (!present.includes(p)) throw new ImportInputError(`${dir}: ${FILES[p][0]} is missing`);
    }
    const src: Partial<Record<Part, LineSource>> = {};
    try {
      for (const p of present) {
        const file = path.join(dir, FILES[p][0]);
        const header = csvHeader(file).join(',');
        if (header !== FILES[p][1]) throw new ImportInputError(`${file}: expected the header '${FILES[p][1]}', found '${header}'`);
        src[p] = await openLines(ctx.olap, file, { skipHeader: true, stagingTable: `${ctx.importId}_${p}` });
      }
      const read = (p: Part) => src[p]!.all();
      const params = Object.assign({ anchor, tz, now: ctx.now }, ...present.map((p) => read(p).params));
      const fields = (p: Part) => `(SELECT row, line, ${csvFields('line')} AS f FROM ${read(p).sql})`;
      const orders = `(
        SELECT row, line, f[1] AS order_id, f[2] AS user_id, f[3] AS eval_set, toUInt32OrNull(f[4]) AS num,
               toUInt8OrNull(f[5]) AS dow, toUInt8OrNull(f[6]) AS hour, toFloat64OrNull(f[7]) AS days,
               multiIf(length(f) != 7, concat('expected 7 fields, found ', toString(length(f))),
                       order_id = '', 'order_id: is empty',
                       user_id = '', 'user_id: is empty',
                       num IS NULL OR num = 0, concat('order_number: ''', f[4], ''' is not a positive whole number'),
                       dow IS NULL OR dow > 6, concat('order_dow: ''', f[5], ''' is not a weekday 0–6'),
                       hour IS NULL OR hour > 23, concat('order_hour_of_day: ''', f[6], ''' is not an hour 0–23'),
                       f[7] != '' AND (days IS NULL OR days < 0), concat('days_since_prior_order: ''', f[7], ''' is not a number of days'),
                       '') AS error
        FROM ${fields('orders')})`;
      const lineFiles = (['prior', 'train'] as Part[]).filter((p) => src[p]);
      const lines = `(
        SELECT row, line, file, f[1] AS order_id, f[2] AS product_id, toUInt32OrNull(f[3]) AS pos, f[4] AS reordered,
               multiIf(length(f) != 4, concat('expected 4 fields, found ', toString(length(f))),
                       order_id = '', 'order_id: is empty',
                       product_id = '', 'product_id: is empty',
                       pos IS NULL, concat('add_to_cart_order: ''', f[3], ''' is not a whole number'),
                       order_id NOT IN (SELECT order_id FROM ${orders} WHERE error = ''), concat('order_id: ', order_id, ' is not in orders.csv'),
                       '') AS error
        FROM (${lineFiles.map((p) => `SELECT row, line, '${FILES[p][0]}' AS file, f FROM ${fields(p)}`).join(' UNION ALL ')}))`;
      const products = `(
        SELECT row, line, f[1] AS product_id, f[2] AS name, f[3] AS aisle_id, f[4] AS department_id,
               multiIf(length(f) != 4, concat('expected 4 fields, found ', toString(length(f))), product_id = '', 'product_id: is empty', '') AS error
        FROM ${fields('products')})`;
      const names = (p: Part) => `(SELECT f[1] AS id, f[2] AS name FROM ${fields(p)} WHERE length(f) = 2)`;
      const catalog = `(
        SELECT p.product_id AS product_id, any(p.name) AS name, any(p.aisle_id) AS aisle_id, any(p.department_id) AS department_id,
               any(concat(d.name, ' › ', a.name)) AS category
        FROM ${products} AS p
        LEFT JOIN ${names('aisles')} AS a ON a.id = p.aisle_id
        LEFT JOIN ${names('departments')} AS d ON d.id = p.department_id
        WHERE p.error = '' GROUP BY p.product_id)`;
      // each user's orders placed in time: see the importer's comment
      const timed = `(
        SELECT *, max(elapsed) OVER (PARTITION BY user_id) AS total, argMax(dow, num) OVER (PARTITION BY user_id) AS last_dow
        FROM (
          SELECT *, sum(gap) OVER (PARTITION BY user_id ORDER BY num ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS elapsed
          FROM (
            SELECT *, if(prev = 0, 0, coalesce(days, mean, 7) + (num - prev - 1) * coalesce(mean, 7)) AS gap
            FROM (
              SELECT *, lagInFrame(num, 1, 0) OVER (PARTITION BY user_id ORDER BY num ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS prev,
                     avg(days) OVER (PARTITION BY user_id) AS mean
              -- an order listed twice counts once, as its first row says
              FROM (SELECT order_id, first.1 AS row, first.2 AS user_id, first.3 AS eval_set, first.4 AS num, first.5 AS dow,
                           first.6 AS hour, first.7 AS days
                    FROM (SELECT order_id, argMin((row, user_id, eval_set, num, dow, hour, days), row) AS first
                          FROM ${orders} WHERE error = '' GROUP BY order_id))))))`;
      const day = `toDate({anchor:String}) - 7 * (cityHash64(user_id) % 4) - ((toDayOfWeek(toDate({anchor:String}), 2) + 7 - last_dow) % 7) - toInt64(round(total - elapsed))`;
      const at = wallClockIn(`toDateTime64(${day}, 3, 'UTC') + toIntervalSecond(hour * 3600 + cityHash64(order_id) % 3600)`, tz);
      const ordersWithLines = `(
        SELECT o.order_id AS order_id, any(o.row) AS row, any(o.user_id) AS user_id, any(o.eval_set) AS eval_set, any(o.num) AS num,
               any(o.dow) AS dow, any(o.hour) AS hour, any(o.days) AS days, any(o.last_dow) AS last_dow, any(o.total) AS total, any(o.elapsed) AS elapsed,
               arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((l.pos, (l.product_id, ifNull(c.category, ''), '', 0., toUInt32(1)))))) AS items
        FROM ${timed} AS o
        INNER JOIN (SELECT * FROM ${lines} WHERE error = '') AS l ON l.order_id = o.order_id
        LEFT JOIN ${catalog} AS c ON c.product_id = l.product_id
        GROUP BY o.order_id)`;
      const errorColumns = `'' AS message_id, '' AS event, '' AS user_id, toDateTime64(0, 3, 'UTC') AS timestamp, '' AS order_id, '' AS product_id,
                            CAST([], 'Array(Tuple(String, String, String, Float64, UInt32))') AS products, '' AS properties`;
      const result = await loadCandidates(
        ctx,
        'import:instacart',
        `SELECT *, 'track' AS type, user_id AS distinct_id, timestamp AS original_timestamp,
                fromUnixTimestamp64Milli({now:Int64}) AS received_at, 'import:instacart' AS library
         FROM (
           SELECT row, 'orders.csv' AS file, line AS payload, error, ${errorColumns} FROM ${orders} WHERE error != ''
           UNION ALL
           SELECT row, file, line AS payload, error, ${errorColumns} FROM ${lines} WHERE error != ''
           UNION ALL
           SELECT row, 'products.csv' AS file, line AS payload, error, ${errorColumns} FROM ${products} WHERE error != ''
           UNION ALL
           SELECT row, 'orders.csv' AS file, '' AS payload, '' AS error, concat('ic-', order_id) AS message_id, 'Order Completed' AS event,
                  user_id, ${at} AS timestamp, order_id, if(length(items) = 1, items[1].1, '') AS product_id, items AS products,
                  concat('{"order_number":', toString(num), ',"order_dow":', toString(dow), ',"order_hour_of_day":', toString(hour),
                         ',"days_since_prior_order":', ifNull(toString(days), 'null'), ',"eval_set":', toJSONString(eval_set), '}') AS properties
           FROM ${ordersWithLines})`,
        params,
      );
      const counts = await Promise.all(
        present.map(async (p) => {
          const r = read(p);
          const [n] = await ctx.olap.query<{ n: number }>(`SELECT count() AS n FROM ${r.sql}`, r.params);
          return Number(n!.n);
        }),
      );
      const items = await upsertItems(
        ctx,
        `SELECT product_id, name, '', category, aisle_id, '', NULL, '', concat('{"aisle_id":', toJSONString(aisle_id), ',"department_id":', toJSONString(department_id), '}'),
                'instacart', fromUnixTimestamp64Milli({now:Int64})
         FROM ${catalog}`,
        params,
      );
      return report(this.format, dir, started, { ...result, rows: counts.reduce((a, b) => a + b, 0) }, items);
    } finally {
      for (const s of Object.values(src)) await s.close();
    }
  },
};
