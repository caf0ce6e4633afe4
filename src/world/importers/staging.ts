import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import type { OlapStore, QueryParams } from '../../store/olap/index.ts';
import { ImportInputError } from './types.ts';

/**
 * A text file as the engine sees it: a table expression of `(row UInt64, line String)`, one row per
 * non-empty line, numbered from 1 as in the file, trailing `\r` removed. Embedded (chdb): the engine
 * reads the file itself each time the expression is used — nothing crosses the JS heap and nothing
 * is copied first. Server: the file is streamed once into a staging table, which the expression reads.
 */
export interface LineSource {
  /** the file's base name, for errors of multi-file sources */
  name: string;
  file: string;
  bytes: number;
  /** the lines numbered from `from` to `to` inclusive (`to` = Infinity for the rest), with the typed parameters it reads */
  range(from: number, to: number): Sql;
  all(): Sql;
  close(): Promise<void>;
}

/** A piece of SQL and the typed parameters it references. */
export interface Sql {
  sql: string;
  params: QueryParams;
}

const LAST_ROW = Number.MAX_SAFE_INTEGER;

let sources = 0;

export async function openLines(
  olap: OlapStore,
  file: string,
  opts: { skipHeader?: boolean; stagingTable: string; /** embedded: stage files larger than this (default 256 MiB) */ stageAbove?: number },
): Promise<LineSource> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ImportInputError(`${file}: no such file`);
  const bytes = fs.statSync(abs).size;
  const first = opts.skipHeader ? 2 : 1;
  // parameter names unique per source, so one query can read several files
  const p = `src${++sources}`;
  const where = `row >= {${p}_from:UInt64} AND row <= {${p}_to:UInt64}`;
  const bounds = (from: number, to: number) => ({
    [`${p}_from`]: Math.max(first, Math.floor(from)),
    [`${p}_to`]: Number.isFinite(to) ? Math.floor(to) : LAST_ROW,
  });
  const base = { name: path.basename(abs), file: abs, bytes };
  if (olap.kind === 'chdb') {
    const sql = `(SELECT toUInt64(_row_number) + 1 AS row,
                   if(row = 1 AND startsWith(l, '\\xEF\\xBB\\xBF'), substring(trimRight(l, '\\r'), 4), trimRight(l, '\\r')) AS line
                  FROM file({${p}:String}, 'LineAsString', 'l String') WHERE ${where} AND line != '')`;
    const range = (from: number, to: number): Sql => ({ sql, params: { [p]: abs, ...bounds(from, to) } });
    if (bytes <= (opts.stageAbove ?? 256 * 1024 * 1024)) return { ...base, range, all: () => range(first, Infinity), close: async () => {} };
    // A text file cannot be entered at a row: each range would read it from the start. A file that
    // will be read in several ranges is copied once into a table ordered by row, read by key after.
    const table = `${olap.db}.${opts.stagingTable}`;
    await olap.command(`CREATE TABLE ${table} (row UInt64, line String) ENGINE = MergeTree ORDER BY row`);
    await olap.command(`INSERT INTO ${table} SELECT row, line FROM ${sql}`, { [p]: abs, ...bounds(first, Infinity) });
    const staged = (from: number, to: number): Sql => ({ sql: `(SELECT row, line FROM ${table} WHERE ${where})`, params: bounds(from, to) });
    return { ...base, range: staged, all: () => staged(first, Infinity), close: () => dropTable(olap, opts.stagingTable) };
  }
  const table = `${olap.db}.${opts.stagingTable}`;
  await olap.command(`CREATE TABLE ${table} (row UInt64, line String) ENGINE = MergeTree ORDER BY row`);
  let row = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(abs), crlfDelay: Infinity });
  const rows = Readable.from(
    (async function* () {
      for await (const raw of rl) {
        row++;
        const line = row === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (row >= first && line !== '') yield { row, line };
      }
    })(),
    { objectMode: true },
  );
  await olap.client.insert({ table, values: rows, format: 'JSONEachRow' });
  const range = (from: number, to: number): Sql => ({ sql: `(SELECT row, line FROM ${table} WHERE ${where})`, params: bounds(from, to) });
  return { ...base, range, all: () => range(first, Infinity), close: () => dropTable(olap, opts.stagingTable) };
}

/**
 * Loads a text file into a staging table `(row UInt64, line String)`, one row per line, numbered from 1.
 * Kept for importers that want a materialised copy; the CSV importers read through `openLines`.
 */
export async function stageLines(olap: OlapStore, file: string, table: string, opts: { skipHeader?: boolean } = {}): Promise<number> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ImportInputError(`${file}: no such file`);
  const lines = await openLines(olap, abs, { skipHeader: opts.skipHeader, stagingTable: `${table}_src` });
  try {
    const src = lines.all();
    await olap.command(`CREATE TABLE ${olap.db}.${table} (row UInt64, line String) ENGINE = MergeTree ORDER BY row`);
    await olap.command(`INSERT INTO ${olap.db}.${table} SELECT row, line FROM ${src.sql}`, src.params);
  } finally {
    await lines.close();
  }
  const [r] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${olap.db}.${table}`);
  return Number(r!.n);
}

export async function dropTable(olap: OlapStore, table: string): Promise<void> {
  await olap.command(`DROP TABLE IF EXISTS ${olap.db}.${table}`);
}

/** The first line of a file split into fields (RFC 4180 quotes), BOM and surrounding blanks removed. */
export function csvHeader(file: string, delimiter = ','): string[] {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const line = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return splitCsvLine(line, delimiter).map((h) => h.trim());
}

/** One CSV record's fields (RFC 4180: `"` quotes, `""` inside quotes). For headers and tests; rows are split by the engine. */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}
