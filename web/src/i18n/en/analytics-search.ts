import type { analytics_search as zh } from '../zh-CN/analytics-search.ts';

/** Strings of the search report (English); typed against the Chinese twin. */
export const analytics_search: Record<keyof typeof zh, string> = {
};
