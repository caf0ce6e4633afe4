import type { OltpStore, SqlExecutor } from '../../store/oltp/index.ts';
import type { ChannelName, Content, Locale, MessageStatus, OutgoingMessage } from '../types.ts';

/** A queue row: a message plus its delivery state. */
export interface QueuedMessage extends OutgoingMessage {
  attempts: number;
}

/** One message to insert; `status`/`reason` set for one suppressed before it is queued. */
export interface NewMessage extends Omit<OutgoingMessage, 'content' | 'notBefore'> {
  /** index into the contents array given with the batch (so a million messages of one variant carry its content once) */
  content: number;
  notBefore: Date;
  status?: 'queued' | 'suppressed';
  reason?: string;
}

const CHUNK = 20_000;

/**
 * Inserts messages in multi-row statements (unnest of column arrays, contents joined by index). The id is
 * the dedup key: a message whose id is already in the table is skipped. Returns how many were new.
 */
export async function insertMessages(db: SqlExecutor, rows: readonly NewMessage[], contents: readonly Content[]): Promise<{ queued: number; suppressed: number }> {
  let queued = 0;
  let suppressed = 0;
  const contentJson = contents.map((c) => JSON.stringify(c));
  for (let off = 0; off < rows.length; off += CHUNK) {
    const part = rows.slice(off, off + CHUNK);
    const inserted = await db.query<{ status: string; n: number | string }>(
      `WITH ins AS (
         INSERT INTO campaign_messages (id, dedup_key, campaign_id, journey_id, step_id, person_id, user_id, channel, arm, locale, content, status, reason, not_before, next_attempt_at)
         SELECT u.id, u.id, nullif(u.cid, ''), nullif(u.jid, ''), nullif(u.sid, ''), u.pid, u.uid, u.ch, u.arm, u.loc, ($14::jsonb[])[u.ci + 1], u.st, nullif(u.rs, ''), u.nb, u.nb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::timestamptz[])
              AS u(id, cid, jid, sid, pid, uid, ch, arm, loc, ci, st, rs, nb)
         ON CONFLICT (id) DO NOTHING
         RETURNING status)
       SELECT status, count(*) AS n FROM ins GROUP BY status`,
      [
        part.map((m) => m.id), part.map((m) => m.campaignId ?? ''), part.map((m) => m.journeyId ?? ''), part.map((m) => m.stepId ?? ''),
        part.map((m) => m.personId), part.map((m) => m.userId), part.map((m) => m.channel), part.map((m) => m.arm), part.map((m) => m.locale),
        part.map((m) => m.content), part.map((m) => m.status ?? 'queued'), part.map((m) => m.reason ?? ''), part.map((m) => m.notBefore.toISOString()),
        contentJson,
      ],
    );
    for (const r of inserted) {
      if (r.status === 'queued') queued += Number(r.n);
      else suppressed += Number(r.n);
    }
  }
  return { queued, suppressed };
}

interface Row {
  id: string; campaign_id: string | null; journey_id: string | null; step_id: string | null; person_id: string; user_id: string;
  channel: ChannelName; arm: string; locale: Locale; content: Content | string; not_before: Date | string; attempts: number;
}

/**
 * Claims up to `limit` due messages (queued, due at `now`, of a running campaign or of a journey) and marks
 * them `sending`. `FOR UPDATE SKIP LOCKED` lets several workers on a Postgres server claim side by side;
 * PGlite has one connection, where it is a plain lock. `next_attempt_at` is set to the claim time, which
 * `recoverStale` reads to return messages a crashed worker held.
 */
export async function claimDue(db: OltpStore, now: Date, limit: number): Promise<QueuedMessage[]> {
  const rows = await db.query<Row>(
    `UPDATE campaign_messages m SET status = 'sending', attempts = m.attempts + 1, next_attempt_at = $1
     WHERE m.id IN (
       SELECT q.id FROM campaign_messages q
       WHERE q.status = 'queued' AND q.next_attempt_at <= $1
         AND (q.campaign_id IS NULL OR EXISTS (SELECT 1 FROM campaigns c WHERE c.id = q.campaign_id AND c.status = 'running'))
       ORDER BY q.next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING m.id, m.campaign_id, m.journey_id, m.step_id, m.person_id, m.user_id, m.channel, m.arm, m.locale, m.content, m.not_before, m.attempts`,
    [now.toISOString(), limit],
  );
  return rows.map((r) => ({
    id: r.id, campaignId: r.campaign_id, journeyId: r.journey_id, stepId: r.step_id, personId: r.person_id, userId: r.user_id,
    channel: r.channel, arm: r.arm, locale: r.locale, content: typeof r.content === 'string' ? JSON.parse(r.content) : r.content,
    notBefore: new Date(r.not_before).toISOString(), attempts: Number(r.attempts),
  }));
}

/** What became of one claimed message. */
export interface Outcome {
  id: string;
  status: Extract<MessageStatus, 'queued' | 'suppressed' | 'sent' | 'failed'>;
  reason?: string;
  error?: string;
  providerId?: string;
  locale?: Locale;
  sentAt?: Date;
  /** back to the queue: when to try again (retry backoff, quiet hours) */
  next?: Date;
  /** quiet hours: the new not-before, and the claim does not count as an attempt */
  deferred?: boolean;
}

/** Writes a batch of outcomes in one statement. */
export async function finish(db: SqlExecutor, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE campaign_messages m SET
       status = u.st, reason = coalesce(nullif(u.rs, ''), m.reason), last_error = coalesce(nullif(u.err, ''), m.last_error),
       provider_id = coalesce(nullif(u.prov, ''), m.provider_id), locale = coalesce(nullif(u.loc, ''), m.locale),
       sent_at = coalesce(u.sent, m.sent_at), next_attempt_at = coalesce(u.nxt, m.next_attempt_at),
       not_before = CASE WHEN u.defer THEN u.nxt ELSE m.not_before END,
       attempts = CASE WHEN u.defer THEN m.attempts - 1 ELSE m.attempts END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::boolean[])
          AS u(id, st, rs, err, prov, loc, sent, nxt, defer)
     WHERE m.id = u.id`,
    [
      outcomes.map((o) => o.id), outcomes.map((o) => o.status), outcomes.map((o) => o.reason ?? ''), outcomes.map((o) => (o.error ?? '').slice(0, 2000)),
      outcomes.map((o) => o.providerId ?? ''), outcomes.map((o) => o.locale ?? ''), outcomes.map((o) => o.sentAt?.toISOString() ?? null),
      outcomes.map((o) => o.next?.toISOString() ?? null), outcomes.map((o) => Boolean(o.deferred)),
    ],
  );
}

/** Messages left `sending` by a worker that stopped mid-send (claimed longer ago than `staleMs`) go back to the queue. */
export async function recoverStale(db: OltpStore, now: Date, staleMs: number): Promise<number> {
  const rows = await db.query(
    `UPDATE campaign_messages SET status = 'queued' WHERE status = 'sending' AND next_attempt_at < $1 RETURNING id`,
    [new Date(now.getTime() - staleMs).toISOString()],
  );
  return rows.length;
}

/** Sends per person and channel since `since` (the frequency caps' window). */
export async function recentSends(db: OltpStore, personIds: readonly string[], since: Date): Promise<{ person_id: string; channel: string; n: number }[]> {
  return db.query(
    `SELECT person_id, channel, count(*) AS n FROM campaign_messages
     WHERE person_id = ANY($1::text[]) AND sent_at >= $2 AND status IN ('sent', 'delivered') GROUP BY person_id, channel`,
    [[...personIds], since.toISOString()],
  );
}
