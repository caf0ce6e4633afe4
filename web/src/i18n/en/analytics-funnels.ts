import type { analytics_funnels as zh } from '../zh-CN/analytics-funnels.ts';

/** Strings of the funnels report (English); typed against the Chinese twin. */
export const analytics_funnels: Record<keyof typeof zh, string> = {
};
