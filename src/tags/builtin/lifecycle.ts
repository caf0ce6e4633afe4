import { gt, gte, labels, lte, stat, tag, type Builtin } from './define.ts';

/**
 * 生命周期: new → growing → mature → declining → churned. The first that applies, in this order:
 *   churned   — no activity for more than 60 days;
 *   declining — no activity for more than 24 days (at risk: gone quiet, not yet gone);
 *   new       — first seen at most 30 days ago;
 *   mature    — 3+ orders in a year;
 *   growing   — everyone else (active in the last 24 days).
 * declining + churned are the users at risk. 24 days is the quiet spell that best matched true churn
 * (users who went quiet before the as-of moment) in the synthetic shop (docs/tags-accuracy.md). Refinements
 * tried there did no better on shops they were not tuned on, and some did worse: a threshold scaled to the
 * user's own visit rate, an activity-rate drop (1 active day in the last 30 against 5 in the 60 before —
 * most such users came back) and a buyer overdue by purchase cycles while still browsing (that is
 * churn_warning's job). The thresholds live in the definition (edit the tag to change them).
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
        {
          when: gt(tag('days_since_active'), 24),
          label: 'declining',
        },
        { when: lte(tag('days_since_first_seen'), 30), label: 'new' },
        { when: gte(tag('orders_365d'), 3), label: 'mature' },
      ],
      else: 'growing',
    },
    labels: labels({ new: ['新客', 'New'], growing: ['成长', 'Growing'], mature: ['成熟', 'Mature'], declining: ['衰退', 'Declining'], churned: ['流失', 'Churned'] }),
  },
];
