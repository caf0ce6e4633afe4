import type { Builtin } from './define.ts';

/**
 * 模型: tags whose values are written by model jobs (writeModelValues), not computed by builds. Like every
 * personalisation tag they exist only for people who consented to personalisation.
 */
export const model: Builtin[] = [
  {
    code: 'cluster_id', category: 'model', name_zh: '行为聚类', name_en: 'Behaviour cluster', kind: 'model', valueType: 'number', purpose: 'personalization',
    refresh: 'scheduled',
    description: 'The k-means cluster of the person’s shopping style (price position, coupons, new arrivals, brand focus, dwell); clusters are numbered by size, largest first. Names and descriptions: GET /api/v1/segments/clusters.',
    spec: { type: 'model', model: 'kmeans' },
  },
];
