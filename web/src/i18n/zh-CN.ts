import { shell } from './zh-CN/shell.ts';
import { profiles } from './zh-CN/profiles.ts';
import { tags } from './zh-CN/tags.ts';
import { segments } from './zh-CN/segments.ts';
import { analytics } from './zh-CN/analytics.ts';
import { analytics_funnels } from './zh-CN/analytics-funnels.ts';
import { analytics_retention } from './zh-CN/analytics-retention.ts';
import { analytics_paths } from './zh-CN/analytics-paths.ts';
import { analytics_sessions } from './zh-CN/analytics-sessions.ts';
import { analytics_search } from './zh-CN/analytics-search.ts';
import { analytics_carts } from './zh-CN/analytics-carts.ts';
import { analytics_reviews } from './zh-CN/analytics-reviews.ts';
import { analytics_baskets } from './zh-CN/analytics-baskets.ts';
import { analytics_predictions } from './zh-CN/analytics-predictions.ts';
import { loyalty } from './zh-CN/loyalty.ts';
import { campaigns } from './zh-CN/campaigns.ts';
import { transparency } from './zh-CN/transparency.ts';
import { privacy } from './zh-CN/privacy.ts';
import { recommend } from './zh-CN/recommend.ts';

/** Every UI string in Simplified Chinese (the default), one file per area. en.ts must have exactly these keys. */
export const zhCN = { ...shell, ...profiles, ...tags, ...segments, ...analytics, ...analytics_funnels, ...analytics_retention, ...analytics_paths, ...analytics_sessions, ...analytics_search, ...analytics_carts, ...analytics_reviews, ...analytics_baskets, ...analytics_predictions, ...loyalty, ...privacy, ...recommend, ...campaigns, ...transparency } as const;

export type MessageKey = keyof typeof zhCN;
