/**
 * ClickHouse SQL that validates and flattens Segment messages held as JSON text in `line` — the bulk
 * path of `segment-jsonl` imports, so parsing runs in the engine rather than the JS heap. It applies
 * the same rules as the zod schemas in src/events (same order, same field paths); the parity test in
 * segmentJsonl.test.ts runs one corpus through both and compares the decisions.
 */
const numberTypes = `('Int64', 'UInt64', 'Double')`;

const j = (doc: string, ...keys: string[]) => [doc, ...keys.map((k) => `'${k}'`)].join(', ');

/** A string id that may be sent as a number. */
export const idOf = (doc: string, key: string) =>
  `multiIf(JSONType(${j(doc, key)}) = 'String', trimBoth(JSONExtractString(${j(doc, key)})), JSONType(${j(doc, key)}) IN ${numberTypes}, JSONExtractRaw(${j(doc, key)}), '')`;

const present = (doc: string, key: string) => `(JSONHas(${j(doc, key)}) AND JSONType(${j(doc, key)}) != 'Null')`;
const isNumberLike = (doc: string, key: string) =>
  `(JSONType(${j(doc, key)}) IN ${numberTypes} OR (JSONType(${j(doc, key)}) = 'String' AND match(JSONExtractString(${j(doc, key)}), '^\\\\s*-?\\\\d+(\\\\.\\\\d+)?\\\\s*$')))`;
const isCount = (doc: string, key: string) =>
  `(JSONType(${j(doc, key)}) IN ('Int64', 'UInt64') AND JSONExtractInt(${j(doc, key)}) >= 0 OR (JSONType(${j(doc, key)}) = 'String' AND match(JSONExtractString(${j(doc, key)}), '^\\\\d+$')))`;

export const numberOf = (doc: string, key: string) =>
  `multiIf(JSONType(${j(doc, key)}) = 'String', toFloat64OrNull(trimBoth(JSONExtractString(${j(doc, key)}))), JSONType(${j(doc, key)}) IN ${numberTypes}, JSONExtractFloat(${j(doc, key)}), NULL)`;

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

function badValue(doc: string, key: string, kind: Kind): [string, string] {
  // null counts as absent, as in the zod schemas
  const has = present(doc, key);
  switch (kind) {
    case 'id':
      return [`${has} AND JSONType(${j(doc, key)}) NOT IN ('String', 'Int64', 'UInt64', 'Double')`, 'must be a string'];
    case 'string':
      return [`${has} AND JSONType(${j(doc, key)}) != 'String'`, 'must be a string'];
    case 'money':
      return [`${has} AND NOT ${isNumberLike(doc, key)}`, 'must be a number'];
    case 'count':
      return [`${has} AND NOT ${isCount(doc, key)}`, 'must be a whole number ≥ 0'];
    case 'currency':
      return [`${has} AND NOT (JSONType(${j(doc, key)}) = 'String' AND match(JSONExtractString(${j(doc, key)}), '^[A-Za-z]{3}$'))`, 'must be a 3-letter ISO 4217 code'];
    case 'rating':
      return [`${has} AND NOT (${isNumberLike(doc, key)} AND ${numberOf(doc, key)} BETWEEN 0 AND 5)`, 'must be a number from 0 to 5'];
    case 'products':
      return [`${has} AND JSONType(${j(doc, key)}) != 'Array'`, 'must be an array of products'];
  }
}

function productError(props: string): [string, string][] {
  // first bad field of the first bad product, as 'properties.products.<i>.<field>: message'
  const items = `JSONExtractArrayRaw(${props}, 'products')`;
  return productKinds.map(([key, kind]) => {
    const [bad, message] = badValue('x', key, kind);
    const idx = `arrayFirstIndex(x -> ${bad}, ${items})`;
    return [`${idx} > 0`, `concat('properties.products.', toString(${idx} - 1), '.${key}: ${message}')`];
  });
}

const time = (key: string) =>
  `multiIf(JSONType(line, '${key}') = 'String' AND match(JSONExtractString(line, '${key}'), '^\\\\d{4}-\\\\d{2}-\\\\d{2}'), parseDateTime64BestEffortOrNull(JSONExtractString(line, '${key}'), 3, 'UTC'),
           JSONType(line, '${key}') IN ${numberTypes}, fromUnixTimestamp64Milli(toInt64(JSONExtractFloat(line, '${key}'))), NULL)`;
const badTime = (key: string) => `${present('line', key)} AND ${time(key)} IS NULL`;

/**
 * The candidate SELECT over a staging table `(row, line)`: every events column, plus `row`, `error`
 * ('' or 'path: message') and `payload`. Rows whose traits hold PII are left out (`needsProtect`):
 * they take the TS path, where the protect step encrypts them.
 */
export function segmentCandidates(db: string, staging: string): string {
  const checks: [string, string][] = [
    [`NOT isValidJSON(line)`, `'message is not valid JSON'`],
    [`length(line) > {maxBytes:UInt32}`, `concat('message is ', toString(length(line)), ' bytes; the limit is ', toString({maxBytes:UInt32}))`],
    [`JSONType(line) != 'Object'`, `'message must be a JSON object'`],
    [`JSONType(line, 'type') != 'String'`, `'type: is required: one of track, identify, page, screen, alias, group'`],
    [`t NOT IN ('track', 'identify', 'page', 'screen', 'alias', 'group')`, `concat('type: unknown type ''', substring(t, 1, 40), ''': expected one of track, identify, page, screen, alias, group')`],
    [`t = 'track' AND JSONType(line, 'event') != 'String'`, `'event: is required for track'`],
    [`t = 'track' AND JSONExtractString(line, 'event') = ''`, `'event: must not be empty'`],
    [`t IN ('page', 'screen') AND JSONHas(line, 'name') AND JSONType(line, 'name') != 'String'`, `'name: must be a string'`],
    [`t IN ('track', 'page', 'screen') AND ${present('line', 'properties')} AND JSONType(line, 'properties') != 'Object'`, `'properties: must be an object'`],
    ...propertyKinds.map(([key, kind]): [string, string] => {
      const [bad, message] = badValue('p', key, kind);
      return [`t = 'track' AND (${bad})`, `'properties.${key}: ${message}'`];
    }),
    ...productError('p').map(([bad, message]): [string, string] => [`t = 'track' AND ${bad}`, message]),
    [`t IN ('identify', 'group') AND ${present('line', 'traits')} AND JSONType(line, 'traits') != 'Object'`, `'traits: must be an object'`],
    [`t = 'alias' AND previous = ''`, `'previousId: is required'`],
    [`t = 'group' AND idOfGroup = ''`, `'groupId: is required'`],
    ...['messageId', 'anonymousId', 'userId'].map((k): [string, string] => [
      `${present('line', k)} AND JSONType(line, '${k}') NOT IN ('String', 'Int64', 'UInt64', 'Double')`,
      `'${k}: must be a string'`,
    ]),
    ...['timestamp', 'originalTimestamp', 'sentAt'].map((k): [string, string] => [badTime(k), `'${k}: must be an ISO-8601 date-time'`]),
    [`${present('line', 'context')} AND JSONType(line, 'context') != 'Object'`, `'context: must be an object'`],
    [`anon = '' AND uid = ''`, `'userId: either userId or anonymousId is required'`],
    [`ts > fromUnixTimestamp64Milli({maxTs:Int64})`, `concat(if(ts_field = 'timestamp', 'timestamp', 'originalTimestamp'), ': lies in the future (after clock-skew correction)')`],
    [`ts < toDateTime64('1990-01-01 00:00:00', 3, 'UTC')`, `concat(if(ts_field = 'timestamp', 'timestamp', 'originalTimestamp'), ': lies before 1990-01-01')`],
  ];
  const error = `multiIf(${checks.map(([c, m]) => `${c}, ${m}`).join(',\n    ')},\n    '')`;
  const productsOut = `arrayMap(x -> tuple(if(${idOf('x', 'product_id')} != '', ${idOf('x', 'product_id')}, ${idOf('x', 'sku')}),
      JSONExtractString(x, 'category'), JSONExtractString(x, 'brand'), coalesce(${numberOf('x', 'price')}, 0.),
      toUInt32(coalesce(${numberOf('x', 'quantity')}, 1))), JSONExtractArrayRaw(p, 'products'))`;
  return `
SELECT row, line AS payload, ${error} AS error,
  if(mid != '', mid, concat('imp-', hex(cityHash64(line)))) AS message_id,
  t AS type,
  multiIf(t = 'track', JSONExtractString(line, 'event'), t IN ('page', 'screen'), JSONExtractString(line, 'name'), '') AS event,
  if(anon != '', anon, uid) AS distinct_id, anon AS anonymous_id, uid AS user_id,
  coalesce(ts, toDateTime64(0, 3, 'UTC')) AS timestamp, coalesce(orig, ts, toDateTime64(0, 3, 'UTC')) AS original_timestamp,
  sent AS sent_at, coalesce(received, fromUnixTimestamp64Milli({now:Int64})) AS received_at,
  if(JSONHas(c, 'sessionId'), ${idOf('c', 'sessionId')}, ${idOf('p', 'session_id')}) AS session_id,
  if(${idOf('p', 'product_id')} != '', ${idOf('p', 'product_id')}, if(length(products) = 1, products[1].1, '')) AS product_id,
  ${idOf('p', 'order_id')} AS order_id, JSONExtractString(p, 'category') AS category, JSONExtractString(p, 'brand') AS brand,
  ${numberOf('p', 'price')} AS price, toUInt32OrNull(toString(${numberOf('p', 'quantity')})) AS quantity,
  coalesce(${numberOf('p', 'revenue')}, ${numberOf('p', 'total')}) AS revenue, ${numberOf('p', 'discount')} AS discount,
  JSONExtractString(p, 'coupon') AS coupon, upper(JSONExtractString(p, 'currency')) AS currency, JSONExtractString(p, 'query') AS query,
  toUInt8OrNull(toString(round(${numberOf('p', 'rating')}))) AS rating, ${idOf('p', 'recipient')} AS share_to,
  ${productsOut} AS products,
  if(JSONHas(p, 'url'), JSONExtractString(p, 'url'), JSONExtractString(c, 'page', 'url')) AS page_url,
  if(JSONHas(p, 'path'), JSONExtractString(p, 'path'), JSONExtractString(c, 'page', 'path')) AS page_path,
  if(JSONHas(p, 'referrer'), JSONExtractString(p, 'referrer'), JSONExtractString(c, 'page', 'referrer')) AS referrer,
  JSONExtractString(c, 'campaign', 'source') AS utm_source, JSONExtractString(c, 'campaign', 'medium') AS utm_medium,
  JSONExtractString(c, 'campaign', 'name') AS utm_campaign, JSONExtractString(c, 'device', 'type') AS device_type,
  JSONExtractString(c, 'os', 'name') AS os_name, JSONExtractString(c, 'locale') AS locale, JSONExtractString(c, 'timezone') AS timezone,
  multiIf(match(ip, '^\\\\d+\\\\.\\\\d+\\\\.\\\\d+\\\\.\\\\d+$'), replaceRegexpOne(ip, '\\\\.\\\\d+$', '.0'),
          position(ip, ':') > 0, concat(arrayStringConcat(arraySlice(splitByChar(':', ip), 1, 3), ':'), '::'), '') AS ip_masked,
  JSONExtractString(c, 'userAgent') AS user_agent, JSONExtractString(c, 'library', 'name') AS library,
  if(t IN ('track', 'page', 'screen') AND p != '', p, '{}') AS properties,
  -- the IP is personal data: only its masked form is kept
  replaceRegexpAll(replaceRegexpAll(c, '"ip"\\\\s*:\\\\s*"[^"]*"\\\\s*,?', ''), ',\\\\s*}', '}') AS context,
  if(t IN ('identify', 'group') AND JSONLength(line, 'traits') > 0, JSONExtractRaw(line, 'traits'), '') AS traits,
  previous AS previous_id, idOfGroup AS group_id, 'import' AS write_key_id
FROM (
  SELECT row, line,
    JSONExtractString(line, 'type') AS t,
    ${idOf('line', 'messageId')} AS mid, ${idOf('line', 'anonymousId')} AS anon, ${idOf('line', 'userId')} AS uid,
    ${idOf('line', 'previousId')} AS previous, ${idOf('line', 'groupId')} AS idOfGroup,
    if(JSONType(line, 'properties') = 'Object', JSONExtractRaw(line, 'properties'), '') AS p,
    if(JSONType(line, 'context') = 'Object', JSONExtractRaw(line, 'context'), '{}') AS c,
    JSONExtractString(c, 'ip') AS ip,
    ${time('timestamp')} AS ts_given, ${time('originalTimestamp')} AS orig_given,
    if(ts_given IS NOT NULL, 'timestamp', 'originalTimestamp') AS ts_field,
    coalesce(ts_given, orig_given) AS orig, ${time('sentAt')} AS sent, ${time('receivedAt')} AS received,
    -- clock-skew correction needs the message's own receive time; without one the timestamp stands
    -- (and with no timestamp at all, the receive time, as for live traffic)
    multiIf(orig IS NOT NULL AND sent IS NOT NULL AND received IS NOT NULL,
       fromUnixTimestamp64Milli(toUnixTimestamp64Milli(received) - (toUnixTimestamp64Milli(sent) - toUnixTimestamp64Milli(orig))),
       orig IS NOT NULL, orig, coalesce(received, fromUnixTimestamp64Milli({now:Int64}))) AS ts
  FROM ${db}.${staging}
  WHERE NOT (${needsProtect})
)`;
}

/** Messages whose traits carry PII: they go through the TS pipeline, where the protect step encrypts them. */
export const needsProtect = `isValidJSON(line) AND (JSONHas(line, 'traits', 'email') OR JSONHas(line, 'traits', 'phone') OR JSONHas(line, 'context', 'traits'))`;
