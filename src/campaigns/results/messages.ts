import type { OltpStore } from '../../store/oltp/index.ts';

/**
 * The message funnel of a campaign from its per-message log (campaign_messages): per arm, messages
 * sent (handed to the channel: status sent or delivered), delivered (the channel confirmed delivery),
 * opened and clicked (the tracking endpoints set opened_at/clicked_at; a click without a recorded open —
 * an SMS link, images blocked — still counts as a click), suppressed and failed.
 */
export interface ArmMessages {
  arm: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  suppressed: number;
  failed: number;
}

const SENT = `m.status IN ('sent', 'delivered')`;

export async function messageCounts(oltp: OltpStore, campaignId: string): Promise<ArmMessages[]> {
  const rows = await oltp.query<Record<keyof ArmMessages, string | number>>(
    `SELECT arm,
            count(*) FILTER (WHERE ${SENT}) AS sent,
            count(*) FILTER (WHERE m.status = 'delivered') AS delivered,
            count(*) FILTER (WHERE ${SENT} AND m.opened_at IS NOT NULL) AS opened,
            count(*) FILTER (WHERE ${SENT} AND m.clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE m.status = 'suppressed') AS suppressed,
            count(*) FILTER (WHERE m.status = 'failed') AS failed
     FROM campaign_messages AS m WHERE campaign_id = $1 GROUP BY arm ORDER BY arm`,
    [campaignId],
  );
  return rows.map((r) => ({
    arm: String(r.arm), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened),
    clicked: Number(r.clicked), suppressed: Number(r.suppressed), failed: Number(r.failed),
  }));
}

/**
 * The same counts per (group, arm), given each person's groups: the mapping travels as two parallel
 * arrays and is joined inside Postgres, so only the per-group counts come back.
 */
export async function messageCountsByGroup(oltp: OltpStore, campaignId: string, keys: ReadonlyMap<string, readonly string[]>): Promise<(ArmMessages & { key: string })[]> {
  const persons: string[] = [];
  const groups: string[] = [];
  for (const [p, ks] of keys) for (const k of ks) {
    persons.push(p);
    groups.push(k);
  }
  if (!persons.length) return [];
  const rows = await oltp.query<Record<keyof ArmMessages | 'key', string | number>>(
    `WITH g AS (SELECT unnest($2::text[]) AS person_id, unnest($3::text[]) AS key)
     SELECT g.key, m.arm,
            count(*) FILTER (WHERE ${SENT}) AS sent,
            count(*) FILTER (WHERE m.status = 'delivered') AS delivered,
            count(*) FILTER (WHERE ${SENT} AND m.opened_at IS NOT NULL) AS opened,
            count(*) FILTER (WHERE ${SENT} AND m.clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE m.status = 'suppressed') AS suppressed,
            count(*) FILTER (WHERE m.status = 'failed') AS failed
     FROM campaign_messages AS m JOIN g ON g.person_id = m.person_id
     WHERE m.campaign_id = $1 GROUP BY g.key, m.arm`,
    [campaignId, persons, groups],
  );
  return rows.map((r) => ({
    key: String(r.key), arm: String(r.arm), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened),
    clicked: Number(r.clicked), suppressed: Number(r.suppressed), failed: Number(r.failed),
  }));
}
