import type { analytics_baskets as zh } from '../zh-CN/analytics-baskets.ts';

/** Strings of the baskets report (English); typed against the Chinese twin. */
export const analytics_baskets: Record<keyof typeof zh, string> = {
};
