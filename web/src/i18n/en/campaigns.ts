import type { campaigns as zh } from '../zh-CN/campaigns.ts';

/** English strings of the campaigns area; the type makes a missing or extra key a compile error. */
export const campaigns: Record<keyof typeof zh, string> = {
  'cmp.title': 'Campaigns',
};
