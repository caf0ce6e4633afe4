import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { linkSecret, verifyToken } from '../../src/campaigns/content/index.ts';
import type { Content } from '../../src/campaigns/types.ts';
import { buildApp } from '../../src/server/app.ts';
import { msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * In-app messages and coupons through the delivery pipeline (a campaign run, rt.campaigns.deliverNow),
 * then the shop's side over real HTTP: the inbox API with the write key (listing, unread, mark read, only
 * one's own), the coupon issued through the loyalty coupons, content preview for a chosen person, input
 * errors naming the field, and erasure of the inbox.
 */

let sc: Scenario;
let app: FastifyInstance;
let base = '';
let admin = '';
let writeKey = '';

before(async () => {
  sc = await openScenario({ prefix: 'hx-inapp-' });
  const built = await buildApp(sc.rt);
  app = built.app;
  const creds = await built.ctx.access.bootstrap(sc.dir, {});
  admin = creds.adminToken;
  writeKey = creds.writeKey;
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const t = Date.now() - 60_000;
  await send(sc.rt, [
    msg.identify('u-ana', t, { firstName: 'Ana', email: 'ana@example.com', locale: 'en-GB', consent: { marketing: true } }),
    msg.identify('u-bo', t, { firstName: '波', locale: 'zh-CN', consent: { marketing: true } }),
  ]);
});
after(async () => {
  await app?.close();
  await sc?.close();
});

const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const inbox = async (user: string, q = '', key = writeKey) => {
  const res = await fetch(`${base}/v1/inbox/${user}${q}`, { headers: basic(key) });
  return { status: res.status, body: (await res.json()) as any };
};
const post = async (url: string, body: unknown, headers: Record<string, string>) => {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

async function run(id: string, channel: 'inapp' | 'coupon', content: Content, userIds: string[]): Promise<Map<string, string>> {
  await sc.rt.campaigns.store.create({
    id, name: id, owner: 'test', channel, audience: { kind: 'list', userIds }, variants: [{ name: 'A', weight: 1, content }], experiment: { holdout: 0 },
  }, { actor: 'test', role: 'marketer' });
  assert.equal((await sc.rt.campaigns.startRun(id, { actor: 'test' })).queued, userIds.length);
  assert.equal(await sc.rt.campaigns.deliverNow(), userIds.length);
  const rows = await sc.rt.oltp.query<{ id: string; user_id: string; status: string }>('SELECT id, user_id, status FROM campaign_messages WHERE campaign_id = $1', [id]);
  for (const r of rows) assert.equal(r.status, 'sent');
  return new Map(rows.map((r) => [r.user_id, r.id]));
}

const landing = 'https://shop.example.com/new?x=1';
const inappContent: Content = {
  subject: { 'zh-CN': '{{traits.firstName}}，新品到了', en: '{{traits.firstName}}, new arrivals' },
  body: { 'zh-CN': '送您 ¥{{coupon.value}} 券 {{coupon.code}}：{{url}}', en: 'A ¥{{coupon.value}} coupon for you, {{coupon.code}}: {{url}}' },
  url: landing,
  coupon: { value: 15, validDays: 5 },
};

describe('in-app inbox', () => {
  let ids: Map<string, string>;
  before(async () => {
    ids = await run('cmp-inapp', 'inapp', inappContent, ['u-ana', 'u-bo']);
  });

  it('needs the write key', async () => {
    assert.equal((await fetch(`${base}/v1/inbox/u-ana`)).status, 401);
    assert.equal((await inbox('u-ana', '', 'not-a-real-key')).status, 401);
  });

  it('lists the person’s messages as rendered: their locale, trait, tracked link and the coupon issued to them', async () => {
    const r = await inbox('u-ana');
    assert.equal(r.status, 200);
    assert.equal(r.body.messages.length, 1);
    const m = r.body.messages[0];
    assert.equal(m.id, ids.get('u-ana'));
    assert.equal(m.campaignId, 'cmp-inapp');
    assert.equal(m.locale, 'en');
    assert.equal(m.title, 'Ana, new arrivals');
    assert.equal(m.readAt, null);
    const held = await sc.rt.loyalty.coupons.ofUser(await sc.rt.identity.personOf('u-ana'));
    assert.equal(held.length, 1);
    assert.equal(m.coupon.code, held[0]!.code);
    assert.equal(m.coupon.value, 15);
    assert.ok(m.body.startsWith(`A ¥15 coupon for you, ${held[0]!.code}: ${sc.rt.config.channels.publicUrl}/t/c/`), m.body);
    assert.equal(verifyToken(linkSecret(sc.rt.keyring), 'click', m.url.split('/t/c/')[1])?.target, landing);
    const bo = await inbox('u-bo');
    assert.equal(bo.body.messages[0].title, '波，新品到了');
    assert.notEqual(bo.body.messages[0].coupon.code, m.coupon.code);
  });

  it('marks read only the person’s own messages; unread=true leaves them out', async () => {
    const r = await post('/v1/inbox/u-ana/read', { ids: [ids.get('u-ana'), ids.get('u-bo')] }, basic(writeKey));
    assert.deepEqual([r.status, r.body], [200, { marked: 1 }]);
    assert.deepEqual((await inbox('u-ana', '?unread=true')).body.messages, []);
    const all = (await inbox('u-ana')).body.messages;
    assert.equal(all.length, 1);
    assert.ok(Date.parse(all[0].readAt) > 0);
    assert.equal((await inbox('u-bo', '?unread=true')).body.messages.length, 1, 'bo’s message stays unread');
    // marking again changes nothing
    assert.deepEqual((await post('/v1/inbox/u-ana/read', { ids: [ids.get('u-ana')] }, basic(writeKey))).body, { marked: 0 });
  });

  it('answers 400 naming the field', async () => {
    const q = await inbox('u-ana', '?limit=0');
    assert.equal(q.status, 400);
    assert.match(q.body.error.message, /^query\.limit: /);
    const u = await inbox('u-ana', '?unread=yes');
    assert.match(u.body.error.message, /^query\.unread: /);
    const b = await post('/v1/inbox/u-ana/read', { ids: [] }, basic(writeKey));
    assert.equal(b.status, 400);
    assert.match(b.body.error.message, /^body\.ids: /);
  });

  it('erasure removes the person’s inbox', async () => {
    const receipt = await sc.rt.privacy.erase('u-bo', { actor: 'test', role: 'admin' });
    assert.equal(receipt.stores['oltp.inbox_messages'], 1);
    assert.deepEqual((await inbox('u-bo')).body.messages, []);
    assert.equal((await inbox('u-ana')).body.messages.length, 1);
  });
});

describe('coupon channel', () => {
  it('issues one coupon per person through the loyalty coupons; the sent message names its code', async () => {
    const ids = await run('cmp-coupon', 'coupon', { body: { 'zh-CN': '您的 ¥{{coupon.value}} 券：{{coupon.code}}' }, coupon: { value: 30, category: '服装', validDays: 3 } }, ['u-ana']);
    const [m] = await sc.rt.oltp.query<{ provider_id: string }>('SELECT provider_id FROM campaign_messages WHERE id = $1', [ids.get('u-ana')]);
    const held = await sc.rt.loyalty.coupons.ofUser(await sc.rt.identity.personOf('u-ana'));
    const issued = held.find((h) => h.code === m!.provider_id);
    assert.ok(issued, `${m!.provider_id} among ${held.map((h) => h.code)}`);
    assert.equal(issued.status, 'issued');
    assert.equal(Math.round((Date.parse(issued.validUntil!) - Date.parse(issued.validFrom)) / 86_400_000), 3);
    const t = await sc.rt.loyalty.coupons.template(issued.templateId);
    assert.deepEqual([t.kind, t.amount], ['amount_off', 30]);
    // the in-app campaign's ¥15 coupon and this one: two, each once
    assert.equal(held.length, 2);
  });
});

describe('preview', () => {
  const content: Content = { subject: { en: 'Hi {{traits.firstName}}' }, body: { en: '<p>Hello {{traits.firstName}}, {{coupon.code}}</p>', 'zh-CN': '<p>你好</p>' }, coupon: { value: 5, validDays: 1 }, url: landing };

  it('renders for the chosen person as the channel would, issuing nothing', async () => {
    const person = await sc.rt.identity.personOf('u-ana');
    const before = (await sc.rt.loyalty.coupons.ofUser(person)).length;
    const r = await post('/api/v1/campaigns/preview', { content, channel: 'email', userId: 'u-ana' }, { authorization: `Bearer ${admin}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.to, 'ana@example.com');
    assert.equal(r.body.locale, 'en');
    assert.equal(r.body.subject, 'Hi Ana');
    assert.ok(r.body.html.includes('<p>Hello Ana, PREVIEW-CODE</p>'), r.body.html);
    assert.match(r.body.html, /\/t\/o\//);
    assert.equal(verifyToken(linkSecret(sc.rt.keyring), 'click', r.body.url.split('/t/c/')[1])?.target, landing);
    assert.equal((await sc.rt.loyalty.coupons.ofUser(person)).length, before);
    const zh = await post('/api/v1/campaigns/preview', { content, channel: 'sms', userId: 'u-ana', locale: 'zh-CN' }, { authorization: `Bearer ${admin}` });
    assert.equal(zh.body.locale, 'zh-CN');
    assert.match(zh.body.text, /^<p>你好<\/p> 退订: /);
  });

  it('needs a token; answers 404 for an unknown user and 400 naming the field', async () => {
    assert.equal((await post('/api/v1/campaigns/preview', { content, channel: 'email', userId: 'u-ana' }, {})).status, 401);
    const unknown = await post('/api/v1/campaigns/preview', { content, channel: 'email', userId: 'nobody-here' }, { authorization: `Bearer ${admin}` });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /^body\.userId: /);
    const cases: [unknown, string][] = [
      [{ content, userId: 'u-ana' }, 'body.channel'],
      [{ content, channel: 'fax', userId: 'u-ana' }, 'body.channel'],
      [{ content: { ...content, body: { en: 'Hi {{#traits}}' } }, channel: 'email', userId: 'u-ana' }, 'body.content.body.en'],
      [{ content: { ...content, body: {} }, channel: 'email', userId: 'u-ana' }, 'body.content.body'],
      [{ content: { ...content, url: 'javascript:alert(1)' }, channel: 'email', userId: 'u-ana' }, 'body.content.url'],
      [{ content, channel: 'email', userId: 'u-ana', locale: 'fr' }, 'body.locale'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/api/v1/campaigns/preview', body, { authorization: `Bearer ${admin}` });
      assert.equal(r.status, 400, field);
      assert.ok(r.body.error.message.startsWith(`${field}: `), `${field}: ${r.body.error.message}`);
    }
  });
});
