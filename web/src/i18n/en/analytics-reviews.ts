import type { analytics_reviews as zh } from '../zh-CN/analytics-reviews.ts';

/** Strings of the reviews report (English); typed against the Chinese twin. */
export const analytics_reviews: Record<keyof typeof zh, string> = {
};
