import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { fromHttpStatus, fromNetworkError, jsonOf, post, refuse } from './http.ts';

export interface PushSettings {
  /** the push endpoint (HX_PUSH_URL), https://api.jpush.cn/v3/push */
  url: string;
  appKey?: string;
  masterSecret?: string;
  /** iOS: the production APNs environment (false: development) */
  production: boolean;
  ratePerSecond?: number;
}

/**
 * App push through JPush (极光推送) push API v3: `POST /v3/push` with HTTP Basic
 * `base64(appKey:masterSecret)` and a JSON body — `platform` "all", `audience.registration_id` [the
 * device token], `notification` with `alert` plus `android` {alert, title, extras} and `ios`
 * {alert: {title, body}, sound, extras}, `options` {time_to_live, apns_production}. `extras` carry the
 * message id, the tracked landing URL and the campaign, for the app to open. 200 answers
 * `{sendno, msg_id}` (msg_id is the provider id); errors answer `{error: {code, message}}`: 400 (1011 no
 * such device, 1003 bad parameter) and 401 (1004 bad credentials) are final; 429 (2002 rate limited) and
 * 5xx (1000 server error) are retried.
 */
export class PushChannel implements ChannelAdapter {
  readonly name = 'push' as const;
  readonly ratePerSecond: number;

  constructor(private readonly s: PushSettings) {
    this.ratePerSecond = s.ratePerSecond ?? 100;
  }

  /** the JSON body of one push (exposed for docs and tests) */
  body(msg: RenderedMessage): Record<string, unknown> {
    const extras = { messageId: msg.id, ...(msg.url ? { url: msg.url } : {}), ...(msg.meta.campaignId ? { campaignId: msg.meta.campaignId } : {}) };
    return {
      platform: 'all',
      audience: { registration_id: [msg.to] },
      notification: {
        alert: msg.text,
        android: { alert: msg.text, title: msg.subject, extras },
        ios: { alert: { title: msg.subject, body: msg.text }, sound: 'default', extras },
      },
      options: { time_to_live: 86_400, apns_production: this.s.production },
    };
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    if (!this.s.appKey || !this.s.masterSecret) return refuse('the push channel is not configured (HX_PUSH_KEY, HX_PUSH_SECRET)');
    if (!msg.to) return refuse('no device token');
    let res: { status: number; text: string };
    try {
      res = await post(this.s.url, {
        'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${this.s.appKey}:${this.s.masterSecret}`).toString('base64')}`,
      }, JSON.stringify(this.body(msg)));
    } catch (err) {
      return fromNetworkError(err);
    }
    const { text } = res;
    const json = jsonOf(text);
    if (res.status >= 200 && res.status < 300) return { ok: true, ...(json?.msg_id !== undefined ? { providerId: String(json.msg_id) } : {}) };
    const e = json?.error as { code?: number; message?: string } | undefined;
    return fromHttpStatus(res.status, e ? `${e.code ?? ''} ${e.message ?? ''}`.trim() : text);
  }
}
