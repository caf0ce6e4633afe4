import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Runtime } from '../runtime.ts';
import type { NoiseMarker } from '../privacy/noise.ts';
import { tagCounts } from './aggregates.ts';
import { personalData } from './pii.ts';

/**
 * Exports of profiles, tag values and segment members as CSV, JSON lines or Parquet. ClickHouse writes
 * every format itself, from the safe views (migration 007), so an export carries no personal data; with
 * `includePii` (admins only, audited by the caller) the profiles gain a `pii` column decrypted here.
 * `tag-counts` is an aggregate (people per tag value, aggregates.ts): the minimum group size and, when
 * asked, differential-privacy noise apply to it.
 *
 * Embedded, the engine writes the file directly (`INSERT INTO FUNCTION file(…)`), so a large export never
 * sits in this process's memory; against a ClickHouse server the bytes stream from the server.
 */

export const EXPORT_FORMATS = { csv: 'CSVWithNames', jsonl: 'JSONEachRow', parquet: 'Parquet' } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export type ExportSpec =
  | { kind: 'profiles'; includePii?: boolean }
  | { kind: 'tags'; tag?: string }
  | { kind: 'segment'; segmentId: string }
  | { kind: 'tag-counts'; tag?: string; noise?: boolean };

type Rt = Pick<Runtime, 'olap' | 'keyring' | 'config'>;

/** What an aggregate export left out and the noise it carries (null for per-person exports). */
export interface AggregateNote {
  suppressedGroups: number;
  privacy: NoiseMarker | null;
}

interface Prepared {
  sql: string;
  params: Record<string, unknown>;
  cleanup(): Promise<void>;
  aggregate?: AggregateNote;
}

/** A Memory table (never written to disk) holding rows made here, for ClickHouse to write in any format; dropped by `cleanup`. */
async function memoryTable(rt: Rt, columns: string, rows: readonly object[]): Promise<{ table: string; cleanup: () => Promise<void> }> {
  const db = rt.olap.db;
  const table = `${db}.export_${randomBytes(6).toString('hex')}`;
  await rt.olap.command(`CREATE TABLE ${table} (${columns}) ENGINE = Memory`);
  const cleanup = () => rt.olap.command(`DROP TABLE IF EXISTS ${table}`);
  try {
    for (let i = 0; i < rows.length; i += 50_000) await rt.olap.insert(table.slice(db.length + 1), rows.slice(i, i + 50_000));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { table, cleanup };
}

/** The SELECT of an export; with personal data, a Memory table holding it for the join (dropped after). */
async function prepare(rt: Rt, spec: ExportSpec): Promise<Prepared> {
  const db = rt.olap.db;
  const none = async () => {};
  if (spec.kind === 'tags') {
    return {
      sql: `SELECT tag_code, person_id, value_num, value_str, value_list, value_weights, updated_at FROM ${db}_safe.tags
            WHERE {tag:String} = '' OR tag_code = {tag:String} ORDER BY tag_code, person_id`,
      params: { tag: spec.tag ?? '' },
      cleanup: none,
    };
  }
  if (spec.kind === 'segment') {
    return {
      sql: `SELECT segment_id, person_id, since FROM ${db}_safe.segment_members WHERE segment_id = {id:String} ORDER BY person_id`,
      params: { id: spec.segmentId },
      cleanup: none,
    };
  }
  if (spec.kind === 'tag-counts') {
    // counted (and thresholded) in ClickHouse; noise is added here, so the rows go through a Memory table
    const counts = await tagCounts(rt, spec);
    const t = await memoryTable(rt, 'tag_code String, value String, people UInt64', counts.rows);
    return {
      sql: `SELECT tag_code, value, people FROM ${t.table} ORDER BY tag_code, people DESC, value`,
      params: {},
      cleanup: t.cleanup,
      aggregate: { suppressedGroups: counts.suppressedGroups, privacy: counts.privacy },
    };
  }
  const columns = 'p.person_id AS person_id, p.other_ids AS other_ids, p.first_seen AS first_seen, p.last_seen AS last_seen, p.events AS events, p.orders AS orders, p.traits AS traits, p.tags AS tags, p.segments AS segments';
  if (!spec.includePii) return { sql: `SELECT ${columns} FROM ${db}_safe.profiles AS p ORDER BY person_id`, params: {}, cleanup: none };
  // plain personal data lives only in memory (the Memory engine never writes rows to disk), for this export
  const { table, cleanup } = await memoryTable(rt, 'person_id String, pii String', await personalData(rt));
  return {
    sql: `SELECT ${columns}, if(x.person_id = '', '{}', x.pii) AS pii FROM ${db}_safe.profiles AS p LEFT JOIN ${table} AS x ON x.person_id = p.person_id ORDER BY person_id`,
    params: {},
    cleanup,
  };
}

/** Writes an export to `file` (created mode 0600: with personal data it must not be world-readable). */
export async function exportToFile(rt: Rt, spec: ExportSpec, format: ExportFormat, file: string): Promise<{ bytes: number; aggregate?: AggregateNote }> {
  const target = path.resolve(file);
  const p = await prepare(rt, spec);
  try {
    fs.writeFileSync(target, '', { mode: 0o600 });
    if (rt.olap.kind === 'chdb') {
      await rt.olap.command(`INSERT INTO FUNCTION file({file:String}, {format:String}) ${p.sql} SETTINGS engine_file_truncate_on_insert = 1`, {
        ...p.params,
        file: target,
        format: EXPORT_FORMATS[format],
      });
    } else {
      const r = await rt.olap.client.exec({ query: `${p.sql} FORMAT ${EXPORT_FORMATS[format]}`, query_params: p.params });
      await new Promise<void>((resolve, reject) => r.stream.pipe(fs.createWriteStream(target, { mode: 0o600 })).on('finish', resolve).on('error', reject));
    }
    return { bytes: fs.statSync(target).size, aggregate: p.aggregate };
  } finally {
    await p.cleanup();
  }
}

/**
 * An export as a byte stream for an HTTP response. Embedded, the engine writes a temporary file that is
 * streamed and removed; from a server, the server's response body is passed through.
 */
export async function exportStream(rt: Rt, spec: ExportSpec, format: ExportFormat): Promise<Readable> {
  if (rt.olap.kind !== 'chdb') {
    const p = await prepare(rt, spec);
    try {
      // the Memory table (personal data) must outlive the read: dropped when the stream ends
      const r = await rt.olap.client.exec({ query: `${p.sql} FORMAT ${EXPORT_FORMATS[format]}`, query_params: p.params });
      r.stream.once('close', () => void p.cleanup());
      return r.stream;
    } catch (err) {
      await p.cleanup();
      throw err;
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-export-'));
  const file = path.join(dir, `export.${format}`);
  try {
    await exportToFile(rt, spec, format, file);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stream = fs.createReadStream(file);
  stream.once('close', () => fs.rmSync(dir, { recursive: true, force: true }));
  return stream;
}
