import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { refuse } from './http.ts';

export interface EmailSettings {
  /** smtp://user:pass@host:port or smtps://… (HX_SMTP_URL) */
  smtpUrl?: string;
  /** the From header (HX_EMAIL_FROM) */
  from: string;
  ratePerSecond?: number;
}

// SMTP failures that say nothing about the message: the connection or the server, so retry later
const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL', 'ETLS']);

/**
 * Email over SMTP with nodemailer (a pooled connection). Every message carries the RFC 8058 one-click
 * unsubscribe headers: `List-Unsubscribe: <https://…/u/<token>>` and `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`. SMTP replies map to results by their class: 4xx (421 busy, 450 mailbox
 * unavailable, 452 storage) is transient and retried, 5xx (550 no such user, 554 rejected) is final.
 */
export class EmailChannel implements ChannelAdapter {
  readonly name = 'email' as const;
  readonly ratePerSecond: number;
  private transport: Transporter | null = null;

  constructor(private readonly s: EmailSettings) {
    this.ratePerSecond = s.ratePerSecond ?? 50;
  }

  private transporter(): Transporter {
    if (!this.transport) {
      // one pooled connection set for the whole run, not a connection per message
      const url = new URL(this.s.smtpUrl!);
      if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
      this.transport = nodemailer.createTransport(url.toString(), { from: this.s.from });
    }
    return this.transport;
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    if (!this.s.smtpUrl) return refuse('the email channel is not configured (HX_SMTP_URL)');
    if (!msg.to) return refuse('no email address');
    const headers: Record<string, string> = {
      'X-Huaxiang-Message': msg.id,
      ...(msg.meta.campaignId ? { 'X-Huaxiang-Campaign': msg.meta.campaignId } : {}),
    };
    if (msg.unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${msg.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const info = await this.transporter().sendMail({
        from: this.s.from, to: msg.to, subject: msg.subject, text: msg.text, ...(msg.html ? { html: msg.html } : {}), headers,
      });
      const rejected = (info.rejected ?? []).length;
      if (rejected > 0 && (info.accepted ?? []).length === 0) return { ok: false, retryable: false, error: `rejected: ${String(info.response ?? '')}` };
      return { ok: true, providerId: info.messageId };
    } catch (err) {
      return fromSmtpError(err);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
  }
}

export function fromSmtpError(err: unknown): DeliveryResult {
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  const error = `${e.code ?? 'SMTP'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${(e.response ?? e.message).slice(0, 300)}`;
  if (e.responseCode) return { ok: false, retryable: e.responseCode >= 400 && e.responseCode < 500, error };
  return { ok: false, retryable: NETWORK.has(e.code ?? '') || NETWORK.has((e as { errno?: string }).errno ?? ''), error };
}
