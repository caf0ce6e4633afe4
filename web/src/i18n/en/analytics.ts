import type { analytics as zh } from '../zh-CN/analytics.ts';

/** Strings shared by the analytics reports: tab names, range and breakdown controls (English). */
export const analytics: Record<keyof typeof zh, string> = {
  'analytics.tab.funnels': 'Funnels',
  'analytics.tab.retention': 'Retention',
  'analytics.tab.paths': 'Paths',
  'analytics.tab.sessions': 'Sessions & browsing',
  'analytics.tab.search': 'Search',
  'analytics.tab.carts': 'Carts',
  'analytics.tab.reviews': 'Reviews',
  'analytics.tab.baskets': 'Baskets',
  'analytics.tab.predictions': 'Predictions',
  'analytics.breakdown': 'Break down by',
  'analytics.breakdown.none': 'No breakdown',
  'analytics.breakdown.device': 'Device',
  'analytics.breakdown.channel': 'Acquisition channel',
  'analytics.breakdown.city_tier': 'City tier',
  'analytics.breakdown.tags': 'Tags',
  'analytics.breakdown.segments': 'Segments',
} as const;
