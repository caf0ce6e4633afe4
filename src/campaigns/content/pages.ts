import { escapeHtml } from './templates.ts';

/** A transparent 1×1 GIF: the open pixel's answer. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const channelNames: Record<string, [string, string]> = {
  email: ['邮件', 'email'], sms: ['短信', 'SMS'], push: ['推送', 'push notifications'], webhook: ['消息', 'messages'], inapp: ['站内信', 'in-app messages'], coupon: ['优惠券消息', 'coupon messages'],
};

function page(title: string, inner: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.6}
p.en{color:#555}button{font-size:1rem;padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#1677ff;color:#fff;cursor:pointer}</style>
</head><body>
${inner}
</body></html>`;
}

/** Asks before unsubscribing (mail scanners follow GET links; only a POST unsubscribes). */
export function confirmPage(channel: string): string {
  const [zh, en] = channelNames[channel] ?? channelNames.webhook!;
  return page('退订 Unsubscribe', `<h1>退订${zh}</h1>
<p>确认后，您将不再收到我们的营销${zh}。</p>
<p class="en">Confirm to stop receiving our marketing ${en}.</p>
<form method="post"><button type="submit">确认退订 · Unsubscribe</button></form>`);
}

export function donePage(channel: string): string {
  const [zh, en] = channelNames[channel] ?? channelNames.webhook!;
  return page('已退订 Unsubscribed', `<h1>已退订</h1>
<p>您已退订我们的营销${zh}，之后不会再收到。</p>
<p class="en">You are unsubscribed from our marketing ${en} and will not receive them any more.</p>`);
}

export function invalidPage(): string {
  return page('链接无效 Invalid link', `<h1>链接无效</h1>
<p>这个退订链接无效或已失效。</p>
<p class="en">This unsubscribe link is not valid or no longer exists.</p>`);
}
