import type { OltpStore } from '../../store/oltp/index.ts';
import type { Erasable } from '../erasure.ts';

const count = async (db: OltpStore, sql: string, ids: string[]) => Number((await db.query<{ n: number | string }>(sql, [ids]))[0]?.n ?? 0);

/** The identity map in Postgres: the source of truth the `person_ids` mirror copies. */
export function identitiesErasable(db: OltpStore): Erasable {
  const where = `distinct_id = ANY($1::text[]) OR person_id = ANY($1::text[])`;
  return {
    name: 'oltp.identities',
    description: 'the identity map: every anonymousId and userId of the person',
    count: (s) => count(db, `SELECT count(*) AS n FROM identities WHERE ${where}`, s.ids),
    erase: async (s) => { await db.query(`DELETE FROM identities WHERE ${where}`, [s.ids]); },
    export: (s) => db.query(`SELECT distinct_id, person_id, kind, first_seen FROM identities WHERE ${where} ORDER BY first_seen`, [s.ids]),
  };
}

// the outcome texts graph.ts writes that name a person: 'kept: already belongs to X', 'merged X into Y'
const named = (outcome: string): string[] => {
  const kept = /^kept: already belongs to (.*)$/.exec(outcome);
  if (kept) return [kept[1]!];
  const merged = /^merged (.*) into (.*)$/.exec(outcome);
  return merged ? [merged[1]!, merged[2]!] : [];
};

/**
 * Why each identity link exists. The person's own links are deleted; another person's link whose outcome
 * text names one of the person's ids (a shared device kept by its first owner) keeps its row with the
 * name replaced by `[erased]`.
 */
export function identityLinksErasable(db: OltpStore): Erasable {
  const own = `from_id = ANY($1::text[]) OR to_id = ANY($1::text[])`;
  const mentions = async (ids: string[]) => {
    const set = new Set(ids);
    const rows = await db.query<{ id: string; outcome: string }>(
      `SELECT id, outcome FROM identity_links WHERE NOT (${own}) AND (outcome LIKE 'kept: %' OR outcome LIKE 'merged %')`,
      [ids],
    );
    return rows.filter((r) => named(r.outcome).some((n) => set.has(n)));
  };
  return {
    name: 'oltp.identity_links',
    description: 'why each identity link exists (the message that made it, and the merge it caused)',
    async count(s) {
      return (await count(db, `SELECT count(*) AS n FROM identity_links WHERE ${own}`, s.ids)) + (await mentions(s.ids)).length;
    },
    async erase(s) {
      const set = new Set(s.ids);
      const mentioned = await mentions(s.ids);
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM identity_links WHERE ${own}`, [s.ids]);
        for (const r of mentioned) {
          let text = r.outcome;
          for (const n of named(r.outcome)) if (set.has(n)) text = text.replace(n, '[erased]');
          await tx.query('UPDATE identity_links SET outcome = $2 WHERE id = $1', [r.id, text]);
        }
      });
    },
    export: (s) => db.query(`SELECT from_id, to_id, via, message_id, outcome, created_at FROM identity_links WHERE ${own} ORDER BY id`, [s.ids]),
  };
}

/**
 * Segment webhook deliveries carry the ids that entered or left. The person's id is removed from every
 * body; a delivery left with no ids at all is deleted.
 */
export function webhookDeliveriesErasable(db: OltpStore): Erasable {
  const find = (ids: string[]) =>
    db.query<{ id: string; body: string }>(
      `SELECT id, body FROM webhook_deliveries WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS n WHERE strpos(body, n) > 0)`,
      [ids.map((id) => JSON.stringify(id))],
    );
  return {
    name: 'oltp.webhook_deliveries',
    description: 'segment webhook deliveries (the userIds that entered or left)',
    mode: 'anonymised',
    count: async (s) => (await find(s.ids)).length,
    async erase(s) {
      const set = new Set(s.ids);
      const found = await find(s.ids);
      await db.transaction(async (tx) => {
        for (const r of found) {
          const body = JSON.parse(r.body) as { userIds?: string[] };
          const userIds = (body.userIds ?? []).filter((u) => !set.has(u));
          if (userIds.length === 0) await tx.query('DELETE FROM webhook_deliveries WHERE id = $1', [r.id]);
          else await tx.query('UPDATE webhook_deliveries SET body = $2 WHERE id = $1', [r.id, JSON.stringify({ ...body, userIds })]);
        }
      });
    },
  };
}

/**
 * "Not interested" and dislike feedback on recommendations. The recommendation engine also holds it in
 * memory; it may register its own erasable under this name, which then replaces this one.
 */
export function recommendFeedbackErasable(db: OltpStore): Erasable {
  const where = 'person_id = ANY($1::text[])';
  return {
    name: 'oltp.recommend_feedback',
    description: 'recommendation feedback (dislikes, not interested)',
    count: (s) => count(db, `SELECT count(*) AS n FROM recommend_feedback WHERE ${where}`, s.ids),
    erase: async (s) => { await db.query(`DELETE FROM recommend_feedback WHERE ${where}`, [s.ids]); },
    export: (s) => db.query(`SELECT kind, item_id, category, created_at FROM recommend_feedback WHERE ${where} ORDER BY id`, [s.ids]),
  };
}

/** Where each person is in each journey (src/campaigns/journeys). */
export function journeyStatesErasable(db: OltpStore): Erasable {
  const where = 'person_id = ANY($1::text[]) OR user_id = ANY($1::text[])';
  return {
    name: 'oltp.journey_states',
    description: 'journey progress: the step, wait and entry count of each journey the person entered',
    count: (s) => count(db, `SELECT count(*) AS n FROM journey_states WHERE ${where}`, s.ids),
    erase: async (s) => { await db.query(`DELETE FROM journey_states WHERE ${where}`, [s.ids]); },
    export: (s) => db.query(`SELECT journey_id, entry, arm, step_id, status, to_timestamp(entered_at / 1000.0) AS entered_at, to_timestamp(finished_at / 1000.0) AS finished_at, exit_reason FROM journey_states WHERE ${where} ORDER BY entered_at`, [s.ids]),
  };
}

/** In-app messages in the person's inbox (src/campaigns/channels/inapp.ts). */
export function inboxMessagesErasable(db: OltpStore): Erasable {
  const where = 'person_id = ANY($1::text[]) OR user_id = ANY($1::text[])';
  return {
    name: 'oltp.inbox_messages',
    description: 'in-app messages sent to the person (title, text, link, coupon) and when they were read',
    count: (s) => count(db, `SELECT count(*) AS n FROM inbox_messages WHERE ${where}`, s.ids),
    erase: async (s) => { await db.query(`DELETE FROM inbox_messages WHERE ${where}`, [s.ids]); },
    export: (s) => db.query(`SELECT id, campaign_id, journey_id, locale, title, body, url, coupon, created_at, read_at FROM inbox_messages WHERE ${where} ORDER BY created_at`, [s.ids]),
  };
}

/** Campaign and journey messages to the person (the delivery queue and log) and their channel subscriptions. */
export function campaignErasables(db: OltpStore): Erasable[] {
  const where = 'person_id = ANY($1::text[]) OR user_id = ANY($1::text[])';
  const subs = 'person_id = ANY($1::text[])';
  return [
    {
      name: 'oltp.campaign_messages',
      description: 'campaign and journey messages: queued, sent or suppressed, with their opens, clicks and coupon codes',
      // a message's coupon code is keyed by the message id, which names the person: it goes with the message
      count: (s) => count(db, `SELECT (SELECT count(*) FROM campaign_messages WHERE ${where}) + (SELECT count(*) FROM message_coupons WHERE message_id IN (SELECT id FROM campaign_messages WHERE ${where})) AS n`, s.ids),
      erase: async (s) => {
        await db.transaction(async (tx) => {
          await tx.query(`DELETE FROM message_coupons WHERE message_id IN (SELECT id FROM campaign_messages WHERE ${where})`, [s.ids]);
          await tx.query(`DELETE FROM campaign_messages WHERE ${where}`, [s.ids]);
        });
      },
      export: (s) => db.query(`SELECT id, campaign_id, journey_id, step_id, channel, arm, status, reason, created_at, sent_at, opened_at, clicked_at FROM campaign_messages WHERE ${where} ORDER BY created_at`, [s.ids]),
    },
    {
      name: 'oltp.channel_subscriptions',
      description: 'channel subscriptions and unsubscribes',
      count: (s) => count(db, `SELECT count(*) AS n FROM channel_subscriptions WHERE ${subs}`, s.ids),
      erase: async (s) => { await db.query(`DELETE FROM channel_subscriptions WHERE ${subs}`, [s.ids]); },
      export: (s) => db.query(`SELECT channel, subscribed, source, updated_at FROM channel_subscriptions WHERE ${subs} ORDER BY channel`, [s.ids]),
    },
  ];
}

/** Every Postgres table that holds rows about a person. */
export function oltpErasables(db: OltpStore): Erasable[] {
  return [identitiesErasable(db), identityLinksErasable(db), webhookDeliveriesErasable(db), recommendFeedbackErasable(db), journeyStatesErasable(db), inboxMessagesErasable(db), ...campaignErasables(db)];
}
