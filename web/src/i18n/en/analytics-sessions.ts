import type { analytics_sessions as zh } from '../zh-CN/analytics-sessions.ts';

/** Strings of the sessions report (English); typed against the Chinese twin. */
export const analytics_sessions: Record<keyof typeof zh, string> = {
};
