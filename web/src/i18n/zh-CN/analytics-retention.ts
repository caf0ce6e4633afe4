/** Strings of the retention report (Simplified Chinese). */
export const analytics_retention = {
} as const;
