/**
 * ClickHouse SQL that validates and flattens Segment messages held as JSON text in `line` — the bulk
 * path of `segment-jsonl` imports, so parsing runs in the engine rather than the JS heap. It applies
 * the same rules as the zod schemas in src/events (same order, same field paths); the parity test in
 * segmentJsonl.test.ts runs one corpus through both and compares the decisions.
 */
import { piiTraits } from '../../ingest/steps/protect.ts';
import { classification, foldKey, type Classification } from '../../privacy/classification.ts';
import { ROUTE_PATTERNS, sqlString } from './piiSql.ts';

/*
 * Each message is parsed once into maps of raw JSON values (top level `m`, `properties` → `p`, `context`
 * → `c`, each product → `x`); the helpers below read a raw value's JSON type from its first character,
 * so no field costs a second parse of the whole line.
 */
const v = (map: string, key: string) => `${map}['${key}']`;
const rawType = (raw: string) =>
  `multiIf(${raw} = '', 'Absent', ${raw} = 'null', 'Null', startsWith(${raw}, '"'), 'String', startsWith(${raw}, '{'), 'Object',
           startsWith(${raw}, '['), 'Array', ${raw} IN ('true', 'false'), 'Bool', 'Number')`;
const typeOf = (map: string, key: string) => rawType(v(map, key));
const strOf = (map: string, key: string) => `JSONExtractString(${v(map, key)})`;
export const asMap = (raw: string) => `CAST(JSONExtractKeysAndValuesRaw(${raw}), 'Map(String, String)')`;

/** A string id that may be sent as a number. */
export const idOf = (map: string, key: string) =>
  `multiIf(startsWith(${v(map, key)}, '"'), trimBoth(${strOf(map, key)}), ${typeOf(map, key)} = 'Number', ${v(map, key)}, '')`;

const present = (map: string, key: string) => `(${v(map, key)} NOT IN ('', 'null'))`;
const numericString = (map: string, key: string) => `match(${strOf(map, key)}, '^\\\\s*-?\\\\d+(\\\\.\\\\d+)?\\\\s*$')`;
const isNumberLike = (map: string, key: string) =>
  `(${typeOf(map, key)} = 'Number' OR (startsWith(${v(map, key)}, '"') AND ${numericString(map, key)}))`;
const isCount = (map: string, key: string) =>
  `(match(${v(map, key)}, '^\\\\d+(\\\\.0+)?$') OR (startsWith(${v(map, key)}, '"') AND match(${strOf(map, key)}, '^\\\\d+$')))`;

export const numberOf = (map: string, key: string) =>
  `multiIf(startsWith(${v(map, key)}, '"'), toFloat64OrNull(trimBoth(${strOf(map, key)})), ${typeOf(map, key)} = 'Number', toFloat64OrNull(${v(map, key)}), NULL)`;

/** Checks of one property in the order of `ecommerceProperties`; each yields [condition that is an error, path, message]. */
type Kind = 'id' | 'string' | 'money' | 'count' | 'currency' | 'rating' | 'products';
const propertyKinds: [string, Kind][] = [
  ['product_id', 'id'], ['sku', 'id'], ['category', 'string'], ['brand', 'string'], ['price', 'money'], ['quantity', 'count'],
  ['order_id', 'id'], ['checkout_id', 'id'], ['cart_id', 'id'], ['revenue', 'money'], ['total', 'money'], ['subtotal', 'money'],
  ['discount', 'money'], ['shipping', 'money'], ['tax', 'money'], ['coupon', 'string'], ['currency', 'currency'], ['query', 'string'],
  ['rating', 'rating'], ['review_body', 'string'], ['share_via', 'string'], ['share_message', 'string'], ['recipient', 'id'],
  ['products', 'products'],
];
const productKinds: [string, Kind][] = [
  ['product_id', 'id'], ['sku', 'id'], ['category', 'string'], ['name', 'string'], ['brand', 'string'], ['variant', 'string'],
  ['price', 'money'], ['quantity', 'count'], ['coupon', 'string'], ['position', 'count'], ['url', 'string'], ['image_url', 'string'],
];

function badValue(map: string, key: string, kind: Kind): [string, string] {
  // null counts as absent, as in the zod schemas
  const has = present(map, key);
  const t = typeOf(map, key);
  switch (kind) {
    case 'id':
      return [`${has} AND ${t} NOT IN ('String', 'Number')`, 'must be a string'];
    case 'string':
      return [`${has} AND ${t} != 'String'`, 'must be a string'];
    case 'money':
      return [`${has} AND NOT ${isNumberLike(map, key)}`, 'must be a number'];
    case 'count':
      return [`${has} AND NOT ${isCount(map, key)}`, 'must be a whole number ≥ 0'];
    case 'currency':
      return [`${has} AND NOT (${t} = 'String' AND match(${strOf(map, key)}, '^[A-Za-z]{3}$'))`, 'must be a 3-letter ISO 4217 code'];
    case 'rating':
      return [`${has} AND NOT (${isNumberLike(map, key)} AND ${numberOf(map, key)} BETWEEN 0 AND 5)`, 'must be a number from 0 to 5'];
    case 'products':
      return [`${has} AND ${t} != 'Array'`, 'must be an array of products'];
  }
}

function productError(): [string, string][] {
  // first bad field of the first bad product, as 'properties.products.<i>.<field>: message'
  const items = `arrayMap(y -> ${asMap('y')}, JSONExtractArrayRaw(p['products']))`;
  return productKinds.map(([key, kind]) => {
    const [bad, message] = badValue('x', key, kind);
    const idx = `arrayFirstIndex(x -> ${bad}, ${items})`;
    return [`${idx} > 0`, `concat('properties.products.', toString(${idx} - 1), '.${key}: ${message}')`];
  });
}

const time = (key: string) =>
  `multiIf(startsWith(m['${key}'], '"') AND match(${strOf('m', key)}, '^\\\\d{4}-\\\\d{2}-\\\\d{2}'), parseDateTime64BestEffortOrNull(${strOf('m', key)}, 3, 'UTC'),
           ${typeOf('m', key)} = 'Number', fromUnixTimestamp64Milli(toInt64(toFloat64OrZero(m['${key}']))), NULL)`;
const badTime = (key: string) => `${present('m', key)} AND ${time(key)} IS NULL`;

/**
 * The candidate SELECT over a source of `(row, line)` (a table or a subquery): every events column, plus `row`, `error`
 * ('' or 'path: message') and `payload`. Rows that may hold personal data are left out (`needsProtect`):
 * they take the TS path, where the protect step encrypts, masks or drops it.
 */
export function segmentCandidates(from: string): string {
  const checks: [string, string][] = [
    [`NOT isValidJSON(line)`, `'message is not valid JSON'`],
    [`length(line) > {maxBytes:UInt32}`, `concat('message is ', toString(length(line)), ' bytes; the limit is ', toString({maxBytes:UInt32}))`],
    [`NOT startsWith(trimLeft(line), '{')`, `'message must be a JSON object'`],
    [`${typeOf('m', 'type')} != 'String'`, `'type: is required: one of track, identify, page, screen, alias, group'`],
    [`t NOT IN ('track', 'identify', 'page', 'screen', 'alias', 'group')`, `concat('type: unknown type ''', substring(t, 1, 40), ''': expected one of track, identify, page, screen, alias, group')`],
    [`t = 'track' AND ${typeOf('m', 'event')} != 'String'`, `'event: is required for track'`],
    [`t = 'track' AND ${strOf('m', 'event')} = ''`, `'event: must not be empty'`],
    [`t IN ('page', 'screen') AND ${present('m', 'name')} AND ${typeOf('m', 'name')} != 'String'`, `'name: must be a string'`],
    [`t IN ('track', 'page', 'screen') AND ${present('m', 'properties')} AND ${typeOf('m', 'properties')} != 'Object'`, `'properties: must be an object'`],
    ...propertyKinds.map(([key, kind]): [string, string] => {
      const [bad, message] = badValue('p', key, kind);
      return [`t = 'track' AND (${bad})`, `'properties.${key}: ${message}'`];
    }),
    ...productError().map(([bad, message]): [string, string] => [`t = 'track' AND ${bad}`, message]),
    [`t IN ('identify', 'group') AND ${present('m', 'traits')} AND ${typeOf('m', 'traits')} != 'Object'`, `'traits: must be an object'`],
    [`t = 'alias' AND previous = ''`, `'previousId: is required'`],
    [`t = 'group' AND idOfGroup = ''`, `'groupId: is required'`],
    ...['messageId', 'anonymousId', 'userId'].map((k): [string, string] => [
      `${present('m', k)} AND ${typeOf('m', k)} NOT IN ('String', 'Number')`,
      `'${k}: must be a string'`,
    ]),
    ...['timestamp', 'originalTimestamp', 'sentAt'].map((k): [string, string] => [badTime(k), `'${k}: must be an ISO-8601 date-time'`]),
    [`${present('m', 'context')} AND ${typeOf('m', 'context')} != 'Object'`, `'context: must be an object'`],
    [`anon = '' AND uid = ''`, `'userId: either userId or anonymousId is required'`],
    [`ts > fromUnixTimestamp64Milli({maxTs:Int64})`, `concat(ts_field, ': lies in the future (after clock-skew correction)')`],
    [`ts < toDateTime64('1990-01-01 00:00:00', 3, 'UTC')`, `concat(ts_field, ': lies before 1990-01-01')`],
  ];
  const error = `multiIf(${checks.map(([c, msg]) => `${c}, ${msg}`).join(',\n    ')},\n    '')`;
  const productsOut = `arrayMap(x -> tuple(if(${idOf('x', 'product_id')} != '', ${idOf('x', 'product_id')}, ${idOf('x', 'sku')}),
      ${strOf('x', 'category')}, ${strOf('x', 'brand')}, coalesce(${numberOf('x', 'price')}, 0.),
      toUInt32(coalesce(${numberOf('x', 'quantity')}, 1))), arrayMap(y -> ${asMap('y')}, JSONExtractArrayRaw(p['products'])))`;
  const sub = (map: string, key: string, field: string) => `JSONExtractString(${v(map, key)}, '${field}')`;
  return `
SELECT row, line AS payload, ${error} AS error,
  if(mid != '', mid, concat('imp-', hex(cityHash64(line)))) AS message_id,
  t AS type,
  multiIf(t = 'track', ${strOf('m', 'event')}, t IN ('page', 'screen'), ${strOf('m', 'name')}, '') AS event,
  if(anon != '', anon, uid) AS distinct_id, anon AS anonymous_id, uid AS user_id,
  coalesce(ts, toDateTime64(0, 3, 'UTC')) AS timestamp, coalesce(orig, ts, toDateTime64(0, 3, 'UTC')) AS original_timestamp,
  sent AS sent_at, coalesce(received, fromUnixTimestamp64Milli({now:Int64})) AS received_at,
  if(mapContains(c, 'sessionId'), ${idOf('c', 'sessionId')}, ${idOf('p', 'session_id')}) AS session_id,
  if(${idOf('p', 'product_id')} != '', ${idOf('p', 'product_id')}, if(length(products) = 1, products[1].1, '')) AS product_id,
  ${idOf('p', 'order_id')} AS order_id, ${strOf('p', 'category')} AS category, ${strOf('p', 'brand')} AS brand,
  ${numberOf('p', 'price')} AS price, toUInt32OrNull(toString(${numberOf('p', 'quantity')})) AS quantity,
  coalesce(${numberOf('p', 'revenue')}, ${numberOf('p', 'total')}) AS revenue, ${numberOf('p', 'discount')} AS discount,
  ${strOf('p', 'coupon')} AS coupon, upper(${strOf('p', 'currency')}) AS currency, ${strOf('p', 'query')} AS query,
  toUInt8OrNull(toString(round(${numberOf('p', 'rating')}))) AS rating, ${idOf('p', 'recipient')} AS share_to,
  ${productsOut} AS products,
  if(mapContains(p, 'url'), ${strOf('p', 'url')}, ${sub('c', 'page', 'url')}) AS page_url,
  if(mapContains(p, 'path'), ${strOf('p', 'path')}, ${sub('c', 'page', 'path')}) AS page_path,
  if(mapContains(p, 'referrer'), ${strOf('p', 'referrer')}, ${sub('c', 'page', 'referrer')}) AS referrer,
  ${sub('c', 'campaign', 'source')} AS utm_source, ${sub('c', 'campaign', 'medium')} AS utm_medium,
  ${sub('c', 'campaign', 'name')} AS utm_campaign, ${sub('c', 'device', 'type')} AS device_type,
  ${sub('c', 'os', 'name')} AS os_name, ${strOf('c', 'locale')} AS locale, ${strOf('c', 'timezone')} AS timezone,
  multiIf(match(ip, '^\\\\d+\\\\.\\\\d+\\\\.\\\\d+\\\\.\\\\d+$'), replaceRegexpOne(ip, '\\\\.\\\\d+$', '.0'),
          position(ip, ':') > 0, concat(arrayStringConcat(arraySlice(splitByChar(':', ip), 1, 3), ':'), '::'), '') AS ip_masked,
  ${strOf('c', 'userAgent')} AS user_agent, ${sub('c', 'library', 'name')} AS library,
  if(t IN ('track', 'page', 'screen') AND p_raw != '', p_raw, '{}') AS properties,
  -- the IP is personal data: only its masked form is kept
  replaceRegexpAll(replaceRegexpAll(c_raw, '"ip"\\\\s*:\\\\s*"[^"]*"\\\\s*,?', ''), ',\\\\s*}', '}') AS context,
  if(t IN ('identify', 'group') AND startsWith(m['traits'], '{') AND m['traits'] != '{}', m['traits'], '') AS traits,
  previous AS previous_id, idOfGroup AS group_id, 'import' AS write_key_id
FROM (
  SELECT row, line,
    if(isValidJSON(line) AND startsWith(trimLeft(line), '{'), ${asMap('line')}, map()) AS m,
    ${strOf('m', 'type')} AS t,
    ${idOf('m', 'messageId')} AS mid, ${idOf('m', 'anonymousId')} AS anon, ${idOf('m', 'userId')} AS uid,
    ${idOf('m', 'previousId')} AS previous, ${idOf('m', 'groupId')} AS idOfGroup,
    if(startsWith(m['properties'], '{'), m['properties'], '') AS p_raw, ${asMap('p_raw')} AS p,
    if(startsWith(m['context'], '{'), m['context'], '{}') AS c_raw, ${asMap('c_raw')} AS c,
    ${strOf('c', 'ip')} AS ip,
    ${time('timestamp')} AS ts_given, ${time('originalTimestamp')} AS orig_given,
    if(${present('m', 'timestamp')} OR NOT ${present('m', 'originalTimestamp')}, 'timestamp', 'originalTimestamp') AS ts_field,
    coalesce(ts_given, orig_given) AS orig, ${time('sentAt')} AS sent, ${time('receivedAt')} AS received,
    -- clock-skew correction needs the message's own receive time; without one the timestamp stands
    -- (and with no timestamp at all, the receive time, as for live traffic)
    multiIf(orig IS NOT NULL AND sent IS NOT NULL AND received IS NOT NULL,
       fromUnixTimestamp64Milli(toUnixTimestamp64Milli(received) - (toUnixTimestamp64Milli(sent) - toUnixTimestamp64Milli(orig))),
       orig IS NOT NULL, orig, coalesce(received, fromUnixTimestamp64Milli({now:Int64}))) AS ts
  FROM ${from}
  WHERE NOT (${needsProtect()})
)`;
}

/** A key of any case, `_` and `-` placed anywhere (as classification keys are compared), followed by a colon. */
const keyPattern = (name: string) => `"${[...foldKey(name)].map((c) => c.replace(/[^a-z0-9]/g, '')).join('[_-]?')}"\\s*:`;

/**
 * Messages that may carry personal data take the TS pipeline, whose protect step encrypts, masks or
 * drops it: traits naming a built-in PII field, any `context.traits`, a field the classification
 * names (`pii` or `sensitive`, any case), or text anywhere in the line that matches a detection pattern.
 */
export function needsProtect(cls: Classification = classification()): string {
  const named = [...cls.configured.traits.filter((k) => cls.trait(k) === 'pii'), ...cls.configured.properties.filter((k) => cls.property(k) === 'pii')];
  const patterns = [...Object.values(ROUTE_PATTERNS), ...named.map(keyPattern)];
  return `isValidJSON(line) AND (${Object.keys(piiTraits)
    .map((k) => `JSONHas(line, 'traits', '${k}')`)
    .join(' OR ')} OR JSONHas(line, 'context', 'traits') OR match(line, ${sqlString(`(?i)${patterns.join('|')}`)}))`;
}
