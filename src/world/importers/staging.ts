import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import type { OlapStore } from '../../store/olap/index.ts';

/**
 * Loads a text file into a staging table `(row UInt64, line String)`, one row per line, numbered from 1.
 * Embedded: the engine reads the file itself (no row crosses the JS heap). Server: the file is streamed.
 */
export async function stageLines(olap: OlapStore, file: string, table: string, opts: { skipHeader?: boolean } = {}): Promise<number> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new Error(`${file}: no such file`);
  await olap.command(`CREATE TABLE ${olap.db}.${table} (row UInt64, line String) ENGINE = MergeTree ORDER BY row`);
  const first = opts.skipHeader ? 2 : 1;
  if (olap.kind === 'chdb') {
    await olap.command(
      `INSERT INTO ${olap.db}.${table} SELECT _row_number + 1 AS row, line FROM file({path:String}, 'LineAsString')
       WHERE row >= {first:UInt64} AND line != ''`,
      { path: abs, first },
    );
  } else {
    let row = 0;
    const rl = readline.createInterface({ input: fs.createReadStream(abs), crlfDelay: Infinity });
    const rows = Readable.from(
      (async function* () {
        for await (const line of rl) {
          row++;
          if (row >= first && line !== '') yield { row, line };
        }
      })(),
      { objectMode: true },
    );
    await olap.client.insert({ table: `${olap.db}.${table}`, values: rows, format: 'JSONEachRow' });
  }
  const [r] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${olap.db}.${table}`);
  return Number(r!.n);
}

export async function dropTable(olap: OlapStore, table: string): Promise<void> {
  await olap.command(`DROP TABLE IF EXISTS ${olap.db}.${table}`);
}

/** Splits a CSV line into fields (RFC 4180 quotes) — only for the header; rows are parsed by the engine. */
export function csvHeader(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const line = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
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
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out.map((h) => h.trim());
}
