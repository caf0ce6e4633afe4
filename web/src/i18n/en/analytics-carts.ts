import type { analytics_carts as zh } from '../zh-CN/analytics-carts.ts';

/** Strings of the carts report (English); typed against the Chinese twin. */
export const analytics_carts: Record<keyof typeof zh, string> = {
};
