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

const SENT = `status IN ('sent', 'delivered')`;

export async function messageCounts(oltp: OltpStore, campaignId: string): Promise<ArmMessages[]> {
  const rows = await oltp.query<Record<keyof ArmMessages, string | number>>(
    `SELECT arm,
            count(*) FILTER (WHERE ${SENT}) AS sent,
            count(*) FILTER (WHERE status = 'delivered') AS delivered,
            count(*) FILTER (WHERE ${SENT} AND opened_at IS NOT NULL) AS opened,
            count(*) FILTER (WHERE ${SENT} AND clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
            count(*) FILTER (WHERE status = 'failed') AS failed
     FROM campaign_messages WHERE campaign_id = $1 GROUP BY arm ORDER BY arm`,
    [campaignId],
  );
  return rows.map((r) => ({
    arm: String(r.arm), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened),
    clicked: Number(r.clicked), suppressed: Number(r.suppressed), failed: Number(r.failed),
  }));
}

/** Per person and arm, the same counts (for splitting the funnel by group). */
export async function messageCountsByPerson(oltp: OltpStore, campaignId: string): Promise<(ArmMessages & { personId: string })[]> {
  const rows = await oltp.query<Record<keyof ArmMessages | 'person_id', string | number>>(
    `SELECT person_id, arm,
            count(*) FILTER (WHERE ${SENT}) AS sent,
            count(*) FILTER (WHERE status = 'delivered') AS delivered,
            count(*) FILTER (WHERE ${SENT} AND opened_at IS NOT NULL) AS opened,
            count(*) FILTER (WHERE ${SENT} AND clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
            count(*) FILTER (WHERE status = 'failed') AS failed
     FROM campaign_messages WHERE campaign_id = $1 GROUP BY person_id, arm`,
    [campaignId],
  );
  return rows.map((r) => ({
    personId: String(r.person_id), arm: String(r.arm), sent: Number(r.sent), delivered: Number(r.delivered), opened: Number(r.opened),
    clicked: Number(r.clicked), suppressed: Number(r.suppressed), failed: Number(r.failed),
  }));
}
