/** Strings of the search report (Simplified Chinese). */
export const analytics_search = {
} as const;
