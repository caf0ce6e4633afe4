import { linksOf } from '../../identity/index.ts';
import type { EventRow } from '../../events/index.ts';
import type { QueryParams } from '../../store/olap/index.ts';
import type { ImportContext, ImportReport, RowError } from './types.ts';

export interface CandidateResult {
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: RowError[];
}

const MAX_REPORTED_ERRORS = 1000;

/**
 * Turns a SELECT of candidate events into stored events. The SELECT yields columns named as in
 * `events` (any subset; the rest take their defaults) plus `row` (source row number), `error`
 * ('' when valid, else the reason naming the field) and `payload` (the source row, for dead letters).
 * Valid rows are stored once per messageId (first in the file wins; ids already stored are skipped,
 * so a re-import adds nothing); invalid ones go to `dead_letters` with their row number.
 */
export async function loadCandidates(ctx: ImportContext, source: string, select: string, params: QueryParams = {}): Promise<CandidateResult> {
  const { olap } = ctx;
  const db = olap.db;
  const cand = `${ctx.importId}_cand`;
  await olap.command(`CREATE TABLE ${db}.${cand} ENGINE = MergeTree ORDER BY row AS ${select}`, params);
  try {
    // the columns the shared steps read, for importers whose SELECT leaves some out
    await olap.command(
      `ALTER TABLE ${db}.${cand} ${['type', 'anonymous_id', 'user_id', 'previous_id'].map((c) => `ADD COLUMN IF NOT EXISTS ${c} String`).join(', ')}`,
    );
    const cols = await olap.query<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = {db:String} AND table = 'events'
       AND name IN (SELECT name FROM system.columns WHERE database = {db:String} AND table = {cand:String}) ORDER BY position`,
      { db, cand },
    );
    const list = cols.map((c) => c.name).join(', ');
    const [counts] = await olap.query<{ rows: number; invalid: number; valid_ids: number; stored_before: number }>(
      `SELECT count() AS rows, countIf(error != '') AS invalid,
              uniqExactIf(message_id, error = '') AS valid_ids,
              (SELECT uniqExact(message_id) FROM ${db}.events WHERE message_id IN (SELECT message_id FROM ${db}.${cand} WHERE error = '')) AS stored_before
       FROM ${db}.${cand}`,
    );
    await olap.command(
      `INSERT INTO ${db}.dead_letters (received_at, request_id, source, batch_index, message_id, reason, details, payload)
       SELECT fromUnixTimestamp64Milli({now:Int64}), {importId:String}, {source:String}, toInt32(row), message_id, error,
              toJSONString(map('row', toString(row))), payload
       FROM ${db}.${cand} WHERE error != ''`,
      { now: ctx.now, importId: ctx.importId, source },
    );
    await olap.command(
      `INSERT INTO ${db}.events (${list})
       SELECT ${list} FROM ${db}.${cand}
       WHERE error = '' AND message_id NOT IN (SELECT message_id FROM ${db}.events WHERE message_id IN (SELECT message_id FROM ${db}.${cand} WHERE error = ''))
       ORDER BY row LIMIT 1 BY message_id`,
    );
    await applyIdentity(ctx, cand);
    const errors = await olap.query<{ row: number; error: string }>(
      `SELECT row, error FROM ${db}.${cand} WHERE error != '' ORDER BY row LIMIT {n:UInt32}`,
      { n: MAX_REPORTED_ERRORS },
    );
    const rows = Number(counts!.rows);
    const invalid = Number(counts!.invalid);
    const imported = Number(counts!.valid_ids) - Number(counts!.stored_before);
    return {
      rows,
      imported,
      duplicates: rows - invalid - imported,
      rejected: invalid,
      errors: errors.map((e) => ({ row: Number(e.row), reason: e.error })),
    };
  } finally {
    await olap.command(`DROP TABLE IF EXISTS ${db}.${cand}`);
  }
}

/** Identity links of the imported rows: compact (one row per distinct id pair), applied in chunks. */
async function applyIdentity(ctx: ImportContext, cand: string): Promise<void> {
  const pairs = await ctx.olap.query<Pick<EventRow, 'type' | 'anonymous_id' | 'user_id' | 'previous_id' | 'message_id'>>(
    `SELECT type, anonymous_id, user_id, previous_id, min(message_id) AS message_id
     FROM ${ctx.olap.db}.${cand} WHERE error = '' AND user_id != ''
     GROUP BY type, anonymous_id, user_id, previous_id ORDER BY min(row)`,
  );
  const links = pairs.flatMap((p) => linksOf(p as EventRow));
  for (let i = 0; i < links.length; i += 5000) await ctx.identity.apply(links.slice(i, i + 5000));
}

/** Upserts catalog rows from a SELECT yielding `items` columns; returns how many items are new. */
export async function upsertItems(ctx: ImportContext, select: string, params: QueryParams = {}): Promise<number> {
  const db = ctx.olap.db;
  const count = `SELECT uniqExact(item_id) AS n FROM ${db}.items`;
  const before = await ctx.olap.query<{ n: number }>(count);
  await ctx.olap.command(`INSERT INTO ${db}.items (item_id, title, title_en, category, category_id, brand, price, currency, attributes, source, updated_at) ${select}`, params);
  const after = await ctx.olap.query<{ n: number }>(count);
  return Number(after[0]!.n) - Number(before[0]!.n);
}

export function report(format: string, source: string, started: number, r: CandidateResult, items = 0): ImportReport {
  return { format, source, ...r, items, seconds: (Date.now() - started) / 1000 };
}
