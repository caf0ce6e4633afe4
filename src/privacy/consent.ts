import { randomUUID } from 'node:crypto';
import { runPipeline } from '../ingest/index.ts';
import { resolveSubject, type Actor } from './erasure.ts';
import type { PrivacyDeps } from './index.ts';

/** The purposes a person consents to; each gates the computations that serve it (docs/privacy.md, "Consent"). */
export const PURPOSES = ['analytics', 'personalization', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const CONSENT_CHANNELS = ['email', 'sms', 'push', 'webhook', 'inapp'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export interface ConsentState {
  userId: string;
  /** true/false as last given; null when never given (treated as not given) */
  purposes: Record<Purpose, boolean | null>;
  /** per channel: false after an unsubscribe, true after a re-subscribe, null when never said */
  channels: Record<ConsentChannel, boolean | null>;
  history: { at: string; purposes: Partial<Record<Purpose, boolean>>; source: string }[];
}

export interface ConsentChange {
  purposes?: Partial<Record<Purpose, boolean>>;
  channels?: Partial<Record<ConsentChannel, boolean>>;
  /** where the change came from (a consent banner, the service desk …) */
  source: string;
}

export class ConsentSubjectNotFoundError extends Error {}

type Subject = Awaited<ReturnType<typeof resolveSubject>>;

/**
 * Consent per purpose and per channel. A purpose change is an identify event carrying the whole consent
 * object (`traits.consent`), so the event history is the consent history and every module that reads
 * consent from traits — the consent tags, the tag gate for personalisation and marketing tags, the
 * recommendation engine, the campaign guard rails — sees it through the same pipeline as a change sent
 * by the shop's own identify calls. Channel subscriptions are rows in `channel_subscriptions` (the
 * unsubscribe link writes there too).
 */
export class ConsentService {
  constructor(private readonly d: Pick<PrivacyDeps, 'olap' | 'oltp' | 'identity' | 'writer' | 'keyring' | 'config' | 'audit'>) {}

  async get(userId: string): Promise<ConsentState> {
    return this.stateOf(userId, await this.subject(userId));
  }

  private async stateOf(userId: string, s: Subject): Promise<ConsentState> {
    const rows = await this.d.olap.query<{ at: string; consent: string; source: string }>(
      `SELECT toString(timestamp) AS at, JSONExtractRaw(traits, 'consent') AS consent,
              if(JSONExtractString(context, 'library', 'name') != '', JSONExtractString(context, 'library', 'name'), 'identify') AS source
       FROM ${this.d.olap.db}.events
       WHERE distinct_id IN {ids:Array(String)} AND type = 'identify' AND JSONHas(traits, 'consent')
       ORDER BY timestamp, message_id`,
      { ids: s.ids },
    );
    const purposes = Object.fromEntries(PURPOSES.map((p) => [p, null])) as Record<Purpose, boolean | null>;
    const history: ConsentState['history'] = [];
    for (const r of rows) {
      let given: Record<string, unknown> = {};
      try {
        given = JSON.parse(r.consent) as Record<string, unknown>;
      } catch {
        continue;
      }
      const change: Partial<Record<Purpose, boolean>> = {};
      for (const p of PURPOSES) if (typeof given[p] === 'boolean') change[p] = purposes[p] = given[p] as boolean;
      history.push({ at: new Date(`${r.at.replace(' ', 'T')}Z`).toISOString(), purposes: change, source: r.source });
    }
    const subs = await this.d.oltp.query<{ channel: ConsentChannel; subscribed: boolean }>('SELECT channel, subscribed FROM channel_subscriptions WHERE person_id = $1', [s.personId]);
    const channels = Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, null])) as Record<ConsentChannel, boolean | null>;
    for (const r of subs) if ((CONSENT_CHANNELS as readonly string[]).includes(r.channel)) channels[r.channel] = r.subscribed;
    return { userId, purposes, channels, history };
  }

  /** Records a change; resolves once the identify carrying it is stored. */
  async set(userId: string, change: ConsentChange, by: Actor): Promise<ConsentState> {
    const s = await this.subject(userId);
    if (change.purposes && Object.keys(change.purposes).length) {
      const current = await this.stateOf(userId, s);
      const consent: Record<string, boolean> = {};
      for (const p of PURPOSES) {
        const v = change.purposes[p] ?? current.purposes[p];
        if (v !== null && v !== undefined) consent[p] = v;
      }
      const messageId = `consent-${randomUUID()}`;
      const now = Date.now();
      const out = runPipeline(
        {
          messages: [{ type: 'identify', messageId, userId: s.personId, timestamp: new Date(now).toISOString(), traits: { consent }, context: { library: { name: `consent-api:${change.source}` } } }],
          receivedAt: now,
          requestId: messageId,
          source: 'consent',
          writeKeyId: 'consent',
          maxMessageBytes: this.d.config.ingest.maxMessageBytes,
          maxFutureMs: this.d.config.ingest.maxFutureMs,
        },
        this.d.keyring,
      );
      if (out.rejected.length) throw new Error(out.rejected.map((r) => r.message).join('; '));
      await this.d.writer.submit(out.rows);
    }
    for (const [channel, subscribed] of Object.entries(change.channels ?? {})) {
      await this.d.oltp.query(
        `INSERT INTO channel_subscriptions (person_id, channel, subscribed, source, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (person_id, channel) DO UPDATE SET subscribed = EXCLUDED.subscribed, source = EXCLUDED.source, updated_at = now()`,
        [s.personId, channel, subscribed, `consent-api:${change.source}`],
      );
    }
    await this.d.audit.record({ ...by, action: 'consent.update', subjectType: 'person', subjectId: s.personId, details: { purposes: change.purposes ?? {}, channels: change.channels ?? {}, source: change.source } });
    return this.stateOf(userId, s);
  }

  private async subject(userId: string): Promise<Subject> {
    const s = await resolveSubject(this.d, userId);
    const [known] = await this.d.olap.query<{ n: string }>(`SELECT count() AS n FROM ${this.d.olap.db}.events WHERE distinct_id IN {ids:Array(String)}`, { ids: s.ids });
    if (Number(known?.n ?? 0) === 0) throw new ConsentSubjectNotFoundError(`no profile for userId '${userId}'`);
    return s;
  }
}
