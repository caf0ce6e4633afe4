/** Strings of the sessions report (Simplified Chinese). */
export const analytics_sessions = {
} as const;
