import { loadChunked, report } from './load.ts';
import { columnPositions, eventMappingSchema, readMapping, type EventField, type EventMapping } from './mapping.ts';
import { checkTimeZone, csvFields, EARLIEST_MS, finiteOrNull } from './sql.ts';
import { protectTextSql } from './piiSql.ts';
import { csvHeader, openLines } from './staging.ts';
import type { Importer } from './types.ts';

/**
 * Any CSV of events, described by a mapping file (`--mapping mapping.json`, docs/import.md): which
 * column is which event field (`properties.X` for the rest), how source event names map to Segment's,
 * the time format and zone, the delimiter, whether there is a header. Parsed and checked by the engine;
 * a bad row is reported with the field, its column and the value. Without a messageId column, a row's
 * id is derived from its text and the mapping, so importing the same file with the same mapping again
 * adds nothing.
 */
export const genericCsv: Importer = {
  format: 'csv',
  describe: 'any CSV of events, described by --mapping mapping.json (columns, event names, time format; docs/import.md)',
  async run(ctx, file) {
    const started = Date.now();
    const { mapping: m, digest } = readMapping(ctx.options.mapping, eventMappingSchema, 'csv');
    const tz = checkTimeZone(m.time.timezone, `${ctx.options.mapping}: time.timezone`);
    const header = m.header ? csvHeader(file, m.delimiter) : null;
    const positions = columnPositions(Object.keys(m.columns), header, `${ctx.options.mapping}: columns`);
    const q = buildSelect(m, positions, header?.length ?? null);
    const lines = await openLines(ctx.olap, file, { skipHeader: m.header, stagingTable: `${ctx.importId}_stg` });
    const source = `import:csv:${m.source}`;
    try {
      const result = await loadChunked(
        ctx,
        source,
        lines,
        q.select,
        { ...q.params, tz, digest, source: m.source, lib: source, now: ctx.now, minMs: EARLIEST_MS, maxMs: ctx.now + 86_400_000 },
        {
          // a derived id hashes the line (its time text included) and the mapping (its zone included)
          idsCarryTime: !Object.values(m.columns).includes('messageId'),
          ...(q.hasProduct ? { items: (cand: string) => ({ sql: itemsFrom(ctx.olap.db, cand), params: { now: ctx.now, source: `csv:${m.source}` } }) } : {}),
        },
      );
      return report(this.format, file, started, result, result.items);
    } finally {
      await lines.close();
    }
  },
};

interface Built {
  select: (from: string) => string;
  params: Record<string, unknown>;
  hasProduct: boolean;
}

function buildSelect(m: EventMapping, positions: Map<string, number>, width: number | null): Built {
  const byField = new Map<string, string>(Object.entries(m.columns).map(([column, field]) => [field, column]));
  const params: Record<string, unknown> = {};
  const value = (field: EventField) => {
    const column = byField.get(field);
    return column === undefined ? `''` : `trimBoth(f[${positions.get(column)}])`;
  };
  // how an error names a field and its column: a parameter, since column names come from the user
  const where = (field: EventField) => {
    params[`at_${field}`] = `${field} (column '${byField.get(field)}')`;
    return `{at_${field}:String}`;
  };
  const errors: string[] = [];
  const need = Math.max(...positions.values());
  errors.push(
    width !== null
      ? `length(f) != ${width}, concat('expected ${width} fields, found ', toString(length(f)))`
      : `length(f) < ${need}, concat('expected at least ${need} fields, found ', toString(length(f)))`,
  );

  // who
  const ids = (['userId', 'anonymousId'] as const).filter((f) => byField.has(f));
  params.who = `${ids.map((f) => `${f} (column '${byField.get(f)}')`).join(' and ')}: ${ids.length > 1 ? 'both empty' : 'is empty'}`;
  errors.push(`${ids.map((f) => `${value(f)} = ''`).join(' AND ')}, {who:String}`);

  // what
  let event: string;
  if (byField.has('event')) {
    const raw = value('event');
    if (m.events) {
      params.evFrom = Object.keys(m.events);
      params.evTo = Object.values(m.events);
      event = `transform(${raw}, {evFrom:Array(String)}, {evTo:Array(String)}, ${m.unmappedEvents === 'keep' ? raw : `''`})`;
      errors.push(`${raw} = '', concat(${where('event')}, ': is empty')`);
      if (m.unmappedEvents === 'reject') errors.push(`event = '', concat(${where('event')}, ': ''', ${raw}, ''' is not in the mapping''s events')`);
    } else {
      event = raw;
      errors.push(`${raw} = '', concat(${where('event')}, ': is empty')`);
    }
  } else {
    params.fixedEvent = m.event;
    event = '{fixedEvent:String}';
  }

  // when
  const rawTs = value('timestamp');
  const fmt = m.time.format;
  const ts =
    fmt === 'unix_s'
      ? `fromUnixTimestamp64Milli(accurateCastOrNull(round(toFloat64OrNull(${rawTs}) * 1000), 'Int64'))`
      : fmt === 'unix_ms'
        ? `fromUnixTimestamp64Milli(toInt64OrNull(${rawTs}))`
        : fmt === 'iso'
          ? `toDateTime64(parseDateTime64BestEffortOrNull(${rawTs}, 3, {tz:String}), 3, 'UTC')`
          : `toDateTime64(parseDateTime64OrNull(${rawTs}, {fmt:String}, {tz:String}), 3, 'UTC')`;
  if (fmt !== 'unix_s' && fmt !== 'unix_ms' && fmt !== 'iso') params.fmt = fmt;
  const described = { unix_s: 'a unix time in seconds', unix_ms: 'a unix time in milliseconds', iso: 'an ISO 8601 date-time' }[fmt as 'iso'] ?? `in the format ${fmt}`;
  params.tsWhat = described;
  errors.push(`ts IS NULL, concat(${where('timestamp')}, ': ''', ${rawTs}, ''' is not ', {tsWhat:String})`);
  errors.push(`toUnixTimestamp64Milli(ts) < {minMs:Int64} OR toUnixTimestamp64Milli(ts) > {maxMs:Int64}, concat(${where('timestamp')}, ': ', ${rawTs}, ' is out of range (1990 … now)')`);

  // amounts: empty is absent, anything else must parse
  const numbers: string[] = [];
  for (const field of ['price', 'revenue', 'discount', 'quantity'] as const) {
    if (!byField.has(field)) {
      numbers.push(`CAST(NULL, '${field === 'quantity' ? 'Nullable(UInt32)' : 'Nullable(Float64)'}') AS ${field}`);
      continue;
    }
    const raw = value(field);
    const parse = field === 'quantity' ? `toUInt32OrNull(${raw})` : finiteOrNull(raw);
    numbers.push(`if(${raw} = '', NULL, ${parse}) AS ${field}`);
    errors.push(`${raw} != '' AND ${field} IS NULL, concat(${where(field)}, ': ''', ${raw}, ''' is not ${field === 'quantity' ? 'a whole number ≥ 0' : 'a number'}')`);
  }
  if (byField.has('messageId')) errors.push(`${value('messageId')} = '', concat(${where('messageId')}, ': is empty')`);

  // properties: the e-commerce fields under their Segment names, then properties.X
  const props: string[] = [];
  const strings: [string, EventField][] = [
    ['product_id', 'product_id'], ['name', 'product_name'], ['category', 'category'], ['brand', 'brand'], ['coupon', 'coupon'],
    ['currency', 'currency'], ['order_id', 'order_id'], ['query', 'query'], ['session_id', 'session_id'],
  ];
  // free text is protected as the ingestion protect step would (src/world/importers/piiSql.ts)
  for (const [key, field] of strings) if (byField.has(field)) props.push(`if(${value(field)} = '', '', concat('"${key}":', toJSONString(${key === 'query' ? protectTextSql('query', value(field)) : value(field)})))`);
  for (const field of ['price', 'revenue', 'discount', 'quantity'] as const) {
    if (byField.has(field)) props.push(`if(${field} IS NULL, '', concat('"${field}":', toString(${field})))`);
  }
  let k = 0;
  for (const [column, field] of Object.entries(m.columns)) {
    if (!field.startsWith('properties.')) continue;
    params[`pk${k}`] = field.slice('properties.'.length);
    props.push(`concat(toJSONString({pk${k}:String}), ':', toJSONString(${protectTextSql(field.slice('properties.'.length), `trimBoth(f[${positions.get(column)}])`)}))`);
    k++;
  }
  const properties = props.length ? `concat('{', arrayStringConcat(arrayFilter(x -> x != '', [${props.join(', ')}]), ','), '}')` : `'{}'`;
  params.currency = m.currency ?? '';
  const currency = byField.has('currency') ? `upper(if(${value('currency')} != '', ${value('currency')}, {currency:String}))` : `{currency:String}`;
  const hasProduct = byField.has('product_id');

  const select = (from: string) => `
    SELECT row, if(error = '', '', line) AS payload, error, message_id, 'track' AS type, event, distinct_id, anonymous_id, user_id,
           coalesce(ts, toDateTime64(0, 3, 'UTC')) AS timestamp, timestamp AS original_timestamp, fromUnixTimestamp64Milli({now:Int64}) AS received_at,
           product_id, category, brand, price, quantity, revenue, discount, coupon, currency, order_id, query, session_id,
           if(startsWith(event, 'Order ') AND product_id != '', [tuple(product_id, category, brand, ifNull(price, 0.), ifNull(quantity, toUInt32(1)))], []) AS products,
           properties, {lib:String} AS library, item_title
    FROM (
      SELECT row, line, f, ${numbers.join(', ')}, ${ts} AS ts, ${event} AS event,
             ${value('userId')} AS user_id, ${value('anonymousId')} AS anonymous_id, if(anonymous_id != '', anonymous_id, user_id) AS distinct_id,
             ${byField.has('messageId') ? value('messageId') : `concat('csv-', {source:String}, '-', {digest:String}, '-', lower(hex(sipHash128(line))))`} AS message_id,
             ${value('product_id')} AS product_id, ${value('category')} AS category, ${value('brand')} AS brand, ${value('coupon')} AS coupon,
             ${currency} AS currency, ${value('order_id')} AS order_id, ${protectTextSql('query', value('query'))} AS query, ${value('session_id')} AS session_id,
             ${value('product_name')} AS item_title, ${properties} AS properties,
             multiIf(${errors.join(',\n                     ')}, '') AS error
      FROM (SELECT row, line, ${csvFields('line', m.delimiter)} AS f FROM ${from}))`;
  return { select, params, hasProduct };
}

/** What the file says of each item, merged over what the catalog knew (an empty cell keeps the old value). */
function itemsFrom(db: string, cand: string): string {
  return `
    SELECT n.id, if(n.title != '', n.title, o.title), o.title_en, if(n.cat != '', n.cat, o.category), o.category_id,
           if(n.brand != '', n.brand, o.brand), if(n.price IS NOT NULL, n.price, o.price), if(n.cur != '', n.cur, o.currency),
           if(o.attributes != '', o.attributes, '{}'), {source:String}, fromUnixTimestamp64Milli({now:Int64})
    FROM (SELECT product_id AS id, argMaxIf(item_title, timestamp, item_title != '') AS title, argMaxIf(category, timestamp, category != '') AS cat,
                 argMaxIf(brand, timestamp, brand != '') AS brand, argMaxIf(price, timestamp, price IS NOT NULL) AS price,
                 argMaxIf(currency, timestamp, currency != '') AS cur
          FROM ${cand} WHERE error = '' AND product_id != '' GROUP BY product_id) AS n
    LEFT JOIN (SELECT * FROM ${db}.items FINAL WHERE item_id IN (SELECT product_id FROM ${cand})) AS o ON o.item_id = n.id`;
}

