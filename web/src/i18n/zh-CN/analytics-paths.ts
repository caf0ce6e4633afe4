/** Strings of the paths report (Simplified Chinese). */
export const analytics_paths = {
} as const;
