import type { OlapStore } from '../../store/olap/index.ts';

/**
 * Who a campaign assigned to which arm and when (campaign_assignments, every run), a page at a time in
 * person order: for outside receivers that simulate or reconcile a campaign's audience (the strategy
 * sandbox reads the control group from it — the control gets no message to learn it from).
 */
/** A person's first assignment in the campaign (the unit the results count). */
export interface Assignment {
  runId: string;
  personId: string;
  userId: string;
  arm: string;
  assignedAt: string;
}

export async function assignmentsOf(olap: OlapStore, campaignId: string, opts: { after?: string; limit: number }): Promise<Assignment[]> {
  // a person's first assignment, as the results count them (intent to treat)
  const rows = await olap.query<{ run_id: string; person_id: string; user_id: string; arm: string; at: string | number }>(
    `SELECT person_id, argMin(run_id, assigned_at) AS run_id, argMin(user_id, assigned_at) AS user_id, argMin(arm, assigned_at) AS arm,
            min(toUnixTimestamp64Milli(assigned_at)) AS at
     FROM ${olap.db}.campaign_assignments FINAL
     WHERE campaign_id = {campaign:String} AND person_id > {after:String}
     GROUP BY person_id
     ORDER BY person_id
     LIMIT {limit:UInt32}`,
    { campaign: campaignId, after: opts.after ?? '', limit: opts.limit },
  );
  return rows.map((r) => ({ runId: r.run_id, personId: r.person_id, userId: r.user_id, arm: r.arm, assignedAt: new Date(Number(r.at)).toISOString() }));
}
