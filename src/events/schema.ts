import { z } from 'zod';
import { ecommerceProperties } from './ecommerce.ts';

/** Segment spec messages (track, identify, page, screen, alias, group) as they arrive over HTTP. */
const isoTime = z.union([z.string(), z.number()], { error: 'must be an ISO-8601 date-time' }).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t) || (typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(v))) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time' });
    return z.NEVER;
  }
  return t;
});
const identifier = z
  .union([z.string(), z.number().transform(String)], { error: 'must be a string' })
  .pipe(z.string().max(256, 'must be at most 256 characters'))
  .transform((s) => s.trim());
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

export const context = z.looseObject({
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  library: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(),
  device: z.looseObject({ type: z.string().optional(), id: z.string().optional() }).optional(),
  os: z.looseObject({ name: z.string().optional() }).optional(),
  page: z.looseObject({ url: z.string().optional(), path: z.string().optional(), referrer: z.string().optional() }).optional(),
  campaign: z.looseObject({ source: z.string().optional(), medium: z.string().optional(), name: z.string().optional() }).optional(),
  sessionId: z.union([z.string(), z.number().transform(String)]).optional(),
});

/** Absent or null: browser SDKs send `"userId": null` for anonymous visitors. */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === null ? undefined : v), s.optional());

const common = {
  messageId: opt(identifier),
  anonymousId: opt(identifier),
  userId: opt(identifier),
  timestamp: opt(isoTime),
  originalTimestamp: opt(isoTime),
  sentAt: opt(isoTime),
  context: opt(context),
  integrations: opt(jsonObject),
  writeKey: opt(z.string()),
};

export const trackMessage = z.looseObject({
  type: z.literal('track'),
  event: z.string({ error: 'is required for track' }).min(1, 'must not be empty').max(200),
  properties: ecommerceProperties.optional(),
  ...common,
});
export const identifyMessage = z.looseObject({ type: z.literal('identify'), traits: jsonObject.optional(), ...common });
export const pageMessage = z.looseObject({
  type: z.literal('page'),
  name: z.string().max(200).optional(),
  category: z.string().max(200).optional(),
  properties: jsonObject.optional(),
  ...common,
});
export const screenMessage = pageMessage.extend({ type: z.literal('screen') });
export const aliasMessage = z.looseObject({
  type: z.literal('alias'),
  ...common,
  previousId: identifier,
  userId: identifier,
});
export const groupMessage = z.looseObject({
  type: z.literal('group'),
  groupId: identifier,
  traits: jsonObject.optional(),
  ...common,
});

export const messageTypes = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;
export type MessageType = (typeof messageTypes)[number];

export const messageSchemas = {
  track: trackMessage,
  identify: identifyMessage,
  page: pageMessage,
  screen: screenMessage,
  alias: aliasMessage,
  group: groupMessage,
} satisfies Record<MessageType, z.ZodType>;

export type TrackMessage = z.infer<typeof trackMessage>;
export type IdentifyMessage = z.infer<typeof identifyMessage>;
export type PageMessage = z.infer<typeof pageMessage>;
export type AliasMessage = z.infer<typeof aliasMessage>;
export type GroupMessage = z.infer<typeof groupMessage>;
export type Message =
  | TrackMessage
  | IdentifyMessage
  | PageMessage
  | (z.infer<typeof screenMessage>)
  | AliasMessage
  | GroupMessage;

/** A batch as `/v1/batch` receives it (Segment `batch` envelope). */
export const batchEnvelope = z.looseObject({
  batch: z.array(z.unknown(), { error: 'batch must be an array of messages' }).min(1, 'batch must not be empty'),
  sentAt: isoTime.optional(),
  context: context.optional(),
  writeKey: z.string().optional(),
});
