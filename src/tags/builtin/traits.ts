import type { Cond } from '../dsl.ts';
import { ADD, ORDER, VIEW, all, any, eq, gt, gte, lte, stat, tag, type Builtin } from './define.ts';

const rule = (code: string, zh: string, en: string, description: string, when: Cond): Builtin => ({
  code, category: 'traits', name_zh: zh, name_en: en, valueType: 'boolean', kind: 'rule', purpose: 'personalization', description, spec: { type: 'rule', when },
});

/** 行为特征: the classic shopper personas as rules over the statistics above. Thresholds are in the definitions. */
export const traits: Builtin[] = [
  rule('price_sensitive', '价格敏感型', 'Price-sensitive',
    'Buys low in each category’s price range and mostly with coupons or discounts.',
    all(gte(tag('orders_365d'), 1), lte(tag('avg_price_pct'), 0.4), any(gte(tag('coupon_order_share'), 0.5), gte(tag('discount_share'), 0.08)))),
  rule('brand_loyal', '品牌忠诚型', 'Brand-loyal',
    'Two or more orders, and one brand takes at least half of the spend.',
    all(gte(tag('orders_365d'), 2), gte(tag('order_brand_concentration'), 0.5))),
  rule('trend_seeker', '新品尝鲜型', 'Trend seeker',
    'Much of what they look at and buy is newly launched, at the upper end of the price range.',
    all(gte(tag('new_arrival_affinity'), 0.35), { gte: [{ coalesce: [tag('avg_price_pct'), 0.5] }, 0.45] })),
  rule('promotion_hunter', '促销敏感型', 'Promotion hunter',
    'Most orders use a coupon, or coupons are applied often.',
    any(all(gte(tag('orders_365d'), 2), gte(tag('coupon_order_share'), 0.6)), gte(stat({ agg: 'count', event: 'Coupon Applied', window: '90d' }), 3))),
  rule('cart_abandoner', '加购未购', 'Cart abandoner',
    'Added to cart in the last 30 days and has not ordered since the last add.',
    all(gt(stat({ agg: 'count', event: ADD, window: '30d' }), 0),
      { gt: [stat({ agg: 'lastTime', event: ADD }), { coalesce: [stat({ agg: 'lastTime', event: ORDER }), 0] }] })),
  rule('window_shopper', '只逛不买', 'Window shopper',
    'Viewed 15+ products in 90 days without any order in a year.',
    all(gte(stat({ agg: 'count', event: VIEW, window: '90d' }), 15), eq(tag('orders_365d'), 0))),
  rule('high_value', '高价值', 'High value',
    'Top-quintile spend, or an important-value / important-keep RFM class.',
    any(eq(tag('rfm_m'), 5), { in: [tag('rfm_class'), ['important_value', 'important_keep']] })),
  rule('churn_warning', '流失预警', 'At risk of churning',
    'A past buyer whose activity is declining, or who is two purchase cycles overdue.',
    all(gte(tag('orders_total'), 1), any(eq(tag('lifecycle_stage'), 'declining'), gt(tag('days_since_last_order'), { mul: [{ coalesce: [tag('purchase_cycle_days'), 45] }, 2] })))),
];
