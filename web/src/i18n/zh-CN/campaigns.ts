/** 营销活动区域的中文文案。 */
export const campaigns = {
  'cmp.title': '营销活动',
} as const;
