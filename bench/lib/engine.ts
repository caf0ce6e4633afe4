// Case (a): the raw engine insert rate through the store port, in this process, for rows the real
// pipeline builds from the same synthetic bodies the HTTP cases send.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runPipeline } from '../../src/ingest/index.ts';
import type { PiiCipher } from '../../src/ingest/steps/protect.ts';
import type { EventRow } from '../../src/events/index.ts';
import { deriveKey, pseudonym, seal } from '../../src/privacy/crypto.ts';
import { OlapStore } from '../../src/store/olap/index.ts';
import { stamp, type Synth } from './synth.ts';

/** The Keyring's cipher without a transactional store: same algorithms, a throw-away key. */
export function benchCipher(): PiiCipher {
  const dataKey = randomBytes(32);
  const enc = deriveKey(dataKey, 'pii-encrypt');
  const mat = deriveKey(dataKey, 'pii-match');
  return {
    encrypt: (v) => `v1:dk_bench:${seal(enc, v)}`,
    match: (v) => pseudonym(mat, v),
  };
}

export interface EngineResult {
  rows: number;
  chunkRows: number;
  insertSeconds: number;
  rowsPerSec: number;
  /** in-process CPU cost per event of the steps the server runs before the insert */
  parseUsPerEvent: number;
  pipelineUsPerEvent: number;
  stringifyUsPerRow: number;
  /** the writer's messageId check (`newRows`) against the filled table */
  dedupe: { tableRows: number; ids: number; ms: number }[];
}

const us = (ns: bigint, n: number) => Math.round((Number(ns) / 1e3 / n) * 100) / 100;

/** Rows for `count` requests' worth of batch bodies, through JSON.parse + runPipeline, with timings. */
function buildRows(synth: Synth, firstSeq: number, requests: number, cipher: PiiCipher, t: { parse: bigint; pipeline: bigint }): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = 0; i < requests; i++) {
    const seq = firstSeq + i;
    const body = stamp(synth.batch[seq % synth.batch.length]!, seq);
    const a = process.hrtime.bigint();
    const env = JSON.parse(body.toString('utf8')) as { batch: unknown[]; sentAt: string };
    const b = process.hrtime.bigint();
    const out = runPipeline(
      {
        messages: env.batch,
        receivedAt: Date.now(),
        batchSentAt: Date.parse(env.sentAt),
        requestId: `bench-${seq}`,
        source: 'http',
        writeKeyId: 'wk_bench',
        maxMessageBytes: 32 * 1024,
        maxFutureMs: 24 * 3600 * 1000,
      },
      cipher,
    );
    const c = process.hrtime.bigint();
    t.parse += b - a;
    t.pipeline += c - b;
    if (out.rejected.length) throw new Error(`synthetic message rejected: ${JSON.stringify(out.rejected[0])}`);
    for (const r of out.rows) rows.push(r);
  }
  return rows;
}

export async function engineInsert(synth: Synth, opts: { dataDir: string; rows: number; chunkRows: number }): Promise<EngineResult> {
  const olap = await OlapStore.open({ database: 'huaxiang', path: path.join(opts.dataDir, 'clickhouse') });
  try {
    const cipher = benchCipher();
    const perChunk = Math.max(1, Math.round(opts.chunkRows / synth.batchSize));
    const chunks = Math.max(1, Math.round(opts.rows / (perChunk * synth.batchSize)));
    const t = { parse: 0n, pipeline: 0n };
    let stringify = 0n;
    let insert = 0n;
    let rows = 0;
    let seq = 0;
    let lastChunk: EventRow[] = [];
    // one untimed chunk first: the engine's first insert creates parts/partition structures
    await olap.insert('events', buildRows(synth, 1e9, perChunk, cipher, { parse: 0n, pipeline: 0n }));
    for (let c = 0; c < chunks; c++) {
      const chunk = buildRows(synth, seq, perChunk, cipher, t);
      seq += perChunk;
      const s0 = process.hrtime.bigint();
      let bytes = 0;
      for (const r of chunk) bytes += JSON.stringify(r).length;
      const s1 = process.hrtime.bigint();
      stringify += s1 - s0;
      if (bytes === 0) throw new Error('empty rows');
      const i0 = process.hrtime.bigint();
      await olap.insert('events', chunk);
      insert += process.hrtime.bigint() - i0;
      rows += chunk.length;
      lastChunk = chunk;
    }
    const insertSeconds = Number(insert) / 1e9;

    const dedupe: EngineResult['dedupe'] = [];
    const [{ n: tableRows } = { n: 0 }] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${olap.db}.events`);
    const fresh = buildRows(synth, seq + 1e6, Math.ceil(20_000 / synth.batchSize), cipher, { parse: 0n, pipeline: 0n }).map((r) => r.message_id);
    const dedupeSql = `SELECT message_id FROM ${olap.db}.events WHERE message_id IN {ids:Array(String)}`;
    await olap.query(dedupeSql, { ids: fresh.slice(0, 10) }); // first read of the table's index and marks: not timed
    for (const n of [100, 1000, 5000, 20_000]) {
      // half of the ids already stored (the retry case), half new; median of 3
      const ids = [...lastChunk.slice(0, n / 2).map((r) => r.message_id), ...fresh.slice(0, n - n / 2)];
      const times: number[] = [];
      for (let k = 0; k < 3; k++) {
        const d0 = process.hrtime.bigint();
        const found = await olap.query<{ message_id: string }>(dedupeSql, { ids });
        times.push(Number(process.hrtime.bigint() - d0) / 1e6);
        if (found.length !== n / 2) throw new Error(`dedupe query found ${found.length} of ${n / 2} stored ids`);
      }
      dedupe.push({ tableRows: Number(tableRows), ids: n, ms: Math.round(times.sort((a, b) => a - b)[1]! * 10) / 10 });
    }
    return {
      rows,
      chunkRows: perChunk * synth.batchSize,
      insertSeconds: Math.round(insertSeconds * 1000) / 1000,
      rowsPerSec: Math.round(rows / insertSeconds),
      parseUsPerEvent: us(t.parse, rows),
      pipelineUsPerEvent: us(t.pipeline, rows),
      stringifyUsPerRow: us(stringify, rows),
      dedupe,
    };
  } finally {
    await olap.close();
  }
}
