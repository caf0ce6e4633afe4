import { randomUUID } from 'node:crypto';
import { runPipeline } from '../../ingest/index.ts';
import type { CampaignDeps } from '../engine.ts';
import type { ChannelName } from '../types.ts';

export type TrackingDeps = Pick<CampaignDeps, 'oltp' | 'writer' | 'keyring' | 'config' | 'log'>;

interface MessageRow {
  user_id: string;
  person_id: string;
  campaign_id: string | null;
  journey_id: string | null;
  step_id: string | null;
  arm: string;
  channel: ChannelName;
}

/**
 * An open or click as a track event (`Message Opened`, `Message Clicked`) from the person, through the
 * ingestion pipeline and the batching writer like any event, so funnels, paths and results see it. The
 * redirect or pixel does not wait for the write (the writer flushes what it holds on shutdown).
 */
function recordEvent(d: TrackingDeps, m: MessageRow, event: 'Message Opened' | 'Message Clicked', eventId: string, messageId: string, extra: Record<string, unknown> = {}): void {
  writeEvent(d, m, event, eventId, messageId, extra).catch((err) => d.log.warn({ err, messageId, event }, 'tracking event not written'));
}

async function writeEvent(d: TrackingDeps, m: MessageRow, event: 'Message Opened' | 'Message Clicked', eventId: string, messageId: string, extra: Record<string, unknown> = {}): Promise<void> {
  const message = {
    type: 'track', messageId: eventId, userId: m.user_id, event, timestamp: new Date().toISOString(),
    properties: { message_id: messageId, campaign_id: m.campaign_id, journey_id: m.journey_id, step_id: m.step_id, arm: m.arm, channel: m.channel, ...extra },
  };
  const out = runPipeline(
    { messages: [message], receivedAt: Date.now(), requestId: eventId, source: 'messaging', writeKeyId: 'api', maxMessageBytes: d.config.ingest.maxMessageBytes, maxFutureMs: d.config.ingest.maxFutureMs },
    d.keyring,
  );
  if (out.rejected.length) {
    d.log.warn({ rejected: out.rejected, messageId }, 'tracking event rejected');
    return;
  }
  await d.writer.submit(out.rows, out.dead);
}

const cols = 'm.user_id, m.person_id, m.campaign_id, m.journey_id, m.step_id, m.arm, m.channel';

/**
 * The first open of a message sets `opened_at` and records `Message Opened`; later opens change nothing.
 * Returns whether the message is known and whether this was its first open.
 */
export async function recordOpen(d: TrackingDeps, messageId: string): Promise<{ known: boolean; first: boolean }> {
  const [m] = await d.oltp.query<MessageRow>(
    `UPDATE campaign_messages m SET opened_at = now() WHERE m.id = $1 AND m.opened_at IS NULL RETURNING ${cols}`, [messageId]);
  if (m) {
    recordEvent(d, m, 'Message Opened', `open-${messageId}`, messageId);
    return { known: true, first: true };
  }
  const [k] = await d.oltp.query<{ id: string }>('SELECT id FROM campaign_messages WHERE id = $1', [messageId]);
  return { known: Boolean(k), first: false };
}

/**
 * A click sets `clicked_at` (the first) and records `Message Clicked` with the URL (every click); a click
 * on a message never seen opened (images blocked, or SMS) also counts as its open.
 */
export async function recordClick(d: TrackingDeps, messageId: string, url: string): Promise<{ known: boolean }> {
  const [m] = await d.oltp.query<MessageRow & { unopened: boolean }>(
    `WITH before AS (SELECT id, opened_at IS NULL AS unopened FROM campaign_messages WHERE id = $1 FOR UPDATE)
     UPDATE campaign_messages m SET clicked_at = coalesce(m.clicked_at, now()), opened_at = coalesce(m.opened_at, now())
     FROM before WHERE m.id = before.id RETURNING ${cols}, before.unopened`,
    [messageId],
  );
  if (!m) return { known: false };
  if (m.unopened) recordEvent(d, m, 'Message Opened', `open-${messageId}`, messageId);
  recordEvent(d, m, 'Message Clicked', `click-${messageId}-${randomUUID()}`, messageId, { url });
  return { known: true };
}

/** Unsubscribes the message's person from the message's channel (`channel_subscriptions`, source `link`). */
export async function unsubscribeByMessage(d: Pick<TrackingDeps, 'oltp'>, messageId: string, source = 'link'): Promise<{ personId: string; channel: ChannelName } | null> {
  const [m] = await d.oltp.query<{ person_id: string; channel: ChannelName }>('SELECT person_id, channel FROM campaign_messages WHERE id = $1', [messageId]);
  if (!m) return null;
  await d.oltp.query(
    `INSERT INTO channel_subscriptions (person_id, channel, subscribed, source, updated_at) VALUES ($1, $2, false, $3, now())
     ON CONFLICT (person_id, channel) DO UPDATE SET subscribed = false, source = EXCLUDED.source, updated_at = now()`,
    [m.person_id, m.channel, source],
  );
  return { personId: m.person_id, channel: m.channel };
}

/** The channel a message went through, for the unsubscribe page (null: no such message). */
export async function channelOfMessage(d: Pick<TrackingDeps, 'oltp'>, messageId: string): Promise<ChannelName | null> {
  const [m] = await d.oltp.query<{ channel: ChannelName }>('SELECT channel FROM campaign_messages WHERE id = $1', [messageId]);
  return m?.channel ?? null;
}
