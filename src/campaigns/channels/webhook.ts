import { signature } from '../../segments/webhooks.ts';
import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { fromHttpStatus, fromNetworkError, post, refuse } from './http.ts';

export interface WebhookSettings {
  /** where every message is POSTed (HX_WEBHOOK_URL); a message's own `to` wins when it is a URL */
  url?: string;
  /** the HMAC key (HX_WEBHOOK_SECRET) */
  secret?: string;
  ratePerSecond?: number;
}

/**
 * The generic signed webhook: each message POSTed as JSON (id, channel, userId, locale, subject, text,
 * html, url, coupon, meta, sentAt) with `X-Huaxiang-Timestamp` (unix seconds), `X-Huaxiang-Signature`
 * (`sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">`, the same scheme as segment webhooks) and
 * `X-Huaxiang-Message` (the message id, for the receiver's idempotency). 2xx is delivered; 429, 408,
 * 5xx and network errors are retried; other 4xx are final.
 */
export class WebhookChannel implements ChannelAdapter {
  readonly name = 'webhook' as const;
  readonly ratePerSecond: number;

  constructor(private readonly s: WebhookSettings) {
    this.ratePerSecond = s.ratePerSecond ?? 5000;
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    const url = /^https?:\/\//.test(msg.to) ? msg.to : this.s.url;
    if (!url) return refuse('the webhook channel is not configured (HX_WEBHOOK_URL)');
    if (!this.s.secret) return refuse('the webhook channel has no signing secret (HX_WEBHOOK_SECRET)');
    const body = JSON.stringify({
      id: msg.id, channel: msg.channel, userId: msg.userId, locale: msg.locale, subject: msg.subject, text: msg.text,
      ...(msg.html ? { html: msg.html } : {}), ...(msg.url ? { url: msg.url } : {}), ...(msg.coupon ? { coupon: msg.coupon } : {}),
      meta: msg.meta, sentAt: new Date().toISOString(),
    });
    const ts = String(Math.floor(Date.now() / 1000));
    try {
      const res = await post(url, { 'content-type': 'application/json', 'x-huaxiang-timestamp': ts, 'x-huaxiang-signature': signature(this.s.secret, ts, body), 'x-huaxiang-message': msg.id }, body);
      return fromHttpStatus(res.status, res.text);
    } catch (err) {
      return fromNetworkError(err);
    }
  }
}
