/** Strings shared by the analytics reports: tab names, range and breakdown controls (Simplified Chinese). */
export const analytics = {
  'analytics.tab.funnels': '漏斗',
  'analytics.tab.retention': '留存',
  'analytics.tab.paths': '路径',
  'analytics.tab.sessions': '会话与浏览',
  'analytics.tab.search': '搜索',
  'analytics.tab.carts': '购物车',
  'analytics.tab.reviews': '评价',
  'analytics.tab.baskets': '购物篮',
  'analytics.tab.predictions': '预测',
  'analytics.breakdown': '拆分',
  'analytics.breakdown.none': '不拆分',
  'analytics.breakdown.device': '设备',
  'analytics.breakdown.channel': '获客渠道',
  'analytics.breakdown.city_tier': '城市等级',
  'analytics.breakdown.tags': '按标签',
  'analytics.breakdown.segments': '按人群',
} as const;
