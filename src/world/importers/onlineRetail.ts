import { loadCandidates, phaseTimer, report, upsertItems } from './load.ts';
import { checkTimeZone, csvFields, EARLIEST_MS, finiteOrNull, spreadsheetDate } from './sql.ts';
import { csvHeader, dropTable, openLines } from './staging.ts';
import { ImportInputError, type Importer } from './types.ts';

const HEADER = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];

/**
 * UCI Online Retail (a UK gift retailer, 2010–2011): one line per invoice line,
 * `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`.
 *
 * - The lines of an invoice become one event: `Order Completed` (order_id = InvoiceNo, products = the
 *   lines, revenue = Σ quantity × price, currency GBP, properties.country). A `C…` invoice is a
 *   cancellation: `Order Refunded`, with the refunded amount as a positive revenue and positive
 *   quantities (Segment's convention: the event name carries the direction).
 * - InvoiceDate: an Excel serial day number (the sheet's own cells) or a written date (ISO, `12/1/2010
 *   8:26`), read in `--timezone` (default UTC).
 * - No CustomerID: an anonymous buyer, `ol-anon-<InvoiceNo>`; else userId = CustomerID.
 * - A bad line (quantity not a whole number or 0, a negative quantity on a sale — the file's stock
 *   write-offs —, price not a number, no date, no invoice or stock code) is rejected with its row
 *   number; the invoice keeps its good lines (a partial order beats a lost one, and the report names
 *   what is missing). Re-importing adds nothing: the message id is the invoice number.
 * - Catalog: StockCode → title = Description, price = the latest UnitPrice of a sale.
 */
export const onlineRetail: Importer = {
  format: 'online-retail',
  describe: 'UCI Online Retail CSV (InvoiceNo,StockCode,…,CustomerID,Country); invoices → orders, C… → refunds',
  async run(ctx, file) {
    const started = Date.now();
    const header = csvHeader(file);
    if (header.join(',') !== HEADER.join(',')) {
      throw new ImportInputError(`${file}: expected the header '${HEADER.join(',')}', found '${header.join(',')}'`);
    }
    const tz = checkTimeZone(ctx.options.timezone ?? 'UTC', '--timezone');
    const phase = phaseTimer(ctx);
    const lines = await openLines(ctx.olap, file, { skipHeader: true, stagingTable: `${ctx.importId}_stg` });
    try {
      const src = lines.all();
      const params = { ...src.params, tz, now: ctx.now, minMs: EARLIEST_MS, maxMs: ctx.now + 86_400_000 };
      // the lines parsed once, kept for the three readers below (orders, line count, catalog)
      const parsed = `${ctx.olap.db}.${ctx.importId}_lines`;
      await ctx.olap.command(
        `CREATE TABLE ${parsed} ENGINE = Memory AS
        SELECT row, if(error = '', '', line) AS payload, inv, code, descr, qty, ts, price, cust, country, startsWith(inv, 'C') AS refund,
          multiIf(length(f) != 8, concat('expected 8 fields, found ', toString(length(f))),
                  inv = '', 'InvoiceNo: is empty',
                  code = '', 'StockCode: is empty',
                  qty IS NULL, concat('Quantity: ''', f[4], ''' is not a whole number'),
                  qty = 0, 'Quantity: is 0',
                  abs(qty) > 4294967295, concat('Quantity: ', f[4], ' is out of range'),
                  qty < 0 AND NOT refund, concat('Quantity: ', f[4], ' on a sale invoice (a stock write-off, not a sale)'),
                  ts IS NULL, concat('InvoiceDate: ''', f[5], ''' is not a date (Excel serial day, ISO or M/D/YYYY H:MM)'),
                  toUnixTimestamp64Milli(ts) < {minMs:Int64} OR toUnixTimestamp64Milli(ts) > {maxMs:Int64}, concat('InvoiceDate: ', f[5], ' is out of range (1990 … now)'),
                  price IS NULL, concat('UnitPrice: ''', f[6], ''' is not a number'),
                  price < 0, concat('UnitPrice: ', f[6], ' is negative'),
                  '') AS error
        FROM (SELECT row, line, ${csvFields('line')} AS f, trimBoth(f[1]) AS inv, trimBoth(f[2]) AS code, trimBoth(f[3]) AS descr,
                     toInt64OrNull(trimBoth(f[4])) AS qty, ${spreadsheetDate('trimBoth(f[5])', tz)} AS ts,
                     ${finiteOrNull('trimBoth(f[6])')} AS price,
                     replaceRegexpOne(trimBoth(f[7]), '\\\\.0+$', '') AS cust, trimBoth(f[8]) AS country
              FROM ${src.sql})`,
        params,
      );
      phase('parse');
      const result = await loadCandidates(
        ctx,
        'import:online-retail',
        `SELECT *, 'track' AS type, timestamp AS original_timestamp, fromUnixTimestamp64Milli({now:Int64}) AS received_at,
                'GBP' AS currency, 'import:online-retail' AS library
         FROM (
           SELECT row, payload, error, '' AS message_id, '' AS event, '' AS distinct_id, '' AS anonymous_id, '' AS user_id,
                  toDateTime64(0, 3, 'UTC') AS timestamp, '' AS order_id, '' AS product_id, CAST(NULL, 'Nullable(Float64)') AS revenue,
                  CAST([], 'Array(Tuple(String, String, String, Float64, UInt32))') AS products, '' AS properties
           FROM ${parsed} WHERE error != ''
           UNION ALL
           SELECT first_row AS row, '' AS payload, '' AS error, concat('or-', inv) AS message_id,
                  if(is_refund, 'Order Refunded', 'Order Completed') AS event,
                  if(buyer != '', buyer, concat('ol-anon-', inv)) AS distinct_id, if(buyer != '', '', distinct_id) AS anonymous_id,
                  buyer AS user_id, at AS timestamp, inv AS order_id, if(length(lines) = 1, lines[1].1, '') AS product_id,
                  CAST(amount, 'Nullable(Float64)') AS revenue, lines AS products,
                  concat('{"country":', toJSONString(first_country), ',"invoice_no":', toJSONString(inv), '}') AS properties
           FROM (
             -- one customer, date and country per invoice in the file; should lines disagree, the first line's win
             SELECT inv, min(row) AS first_row, any(refund) AS is_refund, argMin(cust, row) AS buyer, argMin(ts, row) AS at,
                    argMin(country, row) AS first_country, round(sum(abs(qty) * price), 2) AS amount,
                    arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((row, (code, '', '', price, toUInt32(abs(qty))))))) AS lines
             FROM ${parsed} WHERE error = '' GROUP BY inv))`,
        params,
      );
      // the lines (not the orders) are the rows of this file
      const [n] = await ctx.olap.query<{ n: number }>(`SELECT count() AS n FROM ${parsed}`);
      const after = phaseTimer(ctx);
      const items = await upsertItems(
        ctx,
        // latest = by time, then by row; one integer key sorts faster than a tuple
        `SELECT code, argMaxIf(descr, latest, descr != ''), '', '', '', '', argMaxIf(price, latest, NOT refund AND price > 0),
                'GBP', '{}', 'online-retail', fromUnixTimestamp64Milli({now:Int64})
         FROM (SELECT code, descr, price, refund, intDiv(toUnixTimestamp64Milli(ts), 1000) * 1000000000 + row AS latest
               FROM ${parsed} WHERE error = '') GROUP BY code`,
        params,
      );
      after('items');
      return report(this.format, file, started, { ...result, rows: Number(n!.n) }, items);
    } finally {
      await dropTable(ctx.olap, `${ctx.importId}_lines`);
      await lines.close();
    }
  },
};
