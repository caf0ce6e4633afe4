import { ADD, ORDER, VIEW, stat, type Builtin } from './define.ts';

const shopping = [ORDER, ADD, VIEW, 'Product Added to Wishlist'];
const weights = { [ORDER]: 5, [ADD]: 3, 'Product Added to Wishlist': 2, [VIEW]: 1 };

/** 偏好: what the user likes, recent behaviour weighing more (half-life 30 days), buying more than looking. */
export const preference: Builtin[] = [
  {
    code: 'top_categories', category: 'preference', name_zh: '偏好类目', name_en: 'Top categories', valueType: 'ranked', purpose: 'personalization',
    description: 'Leaf categories by time-decayed weight: order 5, add to cart 3, wishlist 2, view 1; half-life 30 days; last 180 days.',
    spec: { type: 'top', key: 'line.category', event: shopping, weights, halfLifeDays: 30, n: 5, window: '180d' },
  },
  {
    code: 'top_category_groups', category: 'preference', name_zh: '偏好一级类目', name_en: 'Top departments', valueType: 'ranked', purpose: 'personalization',
    spec: { type: 'top', key: 'line.top_category', event: shopping, weights, halfLifeDays: 30, n: 3, window: '180d' },
  },
  {
    code: 'top_brands', category: 'preference', name_zh: '偏好品牌', name_en: 'Top brands', valueType: 'ranked', purpose: 'personalization',
    spec: { type: 'top', key: 'line.brand', event: shopping, weights, halfLifeDays: 30, n: 5, window: '180d' },
  },
  {
    code: 'top_colours', category: 'preference', name_zh: '偏好颜色', name_en: 'Top colours', valueType: 'ranked', purpose: 'personalization',
    spec: { type: 'top', key: 'item.colour', event: shopping, weights, halfLifeDays: 30, n: 3, window: '180d' },
  },
  {
    code: 'top_materials', category: 'preference', name_zh: '偏好材质', name_en: 'Top materials', valueType: 'ranked', purpose: 'personalization',
    spec: { type: 'top', key: 'item.material', event: shopping, weights, halfLifeDays: 30, n: 3, window: '180d' },
  },
  {
    code: 'order_brand_concentration', category: 'preference', name_zh: '购买品牌集中度', name_en: 'Brand concentration of purchases', valueType: 'ranked', purpose: 'personalization',
    description: 'Brands of bought items by spend, last 365 days, no decay: the first weight is the top brand’s share of spend.',
    spec: { type: 'top', key: 'line.brand', event: ORDER, weightOf: 'line.amount', n: 3, window: '365d' },
  },
  {
    code: 'new_arrival_affinity', category: 'preference', name_zh: '新品偏好度', name_en: 'New-arrival affinity', valueType: 'number', purpose: 'personalization',
    description: 'Share of viewed, carted and bought items (last 90 days) launched within 30 days before.',
    spec: { type: 'stat', round: 3, stat: stat({ agg: 'avg', of: 'item.is_new', event: [VIEW, ADD, ORDER], window: '90d' }).stat },
  },
];
