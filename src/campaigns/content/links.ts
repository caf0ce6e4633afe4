import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../../privacy/keyring.ts';

/**
 * Signed tracking links (docs/channels.md): a click redirect `/t/c/<token>` carrying the message id and
 * the target URL, an open pixel `/t/o/<token>` and an unsubscribe link `/u/<token>` carrying the message
 * id. The token is `<payload>.<mac>`, both base64url; the MAC is HMAC-SHA256 (first 16 bytes) over the
 * link kind, the message id and, for clicks, the target — so only URLs a message really carried are ever
 * redirected to (no open redirect), and one kind of token cannot stand in for another.
 */

export type LinkKind = 'click' | 'open' | 'unsubscribe';
const prefix: Record<LinkKind, string> = { click: 'c', open: 'o', unsubscribe: 'u' };

const secrets = new WeakMap<Keyring, Buffer>();

/**
 * The signing key, derived from the keyring's matching key (never stored, never in the repository): the
 * same on every node and across restarts, so links in sent messages keep working.
 */
export function linkSecret(keyring: Keyring): Buffer {
  let s = secrets.get(keyring);
  if (!s) secrets.set(keyring, (s = Buffer.from(keyring.match('huaxiang:tracking-links:v1'), 'hex')));
  return s;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const mac = (secret: Buffer, kind: LinkKind, messageId: string, target = '') =>
  createHmac('sha256', secret).update(`${prefix[kind]}\n${messageId}\n${target}`).digest().subarray(0, 16);

export function signToken(secret: Buffer, kind: LinkKind, messageId: string, target?: string): string {
  const payload = kind === 'click' ? `${messageId}\n${target ?? ''}` : messageId;
  return `${b64(payload)}.${mac(secret, kind, messageId, target).toString('base64url')}`;
}

/** The message id (and target, for clicks) a token carries, or null when it is malformed or its MAC does not match. */
export function verifyToken(secret: Buffer, kind: LinkKind, token: string): { messageId: string; target?: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return null;
  const payload = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8');
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  let messageId = payload;
  let target: string | undefined;
  if (kind === 'click') {
    const nl = payload.indexOf('\n');
    if (nl <= 0) return null;
    messageId = payload.slice(0, nl);
    target = payload.slice(nl + 1);
    if (!/^https?:\/\//i.test(target)) return null;
  }
  const want = mac(secret, kind, messageId, target);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return target === undefined ? { messageId } : { messageId, target };
}

/** Builds the public URLs of one message's links. */
export class MessageLinks {
  private readonly base: string;

  constructor(
    private readonly secret: Buffer,
    publicUrl: string,
    readonly messageId: string,
  ) {
    this.base = publicUrl.replace(/\/+$/, '');
  }

  click(target: string): string {
    return `${this.base}/t/c/${signToken(this.secret, 'click', this.messageId, target)}`;
  }

  get pixel(): string {
    return `${this.base}/t/o/${signToken(this.secret, 'open', this.messageId)}`;
  }

  get unsubscribe(): string {
    return `${this.base}/u/${signToken(this.secret, 'unsubscribe', this.messageId)}`;
  }

  /** our own links (already tracked, or unsubscribe) are left as they are */
  isOwn(url: string): boolean {
    return url.startsWith(`${this.base}/t/`) || url.startsWith(`${this.base}/u/`);
  }

  /** Every http(s) URL in plain text replaced by its click redirect (trailing punctuation stays outside). */
  trackText(text: string): string {
    return text.replace(/https?:\/\/[^\s<>"'，。！？、；：“”‘’（）]+/gi, (found) => {
      const m = /[).,;:!?\]]+$/.exec(found);
      const url = m ? found.slice(0, -m[0].length) : found;
      const tail = m ? m[0] : '';
      return this.isOwn(url) ? found : this.click(url) + tail;
    });
  }

  /** Every `<a href="http…">` in HTML pointed at its click redirect (the href is entity-decoded before signing). */
  trackHtml(html: string): string {
    // mustache escapes `/` in values (`https:&#x2F;&#x2F;…`), so the scheme is checked after decoding
    return html.replace(/(<a\b[^>]*?\bhref\s*=\s*)(["'])([^"']*)\2/gi, (all, head: string, q: string, href: string) => {
      const url = decodeEntities(href).trim();
      if (!/^https?:\/\//i.test(url)) return all;
      return `${head}${q}${this.isOwn(url) ? href : this.click(url)}${q}`;
    });
  }
}

/** The entities an HTML attribute written by mustache (or by hand) may hold. */
export function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#x27|#x2F|#x3D|#x60);/gi, (_m, e: string) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x2f': '/', '#x3d': '=', '#x60': '`' })[e.toLowerCase()] ?? _m);
}
