/** Strings of the reviews report (Simplified Chinese). */
export const analytics_reviews = {
} as const;
