import type { MessageKey } from './zh-CN.ts';
import { shell } from './en/shell.ts';
import { profiles } from './en/profiles.ts';
import { tags } from './en/tags.ts';
import { segments } from './en/segments.ts';
import { analytics } from './en/analytics.ts';
import { analytics_funnels } from './en/analytics-funnels.ts';
import { analytics_retention } from './en/analytics-retention.ts';
import { analytics_paths } from './en/analytics-paths.ts';
import { analytics_sessions } from './en/analytics-sessions.ts';
import { analytics_search } from './en/analytics-search.ts';
import { analytics_carts } from './en/analytics-carts.ts';
import { analytics_reviews } from './en/analytics-reviews.ts';
import { analytics_baskets } from './en/analytics-baskets.ts';
import { analytics_predictions } from './en/analytics-predictions.ts';
import { loyalty } from './en/loyalty.ts';
import { campaigns } from './en/campaigns.ts';
import { transparency } from './en/transparency.ts';
import { privacy } from './en/privacy.ts';
import { recommend } from './en/recommend.ts';

/** Every UI string in English, one file per area (each typed against its Chinese twin). */
export const en: Record<MessageKey, string> = { ...shell, ...profiles, ...tags, ...segments, ...analytics, ...analytics_funnels, ...analytics_retention, ...analytics_paths, ...analytics_sessions, ...analytics_search, ...analytics_carts, ...analytics_reviews, ...analytics_baskets, ...analytics_predictions, ...loyalty, ...privacy, ...recommend, ...campaigns, ...transparency };
