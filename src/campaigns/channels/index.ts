import type { CampaignDeps } from '../engine.ts';
import type { ChannelAdapter, ChannelName } from '../types.ts';
import { CouponChannel } from './coupon.ts';
import { EmailChannel } from './email.ts';
import { InAppChannel } from './inapp.ts';
import { PushChannel } from './push.ts';
import { SmsChannel } from './sms.ts';
import { WebhookChannel, type WebhookSettings } from './webhook.ts';

export { EmailChannel, fromSmtpError } from './email.ts';
export { SmsChannel, aliyunSignature, percentEncode } from './sms.ts';
export { PushChannel } from './push.ts';
export { WebhookChannel } from './webhook.ts';
export { InAppChannel, inboxOf, markRead, type InboxMessage } from './inapp.ts';
export { CouponChannel } from './coupon.ts';
export { fromHttpStatus, fromNetworkError } from './http.ts';

export interface ChannelOverrides {
  /** another webhook receiver (the sandbox's simulated audience, a bench's local receiver) */
  webhook?: WebhookSettings;
  /** messages per second by channel, instead of each adapter's default */
  rates?: Partial<Record<ChannelName, number>>;
}

/** Every channel adapter, configured from `config.channels` (docs/channels.md). */
export function createChannels(deps: Pick<CampaignDeps, 'config' | 'oltp' | 'identity'>, o: ChannelOverrides = {}): Map<ChannelName, ChannelAdapter> {
  const c = deps.config.channels;
  const rate = (n: ChannelName) => o.rates?.[n];
  const adapters: ChannelAdapter[] = [
    new EmailChannel({ ...c.email, ratePerSecond: rate('email') }),
    new SmsChannel({ ...c.sms, ratePerSecond: rate('sms') }),
    new PushChannel({ ...c.push, ratePerSecond: rate('push') }),
    new WebhookChannel({ ...(o.webhook ?? c.webhook), ratePerSecond: o.webhook?.ratePerSecond ?? rate('webhook') }),
    new InAppChannel({ oltp: deps.oltp, identity: deps.identity, ratePerSecond: rate('inapp') }),
    new CouponChannel({ oltp: deps.oltp, ratePerSecond: rate('coupon') }),
  ];
  return new Map(adapters.map((a) => [a.name, a]));
}
