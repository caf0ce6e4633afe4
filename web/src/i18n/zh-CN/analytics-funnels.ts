/** Strings of the funnels report (Simplified Chinese). */
export const analytics_funnels = {
} as const;
