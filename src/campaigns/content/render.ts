import { convert } from 'html-to-text';
import type { CampaignDeps } from '../engine.ts';
import type { Locale, OutgoingMessage, Recipient, RenderedMessage } from '../types.ts';
import { issueMessageCoupon } from './coupons.ts';
import { MessageLinks, linkSecret } from './links.ts';
import { chooseLocale, escapeHtml, isHtml, renderHtml, renderText, subjectOf, type TemplateView } from './templates.ts';

/** What rendering reads: config (public and product URLs), the keyring (link signing), recommendations, coupons. */
export type ContentDeps = Pick<CampaignDeps, 'config' | 'keyring' | 'recommend' | 'loyalty' | 'oltp' | 'log'>;

export interface RenderOptions {
  /** a preview: no coupon is issued (a placeholder code shows where it goes) */
  preview?: boolean;
}

const footer: Record<Locale, { unsubscribe: string; why: string }> = {
  'zh-CN': { unsubscribe: '退订', why: '您收到这封邮件，是因为您订阅了我们的营销消息。' },
  en: { unsubscribe: 'Unsubscribe', why: 'You receive this email because you subscribed to our marketing messages.' },
};
const smsUnsubscribe: Record<Locale, string> = { 'zh-CN': '退订', en: 'Unsubscribe' };

/**
 * Renders one message for one person (docs/channels.md): picks the locale (the recipient's, else zh-CN,
 * else en), fills the template with traits, tags, recommended products, the coupon and the unsubscribe
 * URL, then points every link at a signed click redirect. Email gets HTML (values escaped, an open pixel,
 * an unsubscribe footer) and a plain-text part; SMS gets an unsubscribe link when the template has none.
 */
export async function renderMessage(deps: ContentDeps, msg: OutgoingMessage, r: Recipient, opts: RenderOptions = {}): Promise<RenderedMessage> {
  const { content } = msg;
  const locale = chooseLocale(content, msg.locale ?? r.locale);
  const links = new MessageLinks(linkSecret(deps.keyring), deps.config.channels.publicUrl, msg.id);
  const coupon = content.coupon
    ? opts.preview
      ? { code: 'PREVIEW-CODE', value: content.coupon.value, ...(content.coupon.category ? { category: content.coupon.category } : {}), expiresAt: new Date(Date.now() + content.coupon.validDays * 86_400_000).toISOString() }
      : await issueMessageCoupon({ oltp: deps.oltp, coupons: deps.loyalty.coupons }, msg, content.coupon)
    : undefined;
  const view: TemplateView = {
    user: { id: r.userId },
    traits: r.traits,
    tags: r.tags,
    locale,
    url: content.url ?? '',
    coupon: coupon ?? null,
    recommendations: await recommendations(deps, r.userId, content.recommendations ?? 0, locale, content.url),
    unsubscribeUrl: links.unsubscribe,
  };
  const template = content.body[locale] ?? '';
  const subject = renderText(subjectOf(content, locale), view).trim();
  const out: RenderedMessage = {
    id: msg.id,
    channel: msg.channel,
    userId: msg.userId,
    to: addressOf(deps, msg, r),
    locale,
    subject,
    text: '',
    ...(content.url ? { url: links.click(content.url) } : {}),
    ...(coupon ? { coupon } : {}),
    unsubscribeUrl: links.unsubscribe,
    meta: { campaignId: msg.campaignId, journeyId: msg.journeyId, stepId: msg.stepId, arm: msg.arm },
  };
  if (msg.channel === 'email') {
    const body = isHtml(template)
      ? links.trackHtml(renderHtml(template, view))
      : linkify(escapeHtml(links.trackText(renderText(template, view)))).replace(/\r?\n/g, '<br>\n');
    const html = emailDocument(body, subject, locale, links, template.includes('unsubscribeUrl'));
    out.html = html;
    out.text = convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] }).trim();
  } else {
    let text = links.trackText(renderText(template, view)).trim();
    if (msg.channel === 'sms' && !template.includes('unsubscribeUrl')) text += ` ${smsUnsubscribe[locale]}: ${links.unsubscribe}`;
    out.text = text;
  }
  return out;
}

function addressOf(deps: ContentDeps, msg: OutgoingMessage, r: Recipient): string {
  switch (msg.channel) {
    case 'email': return r.email ?? '';
    case 'sms': return r.phone ?? '';
    case 'push': return r.pushToken ?? '';
    case 'webhook': return deps.config.channels.webhook.url ?? '';
    default: return r.userId;
  }
}

/**
 * Products from the recommendation engine (scene `email`), in the message's language; none when it cannot
 * answer. Without exploration: what a preview shows is what the person is sent.
 */
async function recommendations(deps: ContentDeps, userId: string, n: number, locale: Locale, landing?: string): Promise<TemplateView['recommendations']> {
  if (n <= 0) return [];
  try {
    const rec = await deps.recommend.forUser(userId, { scene: 'email', limit: n, explore: 0, lang: locale === 'en' ? 'en' : 'zh' });
    const page = deps.config.channels.productUrl;
    return rec.items.map((it, i) => ({
      itemId: it.itemId, name: it.title, title: it.title, category: it.category, brand: it.brand, price: it.price, reason: it.reason, rank: i + 1,
      url: page ? page.replaceAll('{itemId}', encodeURIComponent(it.itemId)) : (landing ?? ''),
    }));
  } catch (err) {
    deps.log.warn({ err, userId }, 'recommendations for a message failed; rendering without them');
    return [];
  }
}

/** Links in escaped plain text (already tracked) made clickable. */
function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[A-Za-z0-9._~:/?#@!$+,;=%-]+/g, (u) => `<a href="${u}">${u}</a>`);
}

function emailDocument(body: string, subject: string, locale: Locale, links: MessageLinks, hasUnsubscribe: boolean): string {
  const f = footer[locale];
  const foot = hasUnsubscribe ? '' : `\n<p style="font-size:12px;color:#888">${escapeHtml(f.why)} <a href="${links.unsubscribe}">${f.unsubscribe}</a></p>`;
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body>
${body}${foot}
<img src="${links.pixel}" width="1" height="1" alt="" style="display:block;border:0">
</body></html>`;
}
