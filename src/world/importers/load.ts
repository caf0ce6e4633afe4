import os from 'node:os';
import { linksOf } from '../../identity/index.ts';
import type { EventRow } from '../../events/index.ts';
import type { QueryParams } from '../../store/olap/index.ts';
import type { LineSource, Sql } from './staging.ts';
import type { ImportContext, ImportReport, RowError } from './types.ts';

export interface CandidateResult {
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: RowError[];
}

export interface LoadOptions {
  /** SQL yielding `items` columns from the candidate table (named by the argument); run once per chunk */
  items?: (cand: string) => Sql;
  /**
   * The message id is derived from the row's text including its time, so an id already stored has the
   * same timestamp: the lookup of stored ids may skip everything outside the candidates' time span.
   */
  idsCarryTime?: boolean;
  /** text per chunk for `loadChunked` (default CHUNK_BYTES); wide candidates (JSON messages) want less */
  chunkBytes?: number;
}

const MAX_REPORTED_ERRORS = 1000;
/**
 * How bulk inserts into MergeTree run: rows are unique by message id already, so the engine's insert-time
 * dedupe would only repeat that work (it was most of the insert's cost); blocks of 256 Ki rows sort in
 * cache and go to parallel sinks (measured: about twice the rate of the default 1 Mi-row single sink on
 * two cores). More, smaller parts result; the engine merges them in the background.
 */
const BULK_INSERT = `SETTINGS optimize_on_insert = 0, max_insert_threads = {insertThreads:UInt32},
  min_insert_block_size_rows = 262144, max_insert_block_size = 262144`;
const insertThreads = Math.max(1, Math.min(8, os.availableParallelism()));
/** a chunk of a large row-wise file: bounds the memory the candidate table takes */
const CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Turns a SELECT of candidate events into stored events. The SELECT yields columns named as in
 * `events` (any subset; the rest take their defaults) plus `row` (source row number), `error`
 * ('' when valid, else the reason naming the field), `payload` (the source row, for dead letters) and,
 * for multi-file sources, `file`. Valid rows are stored once per messageId (first in the file wins;
 * ids already stored are skipped, so a re-import adds nothing); invalid ones go to `dead_letters`
 * with their row number. `rows` counts candidates: an importer that groups lines into one event
 * reports its own line count.
 */
export async function loadCandidates(ctx: ImportContext, source: string, select: string, params: QueryParams = {}, opts: LoadOptions = {}): Promise<CandidateResult & { items: number }> {
  const itemsBefore = opts.items ? await countItems(ctx) : 0;
  const r = await loadChunk(ctx, source, select, params, opts, MAX_REPORTED_ERRORS);
  return { ...r, items: opts.items ? (await countItems(ctx)) - itemsBefore : 0 };
}

/**
 * `loadCandidates` over a line source, in row ranges of about CHUNK_BYTES of text, for importers whose
 * candidates are one per line (a message id never spans two chunks' decisions: a later chunk sees the
 * earlier one's rows as already stored).
 */
export async function loadChunked(
  ctx: ImportContext,
  source: string,
  lines: LineSource,
  select: (from: string) => string,
  params: QueryParams = {},
  opts: LoadOptions = {},
): Promise<CandidateResult & { items: number }> {
  const itemsBefore = opts.items ? await countItems(ctx) : 0;
  const total: CandidateResult = { rows: 0, imported: 0, duplicates: 0, rejected: 0, errors: [] };
  const chunkRows = Number(ctx.options['chunk-rows'] ?? 0) || (await rowsPerChunk(ctx, lines, opts.chunkBytes ?? CHUNK_BYTES));
  const lastRow = chunkRows === Infinity ? Infinity : await lastRowOf(ctx, lines);
  ctx.progress(0, Number.isFinite(lastRow) ? lastRow : undefined);
  for (let from = 1; from <= lastRow; from += chunkRows) {
    const to = Number.isFinite(chunkRows) ? from + chunkRows - 1 : Infinity;
    const src = lines.range(from, to);
    const r = await loadChunk(ctx, source, select(src.sql), { ...params, ...src.params }, opts, MAX_REPORTED_ERRORS - total.errors.length);
    total.rows += r.rows;
    total.imported += r.imported;
    total.duplicates += r.duplicates;
    total.rejected += r.rejected;
    total.errors.push(...r.errors);
    ctx.progress(Math.min(to, lastRow), Number.isFinite(lastRow) ? lastRow : total.rows);
    if (!Number.isFinite(to)) break;
  }
  return { ...total, items: opts.items ? (await countItems(ctx)) - itemsBefore : 0 };
}

/** Infinity (one chunk) for files below CHUNK_BYTES; else rows per chunk from the average line length. */
async function rowsPerChunk(ctx: ImportContext, lines: LineSource, chunkBytes: number): Promise<number> {
  if (lines.bytes <= chunkBytes) return Infinity;
  const src = lines.range(1, 100_000);
  const [r] = await ctx.olap.query<{ n: number; bytes: number }>(`SELECT count() AS n, sum(length(line) + 1) AS bytes FROM ${src.sql}`, src.params);
  const avg = Math.max(1, Number(r!.bytes) / Math.max(1, Number(r!.n)));
  return Math.max(50_000, Math.floor(chunkBytes / avg));
}

async function lastRowOf(ctx: ImportContext, lines: LineSource): Promise<number> {
  const src = lines.all();
  const [r] = await ctx.olap.query<{ last: number }>(`SELECT max(row) AS last FROM ${src.sql}`, src.params);
  return Number(r!.last);
}

async function loadChunk(
  ctx: ImportContext,
  source: string,
  select: string,
  params: QueryParams,
  opts: LoadOptions,
  errorBudget: number,
): Promise<CandidateResult> {
  const { olap } = ctx;
  const db = olap.db;
  const cand = `${ctx.importId}_cand`;
  const dup = `${ctx.importId}_dup`;
  const seen = `${ctx.importId}_seen`;
  const phase = phaseTimer(ctx);
  try {
    // Memory: the candidates are read four or five times and dropped, never merged or kept
    await olap.command(`CREATE TABLE ${db}.${cand} ENGINE = Memory AS ${select}`, params);
    phase('candidates');
    const has = new Set(
      (await olap.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = {db:String} AND table = {cand:String}`, { db, cand })).map((c) => c.name),
    );
    const stored = await olap.query<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = {db:String} AND table = 'events' ORDER BY position`,
      { db },
    );
    const list = stored.map((c) => c.name).filter((n) => has.has(n)).join(', ');
    const span = opts.idsCarryTime && has.has('timestamp');
    const [counts] = await olap.query<{ rows: number; invalid: number; hashes: number; events: number; lo: number; hi: number }>(
      // hashes count fast; equal counts prove the ids distinct, and fewer send us to the exact check
      `SELECT count() AS rows, countIf(error != '') AS invalid, uniqExactIf(cityHash64(message_id), error = '') AS hashes,
              (SELECT count() FROM ${db}.events) AS events,
              ${span ? `toUnixTimestamp64Milli(minIf(timestamp, error = ''))` : '0'} AS lo, ${span ? `toUnixTimestamp64Milli(maxIf(timestamp, error = ''))` : '0'} AS hi
       FROM ${db}.${cand}`,
    );
    phase('count');
    const rows = Number(counts!.rows);
    const invalid = Number(counts!.invalid);
    let ids = rows - invalid;
    const conditions = [`error = ''`];
    // the same message id twice in the file: the first row wins
    if (Number(counts!.hashes) < ids) {
      await olap.command(
        `CREATE TABLE ${db}.${dup} ENGINE = Memory AS
         SELECT message_id, min(row) AS first, count() AS n FROM ${db}.${cand} WHERE error = '' GROUP BY message_id HAVING n > 1`,
      );
      const [d] = await olap.query<{ extra: number }>(`SELECT sum(n - 1) AS extra FROM ${db}.${dup}`);
      ids -= Number(d!.extra);
      conditions.push(`(message_id NOT IN (SELECT message_id FROM ${db}.${dup}) OR (message_id, row) IN (SELECT message_id, first FROM ${db}.${dup}))`);
      phase('dedupe_file');
    }
    // ids stored before (a re-import, or an earlier chunk): looked up within the candidates' own people
    // (and time span, when the id fixes the time), where the sorting key and the monthly partitions let
    // the engine skip everything else; an empty store needs no lookup at all
    let storedBefore = 0;
    const inSpan = async () => {
      if (!span) return true;
      const [n] = await olap.query<{ n: number }>(
        `SELECT count() AS n FROM ${db}.events WHERE timestamp BETWEEN fromUnixTimestamp64Milli({lo:Int64}) AND fromUnixTimestamp64Milli({hi:Int64})`,
        { lo: Number(counts!.lo), hi: Number(counts!.hi) },
      );
      return Number(n!.n) > 0;
    };
    if (Number(counts!.events) > 0 && ids > 0 && (await inSpan())) {
      const byPerson = has.has('distinct_id') ? `distinct_id IN (SELECT distinct_id FROM ${db}.${cand} WHERE error = '') AND ` : '';
      const byTime = span ? `timestamp BETWEEN fromUnixTimestamp64Milli({lo:Int64}) AND fromUnixTimestamp64Milli({hi:Int64}) AND ` : '';
      await olap.command(
        `CREATE TABLE ${db}.${seen} ENGINE = Memory AS
         SELECT DISTINCT message_id FROM ${db}.events
         WHERE ${byPerson}${byTime}message_id IN (SELECT message_id FROM ${db}.${cand} WHERE error = '')`,
        { lo: Number(counts!.lo), hi: Number(counts!.hi) },
      );
      const [s] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${db}.${seen}`);
      storedBefore = Number(s!.n);
      if (storedBefore > 0) conditions.push(`message_id NOT IN (SELECT message_id FROM ${db}.${seen})`);
      phase('dedupe_stored');
    }
    if (ids > storedBefore) {
      await olap.command(
        `INSERT INTO ${db}.events (${list}) SELECT ${list} FROM ${db}.${cand} WHERE ${conditions.join(' AND ')}
         ${BULK_INSERT}`,
        { insertThreads },
      );
      phase('insert');
      await applyIdentity(ctx, cand, has);
      phase('identity');
    }
    if (invalid > 0) {
      const details = has.has('file') ? `map('row', toString(row), 'file', file)` : `map('row', toString(row))`;
      await olap.command(
        `INSERT INTO ${db}.dead_letters (received_at, request_id, source, batch_index, message_id, reason, details, payload)
         SELECT fromUnixTimestamp64Milli({now:Int64}), {importId:String}, {source:String}, toInt32(row), message_id,
                ${has.has('file') ? `concat(file, ': ', error)` : 'error'}, toJSONString(${details}), payload
         FROM ${db}.${cand} WHERE error != ''`,
        { now: ctx.now, importId: ctx.importId, source },
      );
      phase('dead_letters');
    }
    if (opts.items) {
      const items = opts.items(`${db}.${cand}`);
      await insertItems(ctx, items.sql, items.params);
      phase('items');
    }
    const errors =
      invalid > 0 && errorBudget > 0
        ? await olap.query<{ row: number; error: string; file?: string }>(
            `SELECT row, error${has.has('file') ? ', file' : ''} FROM ${db}.${cand} WHERE error != '' ORDER BY ${has.has('file') ? 'file, ' : ''}row LIMIT {n:UInt32}`,
            { n: errorBudget },
          )
        : [];
    const imported = ids - storedBefore;
    return {
      rows,
      imported,
      duplicates: rows - invalid - imported,
      rejected: invalid,
      errors: errors.map((e) => (e.file ? { file: e.file, row: Number(e.row), reason: e.error } : { row: Number(e.row), reason: e.error })),
    };
  } finally {
    for (const t of [cand, dup, seen]) await olap.command(`DROP TABLE IF EXISTS ${db}.${t}`);
  }
}

/**
 * Identity links of the imported rows: one per distinct (anonymousId, userId) pair, applied in chunks.
 * A row carrying only its userId (or only an anonymousId) links nothing: every read resolves an id
 * with no identity row to itself, so bulk imports of known customers cost the graph nothing.
 */
async function applyIdentity(ctx: ImportContext, cand: string, has: Set<string>): Promise<void> {
  if (!has.has('user_id') || !(has.has('anonymous_id') || has.has('previous_id'))) return;
  const col = (c: string) => (has.has(c) ? c : `'' AS ${c}`);
  const pairs = await ctx.olap.query<Pick<EventRow, 'type' | 'anonymous_id' | 'user_id' | 'previous_id' | 'message_id'>>(
    `SELECT ${col('type')}, ${col('anonymous_id')}, user_id, ${col('previous_id')}, min(message_id) AS message_id
     FROM ${ctx.olap.db}.${cand}
     WHERE error = '' AND user_id != '' AND ((anonymous_id != '' AND anonymous_id != user_id) OR (type = 'alias' AND previous_id != ''))
     GROUP BY type, anonymous_id, user_id, previous_id ORDER BY min(row)`,
  );
  const links = pairs.flatMap((p) => linksOf(p as EventRow));
  for (let i = 0; i < links.length; i += 5000) await ctx.identity.apply(links.slice(i, i + 5000));
}

/** Logs each step's seconds at debug level (the import benchmark reads them to say where time goes). */
export function phaseTimer(ctx: Pick<ImportContext, 'log' | 'importId'>): (name: string) => void {
  let t = performance.now();
  return (name) => {
    const now = performance.now();
    ctx.log.debug({ importId: ctx.importId, phase: name, seconds: (now - t) / 1000 }, 'import phase');
    t = now;
  };
}

async function countItems(ctx: ImportContext): Promise<number> {
  const [r] = await ctx.olap.query<{ n: number }>(`SELECT uniqExact(item_id) AS n FROM ${ctx.olap.db}.items`);
  return Number(r!.n);
}

const ITEM_COLUMNS = 'item_id, title, title_en, category, category_id, brand, price, currency, attributes, source, updated_at';

async function insertItems(ctx: ImportContext, select: string, params: QueryParams): Promise<void> {
  await ctx.olap.command(`INSERT INTO ${ctx.olap.db}.items (${ITEM_COLUMNS}) ${select} ${BULK_INSERT}`, { ...params, insertThreads });
}

/** Upserts catalog rows from a SELECT yielding `items` columns; returns how many items are new. */
export async function upsertItems(ctx: ImportContext, select: string, params: QueryParams = {}): Promise<number> {
  const before = await countItems(ctx);
  await insertItems(ctx, select, params);
  return (await countItems(ctx)) - before;
}

export function report(format: string, source: string, started: number, r: CandidateResult, items = 0): ImportReport {
  return { format, source, rows: r.rows, imported: r.imported, duplicates: r.duplicates, rejected: r.rejected, errors: r.errors, items, seconds: (Date.now() - started) / 1000 };
}
