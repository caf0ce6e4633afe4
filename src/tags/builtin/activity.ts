import { VIEW, stat, statTag, type Builtin } from './define.ts';

/** 活跃: when and how much the user shows up. */
export const activity: Builtin[] = [
  {
    code: 'last_active_date', category: 'activity', name_zh: '最近活跃日期', name_en: 'Last active', valueType: 'date',
    spec: { type: 'stat', stat: stat({ agg: 'lastTime' }).stat },
  },
  statTag('days_since_active', 'activity', '距上次活跃天数', 'Days since last active', { agg: 'daysSinceLast' }),
  statTag('active_days_7d', 'activity', '近7天活跃天数', 'Active days (7d)', { agg: 'activeDays', window: '7d' }),
  statTag('active_days_30d', 'activity', '近30天活跃天数', 'Active days (30d)', { agg: 'activeDays', window: '30d' }),
  statTag('active_days_90d', 'activity', '近90天活跃天数', 'Active days (90d)', { agg: 'activeDays', window: '90d' }),
  statTag('sessions_30d', 'activity', '近30天访问次数', 'Visits (30d)', { agg: 'sessions', window: '30d' }, {
    description: 'Visits in the last 30 days: runs of events with no gap longer than 30 minutes.',
  }),
  {
    code: 'preferred_hours', category: 'activity', name_zh: '活跃时段', name_en: 'Preferred hours', valueType: 'ranked',
    description: 'The hours of day (shop time zone) with the most activity, recent activity weighing more (half-life 30 days).',
    spec: { type: 'top', key: 'hour', event: [VIEW, 'Product List Viewed', 'Products Searched', 'Product Added', 'Order Completed'], halfLifeDays: 30, n: 3, window: '180d' },
  },
  {
    code: 'preferred_weekday', category: 'activity', name_zh: '活跃星期', name_en: 'Preferred weekday', valueType: 'enum',
    description: 'The weekday (1 = Monday … 7 = Sunday) with the most events in the last 90 days.',
    spec: { type: 'stat', stat: stat({ agg: 'mode', of: 'weekday', window: '90d' }).stat },
  },
  statTag('avg_dwell_seconds', 'activity', '平均停留时长(秒)', 'Avg product dwell (s)', { agg: 'avg', of: 'dwell_seconds', event: VIEW, window: '90d' }, {
    spec: { type: 'stat', stat: stat({ agg: 'avg', of: 'dwell_seconds', event: VIEW, window: '90d' }).stat, round: 1 },
  }),
  {
    code: 'avg_browse_depth', category: 'activity', name_zh: '平均浏览深度', name_en: 'Avg browse depth', valueType: 'number',
    description: 'Products viewed per visit in the last 90 days.',
    spec: { type: 'expr', expr: { div: [stat({ agg: 'count', event: VIEW, window: '90d' }), stat({ agg: 'sessions', window: '90d' })] }, round: 2 },
  },
];
