import type { OlapStore } from '../store/olap/index.ts';

/**
 * The tables that materialized views fill from `events` (migrations 005, 008, 009, 011). When retention
 * removes events before a cutoff, it reaches these too, by how each keeps its rows:
 * - `rows`: one row per event, dated by `column` — the rows before the cutoff are removed;
 * - `bucket`: events summed per period (`column` is the period's start, `bucket` the period the cutoff falls
 *   in) — periods wholly before the cutoff are removed, and the cutoff's period is removed and summed again
 *   from the events it still holds;
 * - `earliest`: the earliest event per id (`column`) — ids whose earliest is before the cutoff are removed
 *   and summed again from their events left.
 * A recount runs the view's own SELECT, read from the engine, so it cannot drift from the migration.
 */
export type EventCopy =
  | { table: string; kind: 'rows'; column: string }
  | { table: string; kind: 'bucket'; column: string; view: string; bucket: (cutoff: string) => string }
  | { table: string; kind: 'earliest'; column: string; view: string; key: readonly string[] };

export const EVENT_COPIES: readonly EventCopy[] = [
  { table: 'order_events', kind: 'rows', column: 'timestamp' },
  { table: 'review_events', kind: 'rows', column: 'timestamp' },
  { table: 'segment_event_times', kind: 'rows', column: 'timestamp' },
  { table: 'segment_traits', kind: 'rows', column: 'timestamp' },
  { table: 'behaviour_narrow', kind: 'rows', column: 'timestamp' },
  { table: 'activity_slots', kind: 'bucket', column: 'slot', view: 'activity_slots_mv', bucket: (c) => `toStartOfInterval(${c}, INTERVAL 30 MINUTE)` },
  { table: 'profile_event_summary', kind: 'bucket', column: 'month', view: 'profile_event_summary_mv', bucket: (c) => `toStartOfMonth(${c})` },
  { table: 'person_firsts', kind: 'earliest', column: 'first_seen', view: 'person_firsts_mv', key: ['distinct_id', 'user_id'] },
];

const CUTOFF = `fromUnixTimestamp64Milli({cutoff:Int64}, 'UTC')`;
/** ids recounted per statement for an `earliest` copy (each travels as a parameter) */
const KEYS_PER_STATEMENT = 20_000;

/**
 * Removes from every copy what came from events before `cutoff` (run after those events went).
 * `removeRows` is retention's own removal of a dated table (whole monthly partitions dropped, the rest
 * deleted). Returns rows removed per `rows` copy and buckets or ids recounted per summary.
 */
export async function trimEventCopies(
  olap: OlapStore,
  cutoff: Date,
  removeRows: (table: string, column: string) => Promise<number>,
): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  for (const copy of EVENT_COPIES) {
    if (copy.kind === 'rows') done[copy.table] = await removeRows(copy.table, copy.column);
    else if (copy.kind === 'bucket') done[copy.table] = await recountBucket(olap, copy, cutoff);
    else done[copy.table] = await recountEarliest(olap, copy, cutoff);
  }
  return done;
}

async function recountBucket(olap: OlapStore, copy: Extract<EventCopy, { kind: 'bucket' }>, cutoff: Date): Promise<number> {
  const p = { cutoff: cutoff.getTime() };
  const bucket = copy.bucket(CUTOFF);
  const [n] = await olap.query<{ n: string }>(`SELECT count() AS n FROM ${olap.db}.${copy.table} WHERE ${copy.column} <= ${bucket}`, p);
  if (Number(n?.n ?? 0) === 0) return 0;
  await olap.command(`DELETE FROM ${olap.mutationTarget(copy.table)} WHERE ${copy.column} <= ${bucket}`, p);
  // an event of the cutoff's period stored between the delete and the recount is counted twice (the view
  // adds it and the recount reads it); a cutoff lies in a period only late events still reach
  await olap.command(`${await recountInsert(olap, copy.table, copy.view)} WHERE ${copy.column} = ${bucket}`, p);
  return Number(n!.n);
}

async function recountEarliest(olap: OlapStore, copy: Extract<EventCopy, { kind: 'earliest' }>, cutoff: Date): Promise<number> {
  const key = `[${copy.key.join(', ')}]`;
  const keys = await olap.query<{ k: string[] }>(
    `SELECT ${key} AS k FROM ${olap.db}.${copy.table} GROUP BY ${copy.key.join(', ')} HAVING min(${copy.column}) < ${CUTOFF}`,
    { cutoff: cutoff.getTime() },
  );
  if (keys.length === 0) return 0;
  const insert = await recountInsert(olap, copy.table, copy.view);
  const these = `${key} IN {keys:Array(Array(String))}`;
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
    const p = { keys: keys.slice(i, i + KEYS_PER_STATEMENT).map((r) => r.k) };
    await olap.command(`DELETE FROM ${olap.mutationTarget(copy.table)} WHERE ${these}`, p);
    // a minimum: an event stored meanwhile and read twice changes nothing
    await olap.command(`${insert} WHERE ${these}`, p);
  }
  return keys.length;
}

/**
 * `INSERT INTO table … SELECT … FROM (the view's SELECT)`, to be completed with a `WHERE` on the view's
 * output: what the view yields over the events stored now, for the rows the condition keeps.
 */
async function recountInsert(olap: OlapStore, table: string, view: string): Promise<string> {
  const [v] = await olap.query<{ select: string }>(
    `SELECT as_select AS select FROM system.tables WHERE database = {db:String} AND name = {v:String}`,
    { db: olap.db, v: view },
  );
  if (!v?.select) throw new Error(`retention: the view ${olap.db}.${view} that fills ${table} is missing`);
  // in cluster mode each shard's view reads its local tables; the recount reads the whole cluster
  const select = olap.cluster ? v.select.replace(new RegExp(`\\b${olap.db}\\.(\\w+)_local\\b`, 'g'), `${olap.db}.$1`) : v.select;
  const columns = (await olap.query<{ name: string }>(`DESCRIBE (${select})`)).map((c) => c.name);
  const list = columns.map((c) => `\`${c}\``).join(', ');
  return `INSERT INTO ${olap.db}.${table} (${list}) SELECT ${list} FROM (${select})`;
}
