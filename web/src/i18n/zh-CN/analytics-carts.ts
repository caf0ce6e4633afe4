/** Strings of the carts report (Simplified Chinese). */
export const analytics_carts = {
} as const;
