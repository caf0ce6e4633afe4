import type { analytics_paths as zh } from '../zh-CN/analytics-paths.ts';

/** Strings of the paths report (English); typed against the Chinese twin. */
export const analytics_paths: Record<keyof typeof zh, string> = {
};
