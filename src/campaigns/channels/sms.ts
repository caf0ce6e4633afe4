import { createHmac, randomUUID } from 'node:crypto';
import { normalisePhone } from '../../privacy/crypto.ts';
import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { fromHttpStatus, fromNetworkError, jsonOf, post, refuse } from './http.ts';

export interface SmsSettings {
  /** the SendSms endpoint (HX_SMS_URL), https://dysmsapi.aliyuncs.com/ */
  url: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** the approved signature (签名) shown as 【…】 */
  signName?: string;
  /** an approved template whose only variable is `${content}` */
  templateCode?: string;
  ratePerSecond?: number;
}

// SendSms codes that mean "not now" rather than "never": rate controls and the provider's own failures
const RETRYABLE = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling', 'Throttling.User', 'Throttling.Api', 'ServiceUnavailable', 'InternalError', 'isp.SYSTEM_ERROR']);

/** Aliyun's percent-encoding (RFC 3986: space %20, `*` %2A, `~` kept, `!'()` encoded). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Signature version 1.0 of Aliyun's RPC APIs: the parameters sorted by name, percent-encoded as
 * `k=v&…`; StringToSign = `POST&%2F&` + percentEncode(that); HMAC-SHA1 keyed with `<AccessKeySecret>&`,
 * base64.
 */
export function aliyunSignature(params: Record<string, string>, secret: string, method = 'POST'): { canonical: string; signature: string } {
  const canonical = Object.keys(params).sort().map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`).join('&');
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return { canonical, signature: createHmac('sha1', `${secret}&`).update(toSign).digest('base64') };
}

/**
 * SMS through Aliyun SMS (短信服务) `SendSms`, API version 2017-05-25: a form POST of the common
 * parameters (AccessKeyId, Format, SignatureMethod HMAC-SHA1, SignatureVersion 1.0, SignatureNonce,
 * Timestamp, Version, Action) and PhoneNumbers, SignName, TemplateCode, TemplateParam (`{"content": text}`)
 * and OutId (the message id), signed as above. The answer is `{Code, Message, BizId, RequestId}`: Code
 * `OK` is delivered (BizId is the provider id); rate controls (`isv.BUSINESS_LIMIT_CONTROL`,
 * `Throttling.User`) and provider errors are retried; other codes (`isv.MOBILE_NUMBER_ILLEGAL`,
 * `isv.SMS_TEMPLATE_ILLEGAL`, `SignatureDoesNotMatch` …) are final.
 */
export class SmsChannel implements ChannelAdapter {
  readonly name = 'sms' as const;
  readonly ratePerSecond: number;

  constructor(private readonly s: SmsSettings) {
    this.ratePerSecond = s.ratePerSecond ?? 100;
  }

  /** the signed form body of one SendSms call (exposed for docs and tests) */
  request(msg: RenderedMessage, nonce = randomUUID(), now = new Date()): string {
    const params: Record<string, string> = {
      AccessKeyId: this.s.accessKeyId!,
      Action: 'SendSms',
      Format: 'JSON',
      OutId: msg.id.slice(0, 256),
      PhoneNumbers: normalisePhone(msg.to),
      RegionId: 'cn-hangzhou',
      SignName: this.s.signName!,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: nonce,
      SignatureVersion: '1.0',
      TemplateCode: this.s.templateCode!,
      TemplateParam: JSON.stringify({ content: msg.text }),
      Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    const { canonical, signature } = aliyunSignature(params, this.s.accessKeySecret!);
    return `Signature=${percentEncode(signature)}&${canonical}`;
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    const { accessKeyId, accessKeySecret, signName, templateCode } = this.s;
    if (!accessKeyId || !accessKeySecret || !signName || !templateCode) return refuse('the SMS channel is not configured (HX_SMS_KEY, HX_SMS_SECRET, HX_SMS_SIGN_NAME, HX_SMS_TEMPLATE)');
    if (!msg.to) return refuse('no phone number');
    let res: { status: number; text: string };
    try {
      res = await post(this.s.url, { 'content-type': 'application/x-www-form-urlencoded' }, this.request(msg));
    } catch (err) {
      return fromNetworkError(err);
    }
    const { text } = res;
    const json = jsonOf(text);
    const ok = res.status >= 200 && res.status < 300;
    const code = typeof json?.Code === 'string' ? json.Code : '';
    const detail = code ? `${code}: ${String(json?.Message ?? '')}` : text;
    if (ok && code === 'OK') return { ok: true, ...(typeof json?.BizId === 'string' ? { providerId: json.BizId } : {}) };
    if (!ok) {
      const r = fromHttpStatus(res.status, detail);
      return r.ok ? r : { ...r, retryable: r.retryable || RETRYABLE.has(code) };
    }
    return { ok: false, retryable: RETRYABLE.has(code), error: detail || 'no Code in the answer' };
  }
}
