import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { Segment, SegmentStore } from './store.ts';

export interface Change {
  entered: string[];
  exited: string[];
  size: number;
}

/**
 * Applies a newly computed member list to a segment: writes entries and exits (segment_members,
 * segment_changes), records the size, and queues the webhook. With `among`, only those people were
 * evaluated, so only they can enter or leave.
 */
export async function applyMembers(
  d: { olap: OlapStore; oltp: OltpStore; store: SegmentStore; onChange?: (segmentId: string, change: Change) => void },
  seg: Segment,
  next: readonly string[],
  among: readonly string[] | null,
  source: string,
): Promise<Change> {
  const db = d.olap.db;
  const current = new Set(
    (await d.olap.query<{ person_id: string }>(
      among
        ? `SELECT person_id FROM ${db}.segment_members WHERE segment_id = {s:String} AND person_id IN {among:Array(String)}
           GROUP BY person_id HAVING argMax(is_member, version) = 1`
        : `SELECT person_id FROM ${db}.segment_members FINAL WHERE segment_id = {s:String} AND is_member = 1`,
      { s: seg.id, among: among ?? [] },
    )).map((r) => r.person_id),
  );
  const nextSet = new Set(next);
  const entered = [...nextSet].filter((p) => !current.has(p));
  const exited = [...current].filter((p) => !nextSet.has(p));
  const size = among ? Math.max(0, seg.size + entered.length - exited.length) : nextSet.size;
  if (entered.length || exited.length) {
    const version = Date.now();
    const at = new Date(version).toISOString().replace('T', ' ').replace('Z', '');
    const rows = [...entered.map((p) => [p, 1] as const), ...exited.map((p) => [p, 0] as const)];
    await d.olap.insert('segment_members', rows.map(([p, m]) => ({ segment_id: seg.id, person_id: p, is_member: m, version, changed_at: at })));
    await d.olap.insert('segment_changes', rows.map(([p, m]) => ({ segment_id: seg.id, person_id: p, change: m ? 'entered' : 'exited', at, source })));
    const hook = await d.store.webhookOf(seg.id);
    if (hook) await queueWebhook(d.oltp, seg, hook.url, entered, exited);
  }
  if (entered.length || exited.length || !among) await d.store.recordSize(seg.id, size, entered.length, exited.length, source);
  if (entered.length || exited.length) d.onChange?.(seg.id, { entered, exited, size });
  return { entered, exited, size };
}

/** One delivery per change kind, in chunks of 1000 people. */
async function queueWebhook(oltp: OltpStore, seg: Segment, url: string, entered: string[], exited: string[]): Promise<void> {
  const at = new Date().toISOString();
  for (const [change, ids] of [['entered', entered], ['exited', exited]] as const) {
    for (let i = 0; i < ids.length; i += 1000) {
      const body = JSON.stringify({ type: `segment.${change}`, segmentId: seg.id, segmentName: seg.name, userIds: ids.slice(i, i + 1000), at });
      await oltp.query('INSERT INTO webhook_deliveries (segment_id, url, body) VALUES ($1, $2, $3)', [seg.id, url, body]);
    }
  }
}
