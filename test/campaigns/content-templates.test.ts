import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { linkSecret, renderMessage, verifyToken, type ContentDeps } from '../../src/campaigns/content/index.ts';
import type { Content, OutgoingMessage, Recipient } from '../../src/campaigns/types.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { DAY, MINUTE, byId, consent, ev, loadCatalog, send } from '../recommend/fixture.ts';

/**
 * Rendering messages on a real runtime (keyring, loyalty coupons in PGlite, the recommendation engine
 * trained on a hand-made shop): variables, locale choice and fallback, HTML escaping for email, every
 * link tracked and signed, recommended products, a coupon issued once per message.
 */

const now = Date.now();
let sc: Scenario;
let deps: ContentDeps;
const PUBLIC = 'https://hx.example.com';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-content-' });
  await loadCatalog(sc.rt, now);
  const t0 = now - 6 * DAY;
  const m = [];
  for (let n = 0; n < 6; n++) {
    const u = `shopper${n}`;
    const t = t0 + n * 10 * MINUTE;
    m.push(ev.view(u, 'a1', t), ev.view(u, 'a2', t + MINUTE), ev.view(u, 'b3', t + 2 * MINUTE), ev.buy(u, ['b1', 'b2'], t + 3 * MINUTE), consent(u, t0 - DAY));
  }
  m.push(ev.view('amy', 'a1', now - DAY), consent('amy', t0 - DAY));
  await send(sc.rt, m);
  await sc.rt.tags.build({ trigger: 'test' });
  await sc.rt.recommend.train({ trigger: 'test' });
  const rt = sc.rt;
  deps = {
    config: { ...rt.config, channels: { ...rt.config.channels, publicUrl: PUBLIC, productUrl: 'https://shop.example.com/p/{itemId}' } },
    keyring: rt.keyring, recommend: rt.recommend, loyalty: rt.loyalty, oltp: rt.oltp, log: rt.log,
  };
});
after(() => sc?.close());

const recipient = (o: Partial<Recipient> = {}): Recipient => ({
  personId: 'amy', userId: 'amy', email: 'amy@example.com', phone: '13800138000', locale: 'zh-CN', timezone: 'Asia/Shanghai', marketingConsent: true,
  unsubscribed: [], erased: false, traits: { firstName: '小美', city: '杭州' }, tags: { rfm_segment: '重要价值客户', lifecycle_stage: 'active' }, preferredHours: [20], ...o,
});
let seq = 0;
const message = (content: Content, o: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: `msg-tpl-${++seq}`, campaignId: 'cmp-tpl', journeyId: null, stepId: null, personId: 'amy', userId: 'amy', channel: 'email', arm: 'A', locale: 'zh-CN',
  content, notBefore: new Date().toISOString(), ...o,
});
const secret = () => linkSecret(sc.rt.keyring);
/** every tracked link in a text, with the target its signed token carries */
const tracked = (s: string) => [...s.matchAll(/https:\/\/hx\.example\.com\/t\/c\/([A-Za-z0-9_.-]+)/g)].map((m) => ({ url: m[0], ...verifyToken(secret(), 'click', m[1]!) }));

describe('variables', () => {
  it('fills traits, tags, the user id and the unsubscribe URL; the subject too', async () => {
    const out = await renderMessage(deps, message({
      subject: { 'zh-CN': '{{traits.firstName}}，{{tags.rfm_segment}}专享' },
      body: { 'zh-CN': '{{traits.firstName}}（{{user.id}}）来自{{traits.city}}，阶段 {{tags.lifecycle_stage}}。{{#traits.missing}}不会出现{{/traits.missing}}退订 {{unsubscribeUrl}}' },
    }, { channel: 'sms' }), recipient());
    assert.equal(out.subject, '小美，重要价值客户专享');
    assert.ok(out.text.startsWith('小美（amy）来自杭州，阶段 active。退订 https://hx.example.com/u/'), out.text);
    assert.equal(out.to, '13800138000');
    assert.equal(out.locale, 'zh-CN');
    const token = out.unsubscribeUrl!.split('/u/')[1]!;
    assert.deepEqual(verifyToken(secret(), 'unsubscribe', token), { messageId: out.id });
    // the template names the unsubscribe link itself, so none is appended
    assert.equal(out.text.split('/u/').length, 2);
    assert.deepEqual(out.meta, { campaignId: 'cmp-tpl', journeyId: null, stepId: null, arm: 'A' });
  });

  it('an SMS whose template has no unsubscribe link gets one appended in its language', async () => {
    const zh = await renderMessage(deps, message({ body: { 'zh-CN': '新品上市' } }, { channel: 'sms' }), recipient());
    assert.match(zh.text, /^新品上市 退订: https:\/\/hx\.example\.com\/u\/[\w-]+\.[\w-]+$/);
    const en = await renderMessage(deps, message({ body: { en: 'New in' } }, { channel: 'sms', locale: 'en' }), recipient({ locale: 'en' }));
    assert.match(en.text, /^New in Unsubscribe: https:\/\/hx\.example\.com\/u\//);
  });
});

describe('locale', () => {
  const both: Content = { subject: { 'zh-CN': '你好', en: 'Hello' }, body: { 'zh-CN': '中文正文', en: 'English body' } };
  it('uses the message locale when the content has it', async () => {
    const en = await renderMessage(deps, message(both, { channel: 'push', locale: 'en' }), recipient({ locale: 'en' }));
    assert.deepEqual([en.locale, en.subject, en.text], ['en', 'Hello', 'English body']);
    const zh = await renderMessage(deps, message(both, { channel: 'push', locale: 'zh-CN' }), recipient());
    assert.deepEqual([zh.locale, zh.subject, zh.text], ['zh-CN', '你好', '中文正文']);
  });

  it('falls back to zh-CN, then to en, when the wanted locale is missing or blank', async () => {
    const zhOnly = await renderMessage(deps, message({ subject: { 'zh-CN': '你好' }, body: { 'zh-CN': '中文正文', en: '  ' } }, { channel: 'inapp', locale: 'en' }), recipient({ locale: 'en' }));
    assert.deepEqual([zhOnly.locale, zhOnly.subject, zhOnly.text], ['zh-CN', '你好', '中文正文']);
    const enOnly = await renderMessage(deps, message({ subject: { en: 'Hello' }, body: { en: 'English body' } }, { channel: 'inapp' }), recipient());
    assert.deepEqual([enOnly.locale, enOnly.subject, enOnly.text], ['en', 'Hello', 'English body']);
    // a subject missing in the chosen locale comes from the other
    const mixed = await renderMessage(deps, message({ subject: { en: 'Hello' }, body: { 'zh-CN': '中文' } }, { channel: 'inapp' }), recipient());
    assert.equal(mixed.subject, 'Hello');
  });

  it('email HTML declares the language and the footer is in it', async () => {
    const en = await renderMessage(deps, message(both, { locale: 'en' }), recipient({ locale: 'en' }));
    assert.match(en.html!, /<html lang="en">/);
    assert.match(en.html!, />Unsubscribe<\/a>/);
    const zh = await renderMessage(deps, message(both), recipient());
    assert.match(zh.html!, /<html lang="zh-CN">/);
    assert.match(zh.html!, />退订<\/a>/);
  });
});

describe('escaping and links', () => {
  const nasty = '<script>alert("x")</script> & Co';

  it('escapes values in email HTML but not in the text part, SMS or push', async () => {
    const c: Content = { subject: { 'zh-CN': '给 {{traits.firstName}}' }, body: { 'zh-CN': '<p>你好，{{traits.firstName}}</p>' } };
    const email = await renderMessage(deps, message(c), recipient({ traits: { firstName: nasty } }));
    assert.ok(!email.html!.includes('<script>'), email.html);
    assert.ok(email.html!.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Co'), email.html);
    assert.ok(email.text.includes(`你好，${nasty}`), email.text);
    assert.equal(email.subject, `给 ${nasty}`);
    // a plain-text body is escaped as a whole when it becomes HTML
    const plain = await renderMessage(deps, message({ body: { 'zh-CN': '你好 {{traits.firstName}}\n第二行' } }), recipient({ traits: { firstName: nasty } }));
    assert.ok(plain.html!.includes('你好 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co<br>\n第二行'), plain.html);
    const sms = await renderMessage(deps, message({ body: { 'zh-CN': '{{traits.firstName}}' } }, { channel: 'sms' }), recipient({ traits: { firstName: nasty } }));
    assert.ok(sms.text.startsWith(nasty));
  });

  it('rewrites every link to a signed click redirect carrying the exact target; pixel and unsubscribe in email', async () => {
    const landing = 'https://shop.example.com/sale?utm_source=email&id=7';
    const c: Content = {
      url: landing,
      body: { 'zh-CN': '<p><a href="{{url}}">去看看</a> · <a href=\'https://shop.example.com/help\'>帮助</a> · <a href="mailto:kf@example.com">客服</a></p>' },
    };
    const email = await renderMessage(deps, message(c), recipient());
    const links = tracked(email.html!);
    assert.deepEqual(links.map((l) => l.target), [landing, 'https://shop.example.com/help']);
    for (const l of links) assert.equal(l.messageId, email.id);
    assert.ok(email.html!.includes('href="mailto:kf@example.com"'), 'non-http links stay');
    assert.ok(!email.html!.includes('shop.example.com/sale'), 'the raw landing URL never appears');
    assert.equal(verifyToken(secret(), 'click', email.url!.split('/t/c/')[1]!)?.target, landing);
    const pixel = /<img src="https:\/\/hx\.example\.com\/t\/o\/([\w.-]+)" width="1" height="1"/.exec(email.html!);
    assert.ok(pixel, email.html);
    assert.deepEqual(verifyToken(secret(), 'open', pixel[1]!), { messageId: email.id });
    assert.ok(email.html!.includes(`href="${email.unsubscribeUrl}"`));
    // the text part carries the tracked links too
    assert.deepEqual(tracked(email.text).map((l) => l.target), [landing, 'https://shop.example.com/help']);

    const sms = await renderMessage(deps, message({ url: landing, body: { 'zh-CN': '限时特惠：{{url}}。另见 https://shop.example.com/new).' } }, { channel: 'sms' }), recipient());
    const smsLinks = tracked(sms.text);
    assert.deepEqual(smsLinks.map((l) => l.target), [landing, 'https://shop.example.com/new']);
    assert.match(sms.text, /^限时特惠：https:\/\/hx\.example\.com\/t\/c\/[\w.-]+。另见 https:\/\/hx\.example\.com\/t\/c\/[\w.-]+\)\. 退订: /);
  });

  it('a token altered in any way, or of another kind, does not verify', async () => {
    const email = await renderMessage(deps, message({ url: 'https://shop.example.com/a', body: { 'zh-CN': '{{url}}' } }), recipient());
    const token = email.url!.split('/t/c/')[1]!;
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(`${email.id}\nhttps://evil.example.com/`).toString('base64url');
    assert.equal(verifyToken(secret(), 'click', `${forged}.${mac}`), null);
    assert.equal(verifyToken(secret(), 'click', `${payload}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`), null);
    assert.equal(verifyToken(secret(), 'click', payload), null);
    assert.equal(verifyToken(secret(), 'open', token), null);
    const unsubscribe = email.unsubscribeUrl!.split('/u/')[1]!;
    assert.equal(verifyToken(secret(), 'unsubscribe', `${unsubscribe[0] === 'x' ? 'y' : 'x'}${unsubscribe.slice(1)}`), null);
  });
});

describe('recommendations and coupons', () => {
  it('lists the recommendation engine’s products for the person, in order, each linked (tracked) to its page', async () => {
    const want = await sc.rt.recommend.forUser('amy', { scene: 'email', limit: 3, explore: 0, lang: 'zh' });
    assert.equal(want.items.length, 3);
    const out = await renderMessage(deps, message({ recommendations: 3, body: { 'zh-CN': '{{#recommendations}}{{rank}}. {{name}} ¥{{price}} {{url}}\n{{/recommendations}}' } }, { channel: 'inapp' }), recipient());
    const lines = out.text.split('\n');
    assert.equal(lines.length, 3);
    want.items.forEach((it, i) => {
      assert.ok(lines[i]!.startsWith(`${i + 1}. ${byId.get(it.itemId)!.title} ¥${it.price} https://hx.example.com/t/c/`), lines[i]);
      assert.equal(tracked(lines[i]!)[0]!.target, `https://shop.example.com/p/${it.itemId}`);
    });
    const none = await renderMessage(deps, message({ body: { 'zh-CN': '[{{#recommendations}}{{name}}{{/recommendations}}]' } }, { channel: 'inapp' }), recipient());
    assert.equal(none.text, '[]');
  });

  it('issues the coupon through the loyalty coupons once per message, to the person; a preview issues none', async () => {
    const c: Content = { coupon: { value: 20, category: '数码', validDays: 7 }, body: { 'zh-CN': '送您 ¥{{coupon.value}} 券：{{coupon.code}}{{^coupon}}无{{/coupon}}' } };
    const msg = message(c, { channel: 'coupon' });
    const first = await renderMessage(deps, msg, recipient());
    const again = await renderMessage(deps, msg, recipient());
    assert.match(first.coupon!.code, /^[2-9A-HJKMNP-Z]{10}$/);
    assert.deepEqual(again.coupon, first.coupon);
    assert.equal(first.text, `送您 ¥20 券：${first.coupon!.code}`);
    assert.equal(first.coupon!.category, '数码');
    const held = await sc.rt.loyalty.coupons.ofUser('amy');
    const mine = held.filter((h) => h.code === first.coupon!.code);
    assert.equal(mine.length, 1);
    assert.equal(Math.round((Date.parse(mine[0]!.validUntil!) - Date.parse(mine[0]!.validFrom)) / DAY), 7);
    assert.equal(new Date(first.coupon!.expiresAt).toISOString(), mine[0]!.validUntil);
    const t = await sc.rt.loyalty.coupons.template(mine[0]!.templateId);
    assert.deepEqual([t.kind, t.amount, t.validDays], ['amount_off', 20, 7]);

    const before = (await sc.rt.loyalty.coupons.ofUser('amy')).length;
    const preview = await renderMessage(deps, message(c, { channel: 'coupon' }), recipient(), { preview: true });
    assert.equal(preview.coupon!.code, 'PREVIEW-CODE');
    assert.equal((await sc.rt.loyalty.coupons.ofUser('amy')).length, before);
  });
});
