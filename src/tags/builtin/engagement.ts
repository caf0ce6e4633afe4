import { ORDER, SEARCH, labels, stat, statTag, tag, type Builtin } from './define.ts';

/** 搜索: what they look for and how often it ends in an order. */
export const search: Builtin[] = [
  {
    code: 'top_keywords', category: 'search', name_zh: '搜索关键词', name_en: 'Top search keywords', valueType: 'ranked', purpose: 'personalization',
    spec: { type: 'top', key: 'query', event: SEARCH, halfLifeDays: 30, n: 5, window: '180d' },
  },
  statTag('searches_30d', 'search', '近30天搜索次数', 'Searches (30d)', { agg: 'count', event: SEARCH, window: '30d' }),
  {
    code: 'search_conversion', category: 'search', name_zh: '搜索转化率', name_en: 'Orders per search (90d)', valueType: 'number',
    description: 'Orders divided by searches, last 90 days (no value without searches).',
    spec: { type: 'expr', round: 3, expr: { div: [stat({ agg: 'count', event: ORDER, window: '90d' }), stat({ agg: 'count', event: SEARCH, window: '90d' })] } },
  },
];

/** 社交: sharing. Share-driven conversions and influence need the share graph (social module). */
export const social: Builtin[] = [
  statTag('shares_90d', 'social', '近90天分享次数', 'Shares (90d)', { agg: 'count', event: 'Product Shared', window: '90d' }),
  statTag('share_reach_365d', 'social', '分享触达人数', 'People shared with (365d)', { agg: 'uniq', of: 'properties.recipient', event: 'Product Shared', window: '365d' }),
  {
    code: 'influence_score', category: 'social', name_zh: '影响力', name_en: 'Influence score', kind: 'model', valueType: 'number', refresh: 'scheduled',
    description: 'How likely the person’s shares are to bring the recipient to the shop: the share of their shares to reachable people (who came through the link, or were active in the shop around the share) that brought a visit, shrunk towards the shop-wide rate by 4 shares’ weight, scaled so the average sharer scores 1; 0 for people who never shared. Written by the loyalty engine’s social computation (docs/loyalty.md).',
    spec: { type: 'model', model: 'influence' },
  },
  {
    code: 'is_kol', category: 'social', name_zh: '达人(KOL)', name_en: 'KOL', kind: 'model', valueType: 'boolean', refresh: 'scheduled',
    description: 'An influence score in the top 2% of people who shared, with at least 5 shares of which 3 brought a visit. Written with influence_score.',
    spec: { type: 'model', model: 'influence' },
  },
];

/** 评价: reviews written and their tone (from ratings). */
export const reviews: Builtin[] = [
  statTag('reviews_total', 'reviews', '评价数', 'Reviews written', { agg: 'count', event: 'Product Reviewed' }),
  {
    code: 'avg_rating', category: 'reviews', name_zh: '平均评分', name_en: 'Average rating', valueType: 'number',
    spec: { type: 'stat', round: 2, stat: stat({ agg: 'avg', of: 'rating', event: 'Product Reviewed' }).stat },
  },
  {
    code: 'review_sentiment', category: 'reviews', name_zh: '评价倾向', name_en: 'Review tendency', valueType: 'enum',
    description: 'From the average rating: < 2.5 negative, < 3.75 neutral, else positive.',
    spec: { type: 'bins', of: tag('avg_rating'), bins: [{ upTo: 2.5, label: 'negative' }, { upTo: 3.75, label: 'neutral' }, { label: 'positive' }] },
    labels: labels({ negative: ['负面', 'Negative'], neutral: ['中性', 'Neutral'], positive: ['正面', 'Positive'] }),
  },
];

/** 合规: the consent the user gave, per purpose; every personalisation/marketing tag consults these. */
export const privacy: Builtin[] = (['analytics', 'personalization', 'marketing'] as const).map((p) => ({
  code: `consent_${p}`, category: 'privacy', valueType: 'boolean' as const, kind: 'attribute' as const,
  name_zh: { analytics: '同意分析', personalization: '同意个性化', marketing: '同意营销' }[p],
  name_en: `Consent: ${p}`,
  description: `The latest consent.${p} the user gave (identify traits). Absent means not given.`,
  spec: { type: 'trait' as const, trait: `consent.${p}` },
}));
