/**
 * The shared vocabulary of precision marketing (docs/campaigns.md): campaigns, their audience, content,
 * experiment and schedule; the messages the delivery pipeline carries; and the channel adapter port.
 * Campaigns (engine.ts), journeys (journeys/), channels (channels/), content (content/) and results
 * (results.ts) all speak in these types.
 */

export const CHANNELS = ['email', 'sms', 'push', 'webhook', 'inapp', 'coupon'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type Locale = 'zh-CN' | 'en';

/** Who a campaign is for. */
export type Audience =
  | { kind: 'segment'; segmentId: string }
  /** the `size` people most like the seed segment (src/segments/lookalike) */
  | { kind: 'lookalike'; segmentId: string; size: number }
  /** an uploaded list of user ids */
  | { kind: 'list'; userIds: string[] };

/** What counts as a conversion: `event` (default `Order Completed`) within `windowDays` of the send (or of assignment, for the control). */
export interface Goal {
  event: string;
  windowDays: number;
  /** only orders/events whose properties.category (top category code) matches count */
  category?: string;
}

/**
 * Message content: one template per locale. Templates use `{{ … }}` variables:
 * `{{traits.firstName}}`, `{{tags.rfm_segment}}`, `{{coupon.code}}`, `{{coupon.value}}`,
 * `{{#recommendations}}…{{name}}…{{url}}…{{/recommendations}}`, `{{unsubscribeUrl}}`.
 */
export interface Content {
  /** email subject / push title / in-app title */
  subject?: Partial<Record<Locale, string>>;
  body: Partial<Record<Locale, string>>;
  /** the landing link; in email/SMS/push/in-app every link is rewritten to a signed click redirect */
  url?: string;
  /** number of recommended products to fetch for the template (0 = none) */
  recommendations?: number;
  /** a coupon issued with the message (value in CNY; category code or all) */
  coupon?: { value: number; category?: string; validDays: number };
}

export interface Variant {
  name: string;
  /** share of the treated audience (normalised over the variants) */
  weight: number;
  content: Content;
}

export interface ExperimentSettings {
  /** share of the audience held out as the control group (no message); default 0.1; 0 disables */
  holdout: number;
  /** after `minSample` sends per variant, the variant with the best `metric` becomes the winner and takes all later sends */
  autoWinner?: { metric: 'ctr' | 'cvr' | 'gmv'; minSample: number };
}

export type Schedule =
  | { kind: 'now' }
  | { kind: 'at'; at: string }
  /** every day or week (weekday 0–6, Sunday 0) at a local time in the shop's time zone */
  | { kind: 'recurring'; every: 'day' | 'week'; at: string; weekday?: number; until?: string };

export interface Budget {
  maxSends?: number;
  /** total coupon value (CNY) the campaign may issue */
  couponBudget?: number;
}

export interface Campaign {
  id: string;
  name: string;
  owner: string;
  status: CampaignStatus;
  channel: ChannelName;
  audience: Audience;
  goal: Goal;
  variants: Variant[];
  experiment: ExperimentSettings;
  schedule: Schedule;
  budget: Budget;
  /** deliver at each person's preferred hour (the `preferred_hours` tag) within 24 h of the scheduled time */
  sendTimeOptimisation: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Arms of a campaign's experiment: `control` (held out) or a variant name. */
export const CONTROL_ARM = 'control';

/** A message waiting in, or leaving, the delivery queue. */
export interface OutgoingMessage {
  /** stable id: the dedup key is (campaign or journey step, person) — the same message is never sent twice */
  id: string;
  campaignId: string | null;
  /** journey id and step id when a journey sent it */
  journeyId: string | null;
  stepId: string | null;
  personId: string;
  /** the user id the shop knows (for addresses, the inbox and events) */
  userId: string;
  channel: ChannelName;
  arm: string;
  locale: Locale;
  content: Content;
  /** not before this time (send-time optimisation, quiet hours) */
  notBefore: string;
}

/** A message rendered for one person, ready for a channel adapter. */
export interface RenderedMessage {
  id: string;
  channel: ChannelName;
  userId: string;
  /** email address, phone number, device token, webhook URL, or the user id for in-app/coupon */
  to: string;
  locale: Locale;
  subject: string;
  /** plain text */
  text: string;
  /** HTML (email, with the open pixel and tracked links) */
  html?: string;
  /** tracked landing URL */
  url?: string;
  /** the one-click unsubscribe URL (`/u/<token>`): the email List-Unsubscribe header, the SMS footer */
  unsubscribeUrl?: string;
  coupon?: { code: string; value: number; category?: string; expiresAt: string };
  /** campaign/journey ids and arm, for receivers that send events back */
  meta: { campaignId: string | null; journeyId: string | null; stepId: string | null; arm: string };
}

export type DeliveryResult =
  | { ok: true; providerId?: string }
  /** `retryable` failures are retried with backoff; others are final */
  | { ok: false; retryable: boolean; error: string };

/** One channel: how it delivers, and how fast it may. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** messages per second this channel may send (a token bucket in the delivery pipeline enforces it) */
  readonly ratePerSecond: number;
  send(msg: RenderedMessage): Promise<DeliveryResult>;
  close?(): Promise<void>;
}

export const MESSAGE_STATUSES = ['queued', 'suppressed', 'sending', 'sent', 'delivered', 'failed', 'opened', 'clicked'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Why a message was not sent (guard rails). */
export type SuppressionReason = 'no_consent' | 'unsubscribed' | 'frequency_cap' | 'duplicate' | 'no_address' | 'budget' | 'erased';

/**
 * What the pipeline knows of one person at send time (src/campaigns/recipients.ts loads it in batches):
 * contact points opened from the encrypted `pii` column, consent and locale from the latest traits,
 * the tags a template may read.
 */
export interface Recipient {
  personId: string;
  userId: string;
  email?: string;
  phone?: string;
  /** app push device token (trait `pushToken`) */
  pushToken?: string;
  locale: Locale;
  /** IANA time zone (trait `timezone`, else the shop's) */
  timezone: string;
  /** trait `consent.marketing`; null when the person never said */
  marketingConsent: boolean | null;
  /** channels the person unsubscribed from (channel_subscriptions) */
  unsubscribed: ChannelName[];
  /** the person is erased (privacy tombstone): never send */
  erased: boolean;
  traits: Record<string, unknown>;
  /** tag code → value (profile tags) */
  tags: Record<string, unknown>;
  /** local hours (0–23) the person is usually active, from the preferred-hours tag; empty when unknown */
  preferredHours: number[];
}
