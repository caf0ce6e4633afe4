import type { Cond, Expr } from '../dsl.ts';
import { ADD, ORDER, VIEW, all, any, eq, gt, gte, lt, lte, stat, tag, type Builtin } from './define.ts';

const rule = (code: string, zh: string, en: string, description: string, when: Cond): Builtin => ({
  code, category: 'traits', name_zh: zh, name_en: en, valueType: 'boolean', kind: 'rule', purpose: 'personalization', description, spec: { type: 'rule', when },
});

/** A helper statistic of the traits below (a number a rule reads, shown in the tag centre like any other). */
const helper = (code: string, zh: string, en: string, description: string, spec: Builtin['spec'], valueType: Builtin['valueType'] = 'number'): Builtin => ({
  code, category: 'traits', name_zh: zh, name_en: en, valueType, purpose: 'personalization', description, spec,
});

const add = (...xs: Expr[]): Expr => xs.reduce((a, b) => ({ add: [a, b] }));
const sub = (a: Expr, b: Expr): Expr => ({ sub: [a, b] });
const mul = (a: Expr, b: Expr): Expr => ({ mul: [a, b] });
const div = (a: Expr, b: Expr): Expr => ({ div: [a, b] });
/** a helper's value, or `typical` (the middle of the population) when it has none */
const or = (code: string, typical: number): Expr => ({ coalesce: [tag(code), typical] });
/**
 * How far browsing statistics can be trusted: views ÷ (views + 10). Ten product views count half; a score
 * built from browsing shares is multiplied by this, so a handful of views cannot make anyone a type.
 */
const BROWSED = div(tag('product_views_90d'), add(tag('product_views_90d'), 10));

/**
 * 行为特征: the classic shopper types, as rules over statistics (the helpers first). price_sensitive,
 * brand_loyal and trend_seeker each read a score — a short weighted sum of browsing and buying shares, each
 * centred on the typical shopper — so that several weak signs add up; weights and thresholds were tuned on
 * synthetic shops whose shoppers' true types are known and measured on others (docs/tags-accuracy.md).
 */
export const traits: Builtin[] = [
  // ---- helpers: browsing in the last 90 days ----
  helper('product_views_90d', '近90天浏览商品数', 'Product views (90d)', 'Product Viewed events in the last 90 days.', { type: 'stat', stat: stat({ agg: 'count', event: VIEW, window: '90d' }).stat }),
  helper('view_price_pct', '浏览价位分位', 'Price position of views',
    'Average position (0 cheapest … 1 dearest) of viewed items’ prices within their category, last 90 days.',
    { type: 'stat', round: 3, stat: stat({ agg: 'avg', of: 'item.price_pct', event: VIEW, window: '90d' }).stat }),
  helper('new_arrival_view_share', '新品浏览占比', 'New-arrival share of views',
    'Share of viewed items (last 90 days) launched within 30 days before the view.',
    { type: 'stat', round: 3, stat: stat({ agg: 'avg', of: 'item.is_new', event: VIEW, window: '90d' }).stat }),
  helper('cart_add_rate', '加购率', 'Cart adds per view', 'Product Added ÷ Product Viewed, last 90 days.',
    { type: 'expr', round: 3, expr: div(stat({ agg: 'count', event: ADD, window: '90d' }), tag('product_views_90d')) }),
  helper('cheap_dwell_share', '低价商品停留占比', 'Dwell on cheap vs dear items',
    'Average dwell on the cheapest third of viewed items ÷ (that + the average dwell on the dearest third), last 90 days: 0.5 = no difference.',
    {
      type: 'expr', round: 3,
      expr: div(
        stat({ agg: 'avg', of: 'dwell_seconds', event: VIEW, window: '90d', where: [{ field: 'item.price_pct', op: 'lte', value: 0.33 }] }),
        add(
          stat({ agg: 'avg', of: 'dwell_seconds', event: VIEW, window: '90d', where: [{ field: 'item.price_pct', op: 'lte', value: 0.33 }] }),
          stat({ agg: 'avg', of: 'dwell_seconds', event: VIEW, window: '90d', where: [{ field: 'item.price_pct', op: 'gte', value: 0.67 }] }),
        ),
      ),
    }),
  helper('multi_unit_add_share', '多件加购占比', 'Multi-unit share of cart adds', 'Share of cart adds (last 90 days) of two or more units: stocking up.',
    { type: 'expr', round: 3, expr: div(stat({ agg: 'count', event: ADD, window: '90d', where: [{ field: 'line.quantity', op: 'gte', value: 2 }] }), stat({ agg: 'count', event: ADD, window: '90d' })) }),
  helper('top_viewed_brand', '浏览最多品牌', 'Most viewed brand', 'The brand with the most product views in the last 90 days, and its share of them.',
    { type: 'top', key: 'line.brand', event: VIEW, n: 1, window: '90d' }, 'ranked'),
  helper('top_viewed_department', '浏览最多一级类目', 'Most viewed department', 'The top category with the most product views in the last 90 days, and its share of them.',
    { type: 'top', key: 'line.top_category', event: VIEW, n: 1, window: '90d' }, 'ranked'),
  helper('brands_per_category', '品类品牌数', 'Brands per category viewed',
    'Distinct brands ÷ distinct leaf categories among viewed items, last 90 days (a loyal shopper sees one brand across many categories).',
    { type: 'expr', round: 3, expr: div(stat({ agg: 'uniq', of: 'line.brand', event: VIEW, window: '90d' }), stat({ agg: 'uniq', of: 'line.category', event: VIEW, window: '90d' })) }),

  // ---- scores: 0 is the typical shopper ----
  helper('brand_focus', '品牌专注度', 'Brand focus',
    'The most viewed brand’s share of views ÷ the most viewed department’s share (last 90 days): 1 = one brand fills the favourite department.',
    { type: 'expr', round: 3, expr: div(tag('top_viewed_brand'), tag('top_viewed_department')) }),
  helper('bargain_score', '价格敏感度', 'Bargain score',
    'views÷(views+10) × [2×(0.4 − price position of views) + (0.1 − new-arrival share) + 1.5×(cart adds per view − 0.1) + 0.75×(cheap-dwell share − 0.6) '
      + '+ 0.25×(multi-unit share − 0.1) − 0.25×(brand focus − 0.5)] + 0.25 × coupon order share.',
    {
      type: 'expr', round: 3,
      expr: add(
        mul(BROWSED, add(
          mul(2, sub(0.4, or('view_price_pct', 0.4))),
          sub(0.1, or('new_arrival_view_share', 0.1)),
          mul(1.5, sub(or('cart_add_rate', 0.1), 0.1)),
          mul(0.75, sub(or('cheap_dwell_share', 0.6), 0.6)),
          mul(0.25, sub(or('multi_unit_add_share', 0.1), 0.1)),
          mul(-0.25, sub(or('brand_focus', 0.5), 0.5)),
        )),
        mul(0.25, or('coupon_order_share', 0)),
      ),
    }),
  helper('trend_score', '新品尝鲜度', 'Trend score',
    'views÷(views+10) × [(new-arrival share of views − 0.1) + 1.25×(price position of views − 0.4) − 0.25×(brand focus − 0.5)].',
    {
      type: 'expr', round: 3,
      expr: mul(BROWSED, add(
        sub(or('new_arrival_view_share', 0.1), 0.1),
        mul(1.25, sub(or('view_price_pct', 0.4), 0.4)),
        mul(-0.25, sub(or('brand_focus', 0.5), 0.5)),
      )),
    }),
  helper('brand_score', '品牌忠诚度', 'Brand score',
    'views÷(views+10) × [(brand focus − 0.5) + (1 − brands per category) + 1.5×(price position of views − 0.4) + (0.1 − new-arrival share) '
      + '+ (cart adds per view − 0.1)]. The price term keeps bargain hunters out (cheap items cluster in a few budget brands), the new-arrival '
      + 'term trend seekers; loyal shoppers also put more of what they look at in the cart.',
    {
      type: 'expr', round: 3,
      expr: mul(BROWSED, add(
        sub(or('brand_focus', 0.5), 0.5),
        sub(1, or('brands_per_category', 1)),
        mul(1.5, sub(or('view_price_pct', 0.4), 0.4)),
        sub(0.1, or('new_arrival_view_share', 0.1)),
        sub(or('cart_add_rate', 0.1), 0.1),
      )),
    }),

  // ---- the types ----
  rule('price_sensitive', '价格敏感型', 'Price-sensitive',
    'Bargain score ≥ 0.47; or, with little browsing to judge by (< 10 views), 3+ orders low in the price range (≤ 0.25) mostly with coupons.',
    any(
      gte(tag('bargain_score'), 0.47),
      all(lt(tag('product_views_90d'), 10), gte(tag('orders_365d'), 3), lte(tag('avg_price_pct'), 0.25), gte(tag('coupon_order_share'), 0.6)),
    )),
  rule('brand_loyal', '品牌忠诚型', 'Brand-loyal',
    'Brand score ≥ 0.46; or, with little browsing to judge by (< 10 views), 3+ orders with one brand taking ≥ 80% of the spend.',
    any(
      gte(tag('brand_score'), 0.46),
      all(lt(tag('product_views_90d'), 10), gte(tag('orders_365d'), 3), gte(tag('order_brand_concentration'), 0.8)),
    )),
  rule('trend_seeker', '新品尝鲜型', 'Trend seeker',
    'Trend score ≥ 0.25: browses newly launched items at the upper end of the price range.',
    gte(tag('trend_score'), 0.25)),
  rule('promotion_hunter', '促销敏感型', 'Promotion hunter',
    'Three or more coupons applied in 90 days, or two with at least three quarters of the year’s orders on a coupon.',
    any(
      gte(stat({ agg: 'count', event: 'Coupon Applied', window: '90d' }), 3),
      all(gte(stat({ agg: 'count', event: 'Coupon Applied', window: '90d' }), 2), gte(tag('coupon_order_share'), 0.75)),
    )),
  rule('cart_abandoner', '加购未购', 'Cart abandoner',
    'Added to cart in the last 30 days and has not ordered since the last add.',
    all(gt(stat({ agg: 'count', event: ADD, window: '30d' }), 0),
      { gt: [stat({ agg: 'lastTime', event: ADD }), { coalesce: [stat({ agg: 'lastTime', event: ORDER }), 0] }] })),
  rule('window_shopper', '只逛不买', 'Window shopper',
    'Viewed 15+ products in 90 days without any order in a year.',
    all(gte(tag('product_views_90d'), 15), eq(tag('orders_365d'), 0))),
  rule('high_value', '高价值', 'High value',
    'Top-quintile spend, or an important-value / important-keep RFM class.',
    any(eq(tag('rfm_m'), 5), { in: [tag('rfm_class'), ['important_value', 'important_keep']] })),
  rule('churn_warning', '流失预警', 'At risk of churning',
    'A past buyer whose activity is declining, or who is two purchase cycles overdue.',
    all(gte(tag('orders_total'), 1), any(eq(tag('lifecycle_stage'), 'declining'), gt(tag('days_since_last_order'), { mul: [{ coalesce: [tag('purchase_cycle_days'), 45] }, 2] })))),
];
