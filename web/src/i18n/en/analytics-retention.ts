import type { analytics_retention as zh } from '../zh-CN/analytics-retention.ts';

/** Strings of the retention report (English); typed against the Chinese twin. */
export const analytics_retention: Record<keyof typeof zh, string> = {
};
