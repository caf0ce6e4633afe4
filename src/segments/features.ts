import type { OlapStore } from '../store/olap/index.ts';

/**
 * The behavioural feature matrix that clustering and lookalikes work on: a few tags per person, read
 * from `tag_values` in one ClickHouse pass, then standardised (z-scores over the people read; a missing
 * value is the population mean, i.e. 0; values are clipped to ±3 so one extreme spender cannot pull a
 * centroid). Only people whose `consent_personalization` tag is true are read: clusters and lookalike
 * scores are personalisation outputs (docs/segments-ml.md).
 */

/** How a stored tag value becomes a number. */
type Read = 'num' | 'topWeight' | 'priceBand';

export interface Feature {
  /** the tag it reads (also the feature's name in the API) */
  tag: string;
  read: Read;
  /** log1p before standardising (counts and money are heavy-tailed) */
  log?: boolean;
  zh: string;
  en: string;
  /** phrases for a cluster well above / below the population on this feature (its suggested name) */
  high?: [zh: string, en: string];
  low?: [zh: string, en: string];
}

// features that say the same thing share phrases, so a name does not say it twice
const PRICE_HIGH: [string, string] = ['偏好高价位', 'premium-priced'];
const PRICE_LOW: [string, string] = ['偏好低价位', 'budget-priced'];
const DEAL_HIGH: [string, string] = ['爱用券促销', 'deal-driven'];
const DEAL_LOW: [string, string] = ['少用优惠', 'full-price payers'];
const BRAND_HIGH: [string, string] = ['品牌专一', 'brand-focused'];
const BRAND_LOW: [string, string] = ['品牌多元', 'brand-agnostic'];
const NEW_HIGH: [string, string] = ['追新品', 'new-arrival seekers'];

/**
 * Shopping style, not volume: price position, promotion use, novelty, brand focus, browsing care. Chosen
 * on the synthetic shop (seeds 5 and 7; tests measure on another seed) as the set whose k-means clusters
 * follow the hidden personas best; volume features (orders, spend) mostly split people by activity level.
 */
export const CLUSTER_FEATURES: Feature[] = [
  { tag: 'price_band', read: 'priceBand', zh: '价格带(低0·中0.5·高1)', en: 'Price band (low 0, mid 0.5, high 1)', high: PRICE_HIGH, low: PRICE_LOW },
  { tag: 'avg_price_pct', read: 'num', zh: '购买价位分位', en: 'Price position of purchases', high: PRICE_HIGH, low: PRICE_LOW },
  { tag: 'coupon_order_share', read: 'num', zh: '用券订单占比', en: 'Coupon order share', high: DEAL_HIGH, low: DEAL_LOW },
  { tag: 'discount_share', read: 'num', zh: '优惠金额占比', en: 'Discount share of spend', high: DEAL_HIGH, low: DEAL_LOW },
  { tag: 'new_arrival_affinity', read: 'num', zh: '新品偏好度', en: 'New-arrival affinity', high: NEW_HIGH, low: ['少看新品', 'classic picks'] },
  { tag: 'top_brands', read: 'topWeight', zh: '首选品牌占比', en: 'Top brand’s share of interest', high: BRAND_HIGH, low: BRAND_LOW },
  { tag: 'order_brand_concentration', read: 'topWeight', zh: '购买品牌集中度', en: 'Top brand’s share of purchases', high: BRAND_HIGH, low: BRAND_LOW },
  { tag: 'avg_dwell_seconds', read: 'num', zh: '平均停留时长(秒)', en: 'Avg product dwell (s)', high: ['细看慢选', 'careful browsers'], low: ['快速浏览', 'quick browsers'] },
];

/** Engagement and value, and the behavioural-trait tags: read to describe clusters and by lookalikes. */
export const PROFILE_FEATURES: Feature[] = [
  { tag: 'orders_365d', read: 'num', log: true, zh: '近365天订单数', en: 'Orders (365d)', high: ['高频购买', 'frequent buyers'], low: ['少购买', 'rare buyers'] },
  { tag: 'gmv_365d', read: 'num', log: true, zh: '近365天消费金额', en: 'Net spend (365d)', high: ['高消费', 'big spenders'], low: ['低消费', 'low spenders'] },
  { tag: 'active_days_90d', read: 'num', log: true, zh: '近90天活跃天数', en: 'Active days (90d)', high: ['高活跃', 'highly active'], low: ['低活跃', 'rarely active'] },
  { tag: 'avg_browse_depth', read: 'num', zh: '平均浏览深度', en: 'Avg browse depth', high: ['深度浏览', 'deep browsers'] },
  { tag: 'search_conversion', read: 'num', zh: '搜索转化率', en: 'Orders per search (90d)', high: ['搜索即买', 'search-to-buy'] },
  { tag: 'days_since_active', read: 'num', zh: '距上次活跃天数', en: 'Days since last active', high: ['久未活跃', 'lapsed'] },
  { tag: 'price_sensitive', read: 'num', zh: '价格敏感型', en: 'Price-sensitive', high: ['价格敏感', 'price-sensitive'] },
  { tag: 'promotion_hunter', read: 'num', zh: '促销敏感型', en: 'Promotion hunter', high: DEAL_HIGH },
  { tag: 'brand_loyal', read: 'num', zh: '品牌忠诚型', en: 'Brand-loyal', high: BRAND_HIGH },
  { tag: 'trend_seeker', read: 'num', zh: '新品尝鲜型', en: 'Trend seeker', high: NEW_HIGH },
  { tag: 'window_shopper', read: 'num', zh: '只逛不买', en: 'Window shopper', high: ['只逛不买', 'window shoppers'] },
  { tag: 'cart_abandoner', read: 'num', zh: '加购未购', en: 'Cart abandoner', high: ['加购未购', 'cart abandoners'] },
  { tag: 'high_value', read: 'num', zh: '高价值', en: 'High value', high: ['高价值', 'high-value'] },
  { tag: 'churn_warning', read: 'num', zh: '流失预警', en: 'At risk of churning', high: ['流失风险', 'at risk'] },
];

export const CONSENT_TAG = 'consent_personalization';

export interface FeatureMatrix {
  features: Feature[];
  /** person ids in ascending order (so samples and seeds are reproducible) */
  ids: string[];
  n: number;
  d: number;
  /** row-major n × d values after the feature's transform; NaN where the person has no value */
  raw: Float64Array;
  /** mean and standard deviation of each column over the people that have a value */
  mean: number[];
  sd: number[];
}

/** One column expression per feature; tag codes are parameters, the expression shapes come from `Read`. */
function column(f: Feature, i: number): string {
  const t = `tag_code = {t${i}:String}`;
  // over Nullable values an -If aggregate that matches nothing gives NULL (missing), not 0
  if (f.read === 'topWeight') return `anyIf(toNullable(value_weights[1]), ${t} AND notEmpty(value_weights))`;
  if (f.read === 'priceBand') return `anyIf(toNullable(multiIf(value_str = 'low', 0., value_str = 'mid', 0.5, 1.)), ${t} AND value_str IN ('low', 'mid', 'high'))`;
  return `anyIf(value_num, ${t})`;
}

/** Reads the features of every person who consented to personalisation, in one pass over `tag_values`. */
export async function loadFeatures(olap: OlapStore, features: Feature[]): Promise<FeatureMatrix> {
  const params: Record<string, unknown> = { consent: CONSENT_TAG, codes: [CONSENT_TAG, ...features.map((f) => f.tag)] };
  features.forEach((f, i) => (params[`t${i}`] = f.tag));
  const rows = await olap.query<{ person_id: string; f: (number | string | null)[] }>(
    `SELECT person_id, [${features.map(column).join(', ')}] AS f
     FROM ${olap.db}.tag_values FINAL
     WHERE tag_code IN {codes:Array(String)}
     GROUP BY person_id
     HAVING maxIf(value_num, tag_code = {consent:String}) = 1
     ORDER BY person_id`,
    params,
  );
  const n = rows.length;
  const d = features.length;
  const raw = new Float64Array(n * d);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    ids[i] = r.person_id;
    for (let j = 0; j < d; j++) {
      const v = r.f[j];
      const x = v === null || v === undefined ? NaN : Number(v);
      raw[i * d + j] = Number.isFinite(x) ? (features[j]!.log ? Math.log1p(Math.max(0, x)) : x) : NaN;
    }
  }
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const x = raw[i * d + j]!;
      if (Number.isNaN(x)) continue;
      s += x;
      s2 += x * x;
      c++;
    }
    const m = c ? s / c : 0;
    mean.push(m);
    sd.push(c ? Math.sqrt(Math.max(0, s2 / c - m * m)) : 0);
  }
  return { features, ids, n, d, raw, mean, sd };
}

/** z-scores of some columns (all by default), one array per person: missing → 0, clipped to ±3. */
export function standardise(m: FeatureMatrix, columns: number[] = [...Array(m.d).keys()]): number[][] {
  const out = new Array<number[]>(m.n);
  for (let i = 0; i < m.n; i++) {
    const row = new Array<number>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const j = columns[c]!;
      const x = m.raw[i * m.d + j]!;
      const z = Number.isNaN(x) || m.sd[j] === 0 ? 0 : (x - m.mean[j]!) / m.sd[j]!;
      row[c] = z > 3 ? 3 : z < -3 ? -3 : z;
    }
    out[i] = row;
  }
  return out;
}

/** A small seeded generator (mulberry32): samples must not change between runs with the same seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `m` distinct indices of `0…n-1` (all of them when m ≥ n), ascending, reproducible for a seed. */
export function sampleIndices(n: number, m: number, seed: number): number[] {
  if (m >= n) return [...Array(n).keys()];
  const next = rng(seed);
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(next() * (n - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return [...a.subarray(0, m)].sort((x, y) => x - y);
}
