import type { Builtin } from './define.ts';

/**
 * 模型: tags whose values are written by model jobs (writeModelValues), not computed by builds. A model
 * tag's purpose follows its inputs: cluster_id reads personalisation tags and exists only for people who
 * consented to personalisation; churn_risk reads analytics tags only.
 */
export const model: Builtin[] = [
  {
    code: 'cluster_id', category: 'model', name_zh: '行为聚类', name_en: 'Behaviour cluster', kind: 'model', valueType: 'number', purpose: 'personalization',
    refresh: 'scheduled',
    description: 'The k-means cluster of the person’s shopping style (price position, coupons, new arrivals, brand focus, dwell); clusters are numbered by size, largest first. Names and descriptions: GET /api/v1/segments/clusters.',
    spec: { type: 'model', model: 'kmeans' },
  },
  {
    code: 'churn_risk', category: 'model', name_zh: '流失风险', name_en: 'Churn risk', kind: 'model', valueType: 'number', purpose: 'analytics',
    refresh: 'scheduled',
    description: 'Probability (0–1) that the person has no activity in the next 30 days, from the churn model (logistic regression on activity and purchase tags); only people active in the last 60 days are scored. Computed from analytics tags only, so it needs no further consent. Report: GET /api/v1/analytics/predictions/churn.',
    spec: { type: 'model', model: 'churn' },
  },
];
