import { ORDER, REFUND, all, gt, labels, lt, stat, statTag, tag, type Builtin } from './define.ts';

const orders = (window: string) => ({ agg: 'count' as const, event: ORDER, window });

/** 消费: orders, spend, timing and how the user pays. Spend is net of refunds. */
export const consumption: Builtin[] = [
  statTag('orders_30d', 'consumption', '近30天订单数', 'Orders (30d)', orders('30d')),
  statTag('orders_90d', 'consumption', '近90天订单数', 'Orders (90d)', orders('90d')),
  statTag('orders_365d', 'consumption', '近365天订单数', 'Orders (365d)', orders('365d')),
  statTag('orders_total', 'consumption', '累计订单数', 'Orders (all time)', orders('all')),
  statTag('refunds_365d', 'consumption', '近365天退款数', 'Refunds (365d)', { agg: 'count', event: REFUND, window: '365d' }),
  {
    code: 'gmv_365d', category: 'consumption', name_zh: '近365天消费金额', name_en: 'Net spend (365d)', valueType: 'number',
    description: 'Revenue of completed orders minus refunded amounts, last 365 days.',
    spec: { type: 'expr', round: 2, expr: { sub: [stat({ agg: 'sum', of: 'revenue', event: ORDER, window: '365d' }), stat({ agg: 'sum', of: 'revenue', event: REFUND, window: '365d' })] } },
  },
  {
    code: 'aov_365d', category: 'consumption', name_zh: '客单价', name_en: 'Average order value (365d)', valueType: 'number',
    spec: { type: 'expr', round: 2, expr: { div: [tag('gmv_365d'), tag('orders_365d')] } },
  },
  {
    code: 'first_order_date', category: 'consumption', name_zh: '首单日期', name_en: 'First order', valueType: 'date',
    spec: { type: 'stat', stat: stat({ agg: 'firstTime', event: ORDER }).stat },
  },
  {
    code: 'last_order_date', category: 'consumption', name_zh: '最近下单日期', name_en: 'Last order', valueType: 'date',
    spec: { type: 'stat', stat: stat({ agg: 'lastTime', event: ORDER }).stat },
  },
  statTag('days_since_last_order', 'consumption', '距上次下单天数', 'Days since last order', { agg: 'daysSinceLast', event: ORDER }),
  statTag('purchase_cycle_days', 'consumption', '购买周期(天)', 'Purchase cycle (days)', { agg: 'medianGapDays', event: ORDER }, {
    description: 'The median number of days between the distinct days the user ordered on (needs two order days).',
  }),
  {
    code: 'next_purchase_date', category: 'consumption', name_zh: '预计下次购买日期', name_en: 'Predicted next purchase', valueType: 'date',
    description: 'Last order date plus the purchase cycle.',
    spec: { type: 'expr', expr: { addDays: [tag('last_order_date'), tag('purchase_cycle_days')] } },
  },
  {
    code: 'coupon_order_share', category: 'consumption', name_zh: '用券订单占比', name_en: 'Coupon order share', valueType: 'number',
    description: 'Share of the last 365 days’ orders that used a coupon.',
    spec: { type: 'expr', round: 3, expr: { div: [stat({ agg: 'count', event: ORDER, window: '365d', where: [{ field: 'coupon', op: 'exists' }] }), tag('orders_365d')] } },
  },
  {
    code: 'discount_share', category: 'consumption', name_zh: '优惠金额占比', name_en: 'Discount share of spend', valueType: 'number',
    description: 'Discounts received as a share of list value (revenue + discount), last 365 days.',
    spec: {
      type: 'expr', round: 3,
      expr: { div: [stat({ agg: 'sum', of: 'discount', event: ORDER, window: '365d' }), { add: [stat({ agg: 'sum', of: 'revenue', event: ORDER, window: '365d' }), stat({ agg: 'sum', of: 'discount', event: ORDER, window: '365d' })] }] },
    },
  },
  {
    code: 'avg_price_pct', category: 'consumption', name_zh: '购买价位分位', name_en: 'Price position of purchases', valueType: 'number',
    description: 'Median position (0 cheapest … 1 dearest) of bought items’ prices within their category, last 365 days.',
    spec: { type: 'stat', round: 3, stat: stat({ agg: 'median', of: 'item.price_pct', event: ORDER, window: '365d' }).stat },
  },
  {
    code: 'price_band', category: 'consumption', name_zh: '价格带偏好', name_en: 'Price band', valueType: 'enum',
    description: 'Where the user buys within each category’s price range: low (< 0.35), mid, high (≥ 0.65); views count when there are no orders.',
    spec: {
      type: 'bins',
      of: { coalesce: [tag('avg_price_pct'), stat({ agg: 'median', of: 'item.price_pct', event: 'Product Viewed', window: '90d' })] },
      bins: [{ upTo: 0.35, label: 'low' }, { upTo: 0.65, label: 'mid' }, { label: 'high' }],
    },
    labels: labels({ low: ['低价位', 'Low'], mid: ['中价位', 'Mid'], high: ['高价位', 'High'] }),
  },
];

const high = (code: string) => gt(tag(code), 2); // a score of 3 or more is "high" on that dimension

/** RFM: quintile scores (5 best) over buyers of the last 365 days, and the eight classic classes. */
export const rfm: Builtin[] = [
  {
    code: 'rfm_r', category: 'rfm', name_zh: 'R 分(最近购买)', name_en: 'R score (recency)', valueType: 'number',
    description: 'Quintile of days since the last order among buyers of the last 365 days; 5 = most recent.',
    spec: { type: 'score', of: tag('days_since_last_order'), buckets: 5, descending: true, when: gt(tag('orders_365d'), 0) },
  },
  {
    code: 'rfm_f', category: 'rfm', name_zh: 'F 分(购买频次)', name_en: 'F score (frequency)', valueType: 'number',
    description: 'Quintile of orders in the last 365 days among buyers; 5 = most frequent.',
    spec: { type: 'score', of: tag('orders_365d'), buckets: 5, when: gt(tag('orders_365d'), 0) },
  },
  {
    code: 'rfm_m', category: 'rfm', name_zh: 'M 分(消费金额)', name_en: 'M score (monetary)', valueType: 'number',
    description: 'Quintile of net spend in the last 365 days among buyers; 5 = highest.',
    spec: { type: 'score', of: tag('gmv_365d'), buckets: 5, when: gt(tag('orders_365d'), 0) },
  },
  {
    code: 'rfm_class', category: 'rfm', name_zh: 'RFM 客户分类', name_en: 'RFM class', valueType: 'enum',
    description: 'R, F and M each high (score ≥ 3) or low → the eight classes.',
    spec: {
      type: 'cases',
      cases: [
        { when: all(high('rfm_r'), high('rfm_f'), high('rfm_m')), label: 'important_value' },
        { when: all(high('rfm_r'), lt(tag('rfm_f'), 3), high('rfm_m')), label: 'important_develop' },
        { when: all(lt(tag('rfm_r'), 3), high('rfm_f'), high('rfm_m')), label: 'important_keep' },
        { when: all(lt(tag('rfm_r'), 3), lt(tag('rfm_f'), 3), high('rfm_m')), label: 'important_winback' },
        { when: all(high('rfm_r'), high('rfm_f'), lt(tag('rfm_m'), 3)), label: 'general_value' },
        { when: all(high('rfm_r'), lt(tag('rfm_f'), 3), lt(tag('rfm_m'), 3)), label: 'general_develop' },
        { when: all(lt(tag('rfm_r'), 3), high('rfm_f'), lt(tag('rfm_m'), 3)), label: 'general_keep' },
        { when: all(lt(tag('rfm_r'), 3), lt(tag('rfm_f'), 3), lt(tag('rfm_m'), 3)), label: 'general_winback' },
      ],
    },
    labels: labels({
      important_value: ['重要价值', 'Important – value'], important_develop: ['重要发展', 'Important – develop'],
      important_keep: ['重要保持', 'Important – keep'], important_winback: ['重要挽留', 'Important – win back'],
      general_value: ['一般价值', 'General – value'], general_develop: ['一般发展', 'General – develop'],
      general_keep: ['一般保持', 'General – keep'], general_winback: ['一般挽留', 'General – win back'],
    }),
  },
];
