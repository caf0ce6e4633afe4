import { z } from 'zod';
import { CHANNELS } from '../types.ts';
import { templateError } from './templates.ts';

const template = (max: number) => z.string().max(max).superRefine((t, ctx) => {
  const e = templateError(t);
  if (e) ctx.addIssue({ code: 'custom', message: `not a valid template: ${e}` });
});
const perLocale = (max: number) => z.strictObject({ 'zh-CN': template(max).optional(), en: template(max).optional() });

/** Message content (src/campaigns/types.ts `Content`) as the API takes it: templates are checked to parse. */
export const contentSchema = z.strictObject({
  subject: perLocale(500).optional(),
  body: perLocale(100_000).refine((b) => Boolean(b['zh-CN']?.trim() || b.en?.trim()), 'needs a zh-CN or en body'),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  recommendations: z.number().int().min(0).max(20).optional(),
  coupon: z.strictObject({
    value: z.number().positive().max(100_000),
    category: z.string().min(1).max(200).optional(),
    validDays: z.number().int().min(1).max(365),
  }).optional(),
});

export const previewBody = z.strictObject({
  content: contentSchema,
  channel: z.enum(CHANNELS),
  userId: z.string().min(1).max(256),
  locale: z.enum(['zh-CN', 'en']).optional(),
});
