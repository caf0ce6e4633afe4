/**
 * The fields a definition may name, and the SQL that reads each. `event` fields come from the events
 * table (one row per event); `line` fields come from one row per product line (an order's `products`,
 * or the single product of a view/add), joined to the catalog for item facts.
 */
export type FieldType = 'number' | 'string' | 'time';
export interface Field {
  sql: string;
  type: FieldType;
  level: 'event' | 'line';
  zh: string;
  en: string;
  /** reads an event property as raw JSON text, whose strings keep their quotes */
  json?: true;
}

const ev = (sql: string, type: FieldType, zh: string, en: string): Field => ({ sql, type, level: 'event', zh, en });
const ln = (sql: string, type: FieldType, zh: string, en: string): Field => ({ sql, type, level: 'line', zh, en });

export const FIELDS: Record<string, Field> = {
  event: ev('event', 'string', '事件', 'event'),
  type: ev('type', 'string', '消息类型', 'message type'),
  timestamp: ev('timestamp', 'time', '时间', 'time'),
  revenue: ev('revenue', 'number', '实付金额', 'revenue'),
  discount: ev('discount', 'number', '优惠金额', 'discount'),
  price: ev('price', 'number', '价格', 'price'),
  quantity: ev('quantity', 'number', '数量', 'quantity'),
  rating: ev('rating', 'number', '评分', 'rating'),
  // a column of its own, materialized from properties.dwell_seconds (migration 013)
  dwell_seconds: ev('prop_dwell_seconds', 'number', '停留秒数', 'dwell seconds'),
  category: ev('category', 'string', '类目', 'category'),
  top_category: ev(`splitByChar('/', category)[1]`, 'string', '一级类目', 'top category'),
  brand: ev('brand', 'string', '品牌', 'brand'),
  product_id: ev('product_id', 'string', '商品', 'product'),
  order_id: ev('order_id', 'string', '订单', 'order'),
  coupon: ev('coupon', 'string', '优惠券', 'coupon'),
  query: ev('query', 'string', '搜索词', 'search query'),
  share_to: ev('share_to', 'string', '分享对象', 'shared to'),
  session_id: ev('session_id', 'string', '会话', 'session'),
  device_type: ev('device_type', 'string', '设备', 'device'),
  os_name: ev('os_name', 'string', '操作系统', 'OS'),
  locale: ev('locale', 'string', '语言', 'locale'),
  utm_source: ev('utm_source', 'string', '来源', 'UTM source'),
  utm_medium: ev('utm_medium', 'string', '媒介', 'UTM medium'),
  utm_campaign: ev('utm_campaign', 'string', '活动', 'UTM campaign'),
  page_path: ev('page_path', 'string', '页面', 'page path'),
  hour: ev('toHour(timestamp, {tz:String})', 'number', '时段', 'hour of day'),
  weekday: ev('toDayOfWeek(timestamp, 0, {tz:String})', 'number', '星期', 'weekday'),
  date: ev('toString(toDate(timestamp, {tz:String}))', 'string', '日期', 'date'),
  'line.product_id': ln('line.product_id', 'string', '商品', 'product'),
  'line.category': ln('line.category', 'string', '类目', 'category'),
  'line.top_category': ln(`splitByChar('/', line.category)[1]`, 'string', '一级类目', 'top category'),
  'line.brand': ln('line.brand', 'string', '品牌', 'brand'),
  'line.price': ln('line.price', 'number', '单价', 'unit price'),
  'line.quantity': ln('line.quantity', 'number', '件数', 'quantity'),
  'line.amount': ln('line.price * line.quantity', 'number', '商品金额', 'line amount'),
  'item.price_pct': ln('it.price_pct', 'number', '类目内价格分位', 'price percentile in its category'),
  'item.is_new': ln(`if(isNull(it.launched_at), NULL, toUInt8(dateDiff('day', it.launched_at, timestamp) <= 30))`, 'number', '新品(上架30天内)', 'new arrival (launched ≤ 30 days before)'),
  'item.colour': ln('it.colour', 'string', '颜色', 'colour'),
  'item.material': ln('it.material', 'string', '材质', 'material'),
  'item.brand_tier': ln('it.brand_tier', 'string', '品牌档次', 'brand tier'),
};

/**
 * Properties kept in a column of their own (migration 013: `JSONExtractRaw(properties, name)` materialized
 * at insert), because built-in tags read them: reading the column costs a fraction of parsing the JSON.
 */
export const PROMOTED: Readonly<Record<string, string>> = { recipient: 'prop_recipient' };

/** Every column of `events` materialized from a property (migration 013): `dwell_seconds` and the PROMOTED. */
export const PROMOTED_COLUMNS: readonly string[] = [FIELDS.dwell_seconds!.sql, ...Object.values(PROMOTED)];

/** A field by name; `properties.x` reads the event's own property x (as raw JSON text). */
export function field(name: string): Field {
  const f = FIELDS[name];
  if (f) return f;
  const prop = /^properties\.([A-Za-z0-9_$]{1,64})$/.exec(name);
  if (!prop) throw new Error(`unknown field '${name}'`);
  const column = Object.hasOwn(PROMOTED, prop[1]!) ? PROMOTED[prop[1]!] : undefined;
  // the property name is restricted to [A-Za-z0-9_$] by the DSL, so it is safe inside a string literal
  return { sql: column ?? `JSONExtractRaw(properties, '${prop[1]}')`, type: 'string', level: 'event', zh: name, en: name, json: true };
}

/** A field's value as a number (JSON properties are parsed; strings that are not numbers are NULL). */
export function numeric(f: Field): string {
  if (f.type === 'number') return `toFloat64(${f.sql})`;
  if (f.type === 'time') return `toFloat64(toUnixTimestamp64Milli(${f.sql}))`;
  return `toFloat64OrNull(trim(BOTH '"' FROM ${f.sql}))`;
}

/** A field's value as text (JSON strings lose their quotes). */
export function text(f: Field): string {
  if (f.type === 'string') return f.json ? `trim(BOTH '"' FROM ${f.sql})` : f.sql;
  return `toString(${f.sql})`;
}
