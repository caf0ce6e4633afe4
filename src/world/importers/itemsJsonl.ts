import { dropTable, stageLines } from './staging.ts';
import type { Importer } from './types.ts';

const first = (...keys: string[]) => `multiIf(${keys.map((k) => `JSONHas(line, '${k}'), JSONExtract(line, '${k}', 'String')`).join(', ')}, '')`;
const firstNumber = (...keys: string[]) =>
  `multiIf(${keys.map((k) => `JSONHas(line, '${k}'), toFloat64OrNull(JSONExtract(line, '${k}', 'String'))`).join(', ')}, NULL)`;

/**
 * A product feed, one JSON object per line: `itemId` (or `item_id`/`product_id`/`id`), `name_zh`/`name`/`title`,
 * `name_en`, `category_zh`/`category` (a path), `category_id`, `brand`, `price`, `currency`, `launched_at`;
 * every other field is kept in `attributes`. The latest row per item wins.
 */
export const itemsJsonl: Importer = {
  format: 'items-jsonl',
  describe: 'product feed, one JSON object per line (itemId, name_zh/name_en, category, brand, price, launched_at, …)',
  async run(ctx, file) {
    const started = Date.now();
    const stg = `${ctx.importId}_stg`;
    const db = ctx.olap.db;
    const total = await stageLines(ctx.olap, file, stg);
    try {
      const checked = `SELECT row, line, ${first('itemId', 'item_id', 'product_id', 'id')} AS id,
          multiIf(NOT isValidJSON(line), 'item is not valid JSON', id = '', 'itemId: is required',
                  JSONHas(line, 'price') AND price IS NULL, 'price: must be a number', '') AS error,
          ${firstNumber('price')} AS price
        FROM ${db}.${stg}`;
      const before = await ctx.olap.query<{ n: number }>(`SELECT uniqExact(item_id) AS n FROM ${db}.items`);
      await ctx.olap.command(
        `INSERT INTO ${db}.items (item_id, title, title_en, category, category_id, brand, price, currency, launched_at, attributes, source, updated_at)
         SELECT id, ${first('name_zh', 'name', 'title')}, ${first('name_en')}, ${first('category_zh', 'category')}, ${first('category_id')},
                ${first('brand')}, price, upper(${first('currency')}), parseDateTime64BestEffortOrNull(${first('launched_at')}, 3, 'UTC'),
                line, 'feed', fromUnixTimestamp64Milli({now:Int64})
         FROM (${checked}) WHERE error = ''`,
        { now: ctx.now },
      );
      const errors = await ctx.olap.query<{ row: number; error: string }>(`SELECT row, error FROM (${checked}) WHERE error != '' ORDER BY row LIMIT 1000`);
      const [bad] = await ctx.olap.query<{ n: number }>(`SELECT count() AS n FROM (${checked}) WHERE error != ''`);
      const after = await ctx.olap.query<{ n: number }>(`SELECT uniqExact(item_id) AS n FROM ${db}.items`);
      ctx.progress(total, total);
      const rejected = Number(bad!.n);
      return {
        format: this.format, source: file, rows: total, imported: 0, duplicates: 0, rejected,
        errors: errors.map((e) => ({ row: Number(e.row), reason: e.error })),
        items: Number(after[0]!.n) - Number(before[0]!.n),
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      await dropTable(ctx.olap, stg);
    }
  },
};
