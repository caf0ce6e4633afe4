/** Strings of the baskets report (Simplified Chinese). */
export const analytics_baskets = {
} as const;
