import type { ChannelName, Recipient, SuppressionReason } from '../types.ts';
import { quietUntil, type QuietHours } from './quietHours.ts';

export { parseQuietHours, quietUntil, isQuiet, type QuietHours } from './quietHours.ts';
export { preferredSendTime } from './sendTime.ts';
export { localTime, nextLocalHour, atLocal } from './time.ts';

/** What the guard rails decide for one message at send time. */
export type Verdict =
  | { action: 'send' }
  | { action: 'suppress'; reason: SuppressionReason }
  /** quiet hours: back to the queue until then */
  | { action: 'defer'; until: Date };

export interface GuardSettings {
  /** messages per person per channel within the window (0: no cap) */
  capPerChannel: number;
  /** messages per person across channels and campaigns within the window (0: no cap) */
  capAll: number;
  quietHours: QuietHours | null;
  /** 'given': only people whose latest consent.marketing is true */
  consent: 'given' | 'not_refused';
}

/** Whether the person has an address on the channel. */
export function addressOf(channel: ChannelName, r: Recipient): string | undefined {
  switch (channel) {
    case 'email': return r.email;
    case 'sms': return r.phone;
    case 'push': return r.pushToken;
    default: return r.userId;
  }
}

/**
 * Sends already made to each person within the cap window (per channel and in all), kept current as a
 * batch sends, so two messages to one person in one batch count against the same cap.
 */
export class CapCounter {
  private readonly perChannel = new Map<string, number>();
  private readonly all = new Map<string, number>();

  constructor(rows: readonly { person_id: string; channel: string; n: number }[]) {
    for (const r of rows) {
      this.perChannel.set(`${r.person_id}\u0000${r.channel}`, Number(r.n));
      this.all.set(r.person_id, (this.all.get(r.person_id) ?? 0) + Number(r.n));
    }
  }

  exceeded(personId: string, channel: ChannelName, s: GuardSettings): boolean {
    if (s.capPerChannel > 0 && (this.perChannel.get(`${personId}\u0000${channel}`) ?? 0) >= s.capPerChannel) return true;
    return s.capAll > 0 && (this.all.get(personId) ?? 0) >= s.capAll;
  }

  count(personId: string, channel: ChannelName): void {
    const k = `${personId}\u0000${channel}`;
    this.perChannel.set(k, (this.perChannel.get(k) ?? 0) + 1);
    this.all.set(personId, (this.all.get(personId) ?? 0) + 1);
  }
}

/**
 * The guard rails, in order: erased → marketing consent → channel unsubscribe → an address on the channel
 * → frequency caps → quiet hours in the person's time zone. (Deduplication is the queue's unique key:
 * a repeated message never enters it.) In-app messages and coupons wait in the person's inbox, so quiet
 * hours do not hold them back.
 */
export function verdict(channel: ChannelName, r: Recipient, caps: CapCounter, s: GuardSettings, now: Date): Verdict {
  if (r.erased) return { action: 'suppress', reason: 'erased' };
  if (r.marketingConsent === false || (s.consent === 'given' && r.marketingConsent !== true)) return { action: 'suppress', reason: 'no_consent' };
  if (r.unsubscribed.includes(channel)) return { action: 'suppress', reason: 'unsubscribed' };
  if (!addressOf(channel, r)) return { action: 'suppress', reason: 'no_address' };
  if (caps.exceeded(r.personId, channel, s)) return { action: 'suppress', reason: 'frequency_cap' };
  if (channel !== 'inapp' && channel !== 'coupon') {
    const until = quietUntil(now, r.timezone, s.quietHours);
    if (until) return { action: 'defer', until };
  }
  return { action: 'send' };
}
