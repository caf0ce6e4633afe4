import type { IdentityGraph } from '../../identity/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { refuse } from './http.ts';

export interface InboxMessage {
  id: string;
  campaignId: string | null;
  journeyId: string | null;
  locale: string;
  title: string;
  body: string;
  url: string | null;
  coupon: RenderedMessage['coupon'] | null;
  createdAt: string;
  readAt: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * In-app messages: delivering one writes it to the person's inbox (`inbox_messages`), which the shop
 * front end polls (`GET /v1/inbox/:userId`) and marks read. Writing twice (a retry) keeps one row.
 */
export class InAppChannel implements ChannelAdapter {
  readonly name = 'inapp' as const;
  readonly ratePerSecond: number;

  constructor(private readonly d: { oltp: OltpStore; identity: IdentityGraph; ratePerSecond?: number }) {
    this.ratePerSecond = d.ratePerSecond ?? 2000;
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    if (!msg.userId) return refuse('no user id');
    try {
      const person = await this.d.identity.personOf(msg.userId);
      await this.d.oltp.query(
        `INSERT INTO inbox_messages (id, person_id, user_id, campaign_id, journey_id, locale, title, body, url, coupon)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
        [msg.id, person, msg.userId, msg.meta.campaignId, msg.meta.journeyId, msg.locale, msg.subject, msg.text, msg.url ?? null, msg.coupon ? JSON.stringify(msg.coupon) : null],
      );
      return { ok: true, providerId: msg.id };
    } catch (err) {
      // the store is ours: a failure is the database's moment, not the message's fault
      return { ok: false, retryable: true, error: `inbox: ${(err as Error).message}` };
    }
  }
}

/** The inbox of the person a user id belongs to, newest first. */
export async function inboxOf(d: { oltp: OltpStore; identity: IdentityGraph }, userId: string, o: { unread?: boolean; limit: number }): Promise<InboxMessage[]> {
  const person = await d.identity.personOf(userId);
  const rows = await d.oltp.query<Record<string, unknown>>(
    `SELECT * FROM inbox_messages WHERE (person_id = $1 OR user_id = $2) ${o.unread ? 'AND read_at IS NULL' : ''} ORDER BY created_at DESC, id LIMIT $3`,
    [person, userId, o.limit],
  );
  return rows.map((r) => ({
    id: r.id as string, campaignId: (r.campaign_id as string | null) ?? null, journeyId: (r.journey_id as string | null) ?? null, locale: r.locale as string,
    title: r.title as string, body: r.body as string, url: (r.url as string | null) ?? null, coupon: (r.coupon as InboxMessage['coupon']) ?? null,
    createdAt: iso(r.created_at)!, readAt: iso(r.read_at),
  }));
}

/** Marks messages of this user's inbox read (others' ids are ignored); returns how many changed. */
export async function markRead(d: { oltp: OltpStore; identity: IdentityGraph }, userId: string, ids: string[]): Promise<number> {
  const person = await d.identity.personOf(userId);
  const rows = await d.oltp.query<{ id: string }>(
    `UPDATE inbox_messages SET read_at = now() WHERE id = ANY($1::text[]) AND (person_id = $2 OR user_id = $3) AND read_at IS NULL RETURNING id`,
    [ids, person, userId],
  );
  return rows.length;
}
