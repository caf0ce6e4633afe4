import { all, any, gt, gte, labels, lte, stat, tag, type Builtin } from './define.ts';

/**
 * 生命周期: new → growing → mature → declining → churned. The thresholds live in the definition (edit
 * the tag to change them): new = first seen ≤ 30 days ago; churned = no activity for 60 days; declining =
 * the last 30 days' activity rate fell below half of the 60 days before, or the user is 2+ purchase
 * cycles overdue; mature = 3+ orders in a year; growing = everyone else still active.
 */
export const lifecycle: Builtin[] = [
  {
    code: 'days_since_first_seen', category: 'lifecycle', name_zh: '首次访问至今天数', name_en: 'Days since first seen', valueType: 'number',
    spec: { type: 'stat', stat: stat({ agg: 'daysSinceFirst' }).stat },
  },
  {
    code: 'lifecycle_stage', category: 'lifecycle', name_zh: '生命周期阶段', name_en: 'Lifecycle stage', valueType: 'enum',
    spec: {
      type: 'cases',
      cases: [
        { when: gt(tag('days_since_active'), 60), label: 'churned' },
        { when: lte(tag('days_since_first_seen'), 30), label: 'new' },
        {
          when: any(
            { lt: [{ mul: [tag('active_days_30d'), 4] }, { sub: [tag('active_days_90d'), tag('active_days_30d')] }] },
            all(gte(tag('orders_total'), 2), gt(tag('days_since_last_order'), { mul: [tag('purchase_cycle_days'), 2] }), gt(tag('days_since_last_order'), 30)),
          ),
          label: 'declining',
        },
        { when: gte(tag('orders_365d'), 3), label: 'mature' },
      ],
      else: 'growing',
    },
    labels: labels({ new: ['新客', 'New'], growing: ['成长', 'Growing'], mature: ['成熟', 'Mature'], declining: ['衰退', 'Declining'], churned: ['流失', 'Churned'] }),
  },
];
