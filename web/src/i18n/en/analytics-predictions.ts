import type { analytics_predictions as zh } from '../zh-CN/analytics-predictions.ts';

/** Strings of the predictions report (English); typed against the Chinese twin. */
export const analytics_predictions: Record<keyof typeof zh, string> = {
};
