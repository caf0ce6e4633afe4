/** Strings of the predictions report (Simplified Chinese). */
export const analytics_predictions = {
} as const;
