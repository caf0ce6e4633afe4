import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PushChannel, SmsChannel, WebhookChannel, aliyunSignature } from '../../src/campaigns/channels/index.ts';
import type { RenderedMessage } from '../../src/campaigns/types.ts';

/**
 * The SMS (Aliyun SendSms), push (JPush v3) and webhook adapters against a local HTTP receiver standing in
 * for the vendor at the HTTP boundary: the request each sends (fields, auth, signature, checked here
 * independently), and how each vendor answer maps to a delivery result (final or retried).
 */

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A vendor stand-in: records requests and answers with whatever `answer` is set to. */
function receiver() {
  const seen: Seen[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (s: string) => (body += s)).on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  return {
    seen,
    set answer(a: { status: number; body: unknown }) {
      answer = a;
    },
    url: '',
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const message = (o: Partial<RenderedMessage> = {}): RenderedMessage => ({
  id: 'msg-1', channel: 'sms', userId: 'u1', to: '+86 138 0013 8000', locale: 'zh-CN', subject: '周末特惠', text: '小明，您的专属优惠：http://hx.test/t/c/abc 退订: http://hx.test/u/x',
  url: 'http://hx.test/t/c/abc', meta: { campaignId: 'cmp-1', journeyId: null, stepId: null, arm: 'A' }, ...o,
});

// Aliyun's percent-encoding, written out from its documentation: RFC 3986 unreserved kept, space %20
const aliyunEncode = (s: string) => encodeURIComponent(s).replace(/\*/g, '%2A').replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29');

// a port nobody listens on: a closed server's
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/`;
}

const vendor = receiver();
before(() => vendor.start());
after(() => vendor.close());

describe('SMS: Aliyun SendSms', () => {
  const settings = () => ({ url: `${vendor.url}/`, accessKeyId: 'LTAI-test-id', accessKeySecret: 'test-secret-xyz', signName: '画像商城', templateCode: 'SMS_123456789' });

  it('signs exactly as the documented SendSms example does', () => {
    // the example request and signature published in Aliyun's SMS API signature documentation (GET)
    const params = {
      AccessKeyId: 'testId', Action: 'SendSms', Format: 'XML', OutId: '123', PhoneNumbers: '15300000001', RegionId: 'cn-hangzhou', SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1', SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466', SignatureVersion: '1.0', TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}', Timestamp: '2017-07-12T02:42:19Z', Version: '2017-05-25',
    };
    assert.equal(aliyunSignature(params, 'testSecret', 'GET').signature, 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('POSTs the SendSms form with the common parameters and a valid HMAC-SHA1 signature', async () => {
    vendor.answer = { status: 200, body: { Code: 'OK', Message: 'OK', BizId: '900619746936498440^0', RequestId: 'F655A8D5-B967-440B-8683-DAD6FF8DE990' } };
    const before = vendor.seen.length;
    const r = await new SmsChannel(settings()).send(message());
    assert.deepEqual(r, { ok: true, providerId: '900619746936498440^0' });
    const req = vendor.seen[before]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    const p = Object.fromEntries(form.entries());
    assert.equal(p.Action, 'SendSms');
    assert.equal(p.Version, '2017-05-25');
    assert.equal(p.Format, 'JSON');
    assert.equal(p.AccessKeyId, 'LTAI-test-id');
    assert.equal(p.SignatureMethod, 'HMAC-SHA1');
    assert.equal(p.SignatureVersion, '1.0');
    assert.equal(p.PhoneNumbers, '13800138000', '+86 and spaces dropped');
    assert.equal(p.SignName, '画像商城');
    assert.equal(p.TemplateCode, 'SMS_123456789');
    assert.equal(p.OutId, 'msg-1');
    assert.deepEqual(JSON.parse(p.TemplateParam!), { content: message().text });
    assert.match(p.Timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(p.SignatureNonce && p.SignatureNonce.length >= 16);
    // the signature, recomputed from what arrived
    const { Signature, ...rest } = p;
    const canonical = Object.keys(rest).sort().map((k) => `${aliyunEncode(k)}=${aliyunEncode(rest[k]!)}`).join('&');
    const want = createHmac('sha1', 'test-secret-xyz&').update(`POST&%2F&${aliyunEncode(canonical)}`).digest('base64');
    assert.equal(Signature, want);
  });

  it('maps answers: rate control and 5xx/429 retried, bad number and bad signature final', async () => {
    const sms = new SmsChannel(settings());
    const cases: [number, unknown, boolean][] = [
      [200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' }, false],
      [200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' }, true],
      [400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' }, false],
      [403, { Code: 'Forbidden.RAM', Message: 'User not authorized' }, false],
      [429, { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, true],
      [503, '<html>Service Unavailable</html>', true],
    ];
    for (const [status, body, retryable] of cases) {
      vendor.answer = { status, body };
      const r = await sms.send(message());
      assert.equal(r.ok, false, JSON.stringify(body));
      assert.equal(!r.ok && r.retryable, retryable, `${status} ${JSON.stringify(body)}`);
      const code = typeof body === 'object' ? (body as { Code: string }).Code : '503';
      assert.ok(!r.ok && r.error.includes(code), !r.ok ? r.error : '');
    }
  });

  it('a network failure is retried; a missing setting or number is final', async () => {
    const down = await new SmsChannel({ ...settings(), url: await deadUrl() }).send(message());
    assert.equal(down.ok, false);
    assert.equal(!down.ok && down.retryable, true);
    const unconfigured = await new SmsChannel({ url: `${vendor.url}/` }).send(message());
    assert.equal(!unconfigured.ok && unconfigured.retryable, false);
    assert.match(!unconfigured.ok ? unconfigured.error : '', /HX_SMS_KEY/);
    const noNumber = await new SmsChannel(settings()).send(message({ to: '' }));
    assert.equal(!noNumber.ok && noNumber.retryable, false);
  });
});

describe('push: JPush v3', () => {
  const settings = () => ({ url: `${vendor.url}/v3/push`, appKey: 'app-key-1', masterSecret: 'master-secret-1', production: true });
  const pushMsg = () => message({ channel: 'push', to: '1a0018970a9c1c6e2c8', subject: '购物车里的宝贝降价了', text: '小明，您加购的耳机降价 ¥50' });

  it('POSTs the notification to the device with HTTP Basic app key and master secret', async () => {
    vendor.answer = { status: 200, body: { sendno: '0', msg_id: '18100268830468339' } };
    const before = vendor.seen.length;
    const r = await new PushChannel(settings()).send(pushMsg());
    assert.deepEqual(r, { ok: true, providerId: '18100268830468339' });
    const req = vendor.seen[before]!;
    assert.equal(req.url, '/v3/push');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('app-key-1:master-secret-1').toString('base64')}`);
    const b = JSON.parse(req.body);
    assert.equal(b.platform, 'all');
    assert.deepEqual(b.audience, { registration_id: ['1a0018970a9c1c6e2c8'] });
    assert.equal(b.notification.alert, '小明，您加购的耳机降价 ¥50');
    assert.equal(b.notification.android.title, '购物车里的宝贝降价了');
    assert.deepEqual(b.notification.ios.alert, { title: '购物车里的宝贝降价了', body: '小明，您加购的耳机降价 ¥50' });
    assert.deepEqual(b.notification.android.extras, { messageId: 'msg-1', url: 'http://hx.test/t/c/abc', campaignId: 'cmp-1' });
    assert.equal(b.options.apns_production, true);
  });

  it('maps answers: 400/401 final, 429 and 5xx retried', async () => {
    const push = new PushChannel(settings());
    const cases: [number, unknown, boolean][] = [
      [400, { error: { code: 1011, message: 'cannot find user by this audience' } }, false],
      [401, { error: { code: 1004, message: 'Authen failed' } }, false],
      [429, { error: { code: 2002, message: 'Rate limit exceeded' } }, true],
      [500, { error: { code: 1000, message: 'Server error' } }, true],
    ];
    for (const [status, body, retryable] of cases) {
      vendor.answer = { status, body };
      const r = await push.send(pushMsg());
      assert.equal(!r.ok && r.retryable, retryable, `${status}`);
      assert.match(!r.ok ? r.error : '', new RegExp(`HTTP ${status}: ${(body as { error: { code: number } }).error.code}`));
    }
    const down = await new PushChannel({ ...settings(), url: await deadUrl() }).send(pushMsg());
    assert.equal(!down.ok && down.retryable, true);
    assert.equal((await new PushChannel({ ...settings(), appKey: undefined }).send(pushMsg())).ok, false);
  });
});

describe('webhook: signed POST', () => {
  const secret = 'whsec-0123456789abcdef';
  const hookMsg = () => message({ channel: 'webhook', to: `${vendor.url}/hook`, coupon: { code: 'K7Q2M9XW3P', value: 20, expiresAt: '2026-12-01T00:00:00.000Z' } });

  it('POSTs the message as JSON with X-Huaxiang-Signature over "<timestamp>.<body>"', async () => {
    vendor.answer = { status: 204, body: '' };
    const before = vendor.seen.length;
    const sent = Math.floor(Date.now() / 1000);
    const r = await new WebhookChannel({ secret }).send(hookMsg());
    assert.deepEqual(r, { ok: true });
    const req = vendor.seen[before]!;
    assert.equal(req.url, '/hook');
    const ts = req.headers['x-huaxiang-timestamp'] as string;
    assert.ok(Math.abs(Number(ts) - sent) <= 2);
    assert.equal(req.headers['x-huaxiang-signature'], `sha256=${createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex')}`);
    assert.equal(req.headers['x-huaxiang-message'], 'msg-1');
    const b = JSON.parse(req.body);
    assert.equal(b.id, 'msg-1');
    assert.equal(b.userId, 'u1');
    assert.equal(b.text, hookMsg().text);
    assert.deepEqual(b.coupon, hookMsg().coupon);
    assert.deepEqual(b.meta, { campaignId: 'cmp-1', journeyId: null, stepId: null, arm: 'A' });
  });

  it('falls back to the configured URL, and maps 4xx final, 429/5xx/network retried', async () => {
    vendor.answer = { status: 200, body: { ok: true } };
    const before = vendor.seen.length;
    assert.equal((await new WebhookChannel({ url: `${vendor.url}/configured`, secret }).send(message({ channel: 'webhook', to: '' }))).ok, true);
    assert.equal(vendor.seen[before]!.url, '/configured');
    const hook = new WebhookChannel({ secret });
    for (const [status, retryable] of [[400, false], [404, false], [410, false], [408, true], [429, true], [502, true]] as const) {
      vendor.answer = { status, body: { error: 'x' } };
      const r = await hook.send(hookMsg());
      assert.equal(!r.ok && r.retryable, retryable, String(status));
    }
    const down = await new WebhookChannel({ secret }).send(message({ channel: 'webhook', to: await deadUrl() }));
    assert.equal(!down.ok && down.retryable, true);
    const unsigned = await new WebhookChannel({ url: `${vendor.url}/x` }).send(hookMsg());
    assert.equal(!unsigned.ok && unsigned.retryable, false);
  });
});
