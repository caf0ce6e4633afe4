import { runPipeline } from '../../ingest/pipeline.ts';
import { loadCandidates, report } from './load.ts';
import { needsProtect, segmentCandidates } from './segmentSql.ts';
import { dropTable, stageLines } from './staging.ts';
import type { ImportContext, Importer, RowError } from './types.ts';

const MAX_MESSAGE_BYTES = 32 * 1024;
const CHUNK = 5000;

/**
 * One Segment message per line (as `huaxiang generate` writes and Segment exports). The engine
 * validates and flattens the bulk; messages with personal data in their traits take the TS pipeline,
 * whose protect step encrypts them. Both paths dedupe by messageId.
 */
export const segmentJsonl: Importer = {
  format: 'segment-jsonl',
  describe: 'Segment messages, one JSON object per line (track, identify, page, screen, alias, group)',
  async run(ctx, file) {
    const started = Date.now();
    const stg = `${ctx.importId}_stg`;
    const total = await stageLines(ctx.olap, file, stg);
    ctx.progress(0, total);
    try {
      const bulk = await loadCandidates(ctx, 'import:segment-jsonl', segmentCandidates(ctx.olap.db, stg), {
        now: ctx.now,
        maxTs: ctx.now + 86_400_000,
        maxBytes: MAX_MESSAGE_BYTES,
      });
      ctx.progress(bulk.rows, total);
      const pii = await protectedPath(ctx, stg, (done) => ctx.progress(bulk.rows + done, total));
      const errors = [...bulk.errors, ...pii.errors].sort((a, b) => a.row - b.row).slice(0, 1000);
      return report(this.format, file, started, {
        rows: bulk.rows + pii.rows,
        imported: bulk.imported + pii.imported,
        duplicates: bulk.duplicates + pii.duplicates,
        rejected: bulk.rejected + pii.rejected,
        errors,
      });
    } finally {
      await dropTable(ctx.olap, stg);
    }
  },
};

async function protectedPath(ctx: ImportContext, stg: string, progress: (done: number) => void) {
  const out = { rows: 0, imported: 0, duplicates: 0, rejected: 0, errors: [] as RowError[] };
  for (let after = 0; ; ) {
    const chunk = await ctx.olap.query<{ row: number; line: string }>(
      `SELECT row, line FROM ${ctx.olap.db}.${stg} WHERE row > {after:UInt64} AND ${needsProtect} ORDER BY row LIMIT {n:UInt32}`,
      { after, n: CHUNK },
    );
    if (chunk.length === 0) return out;
    after = Number(chunk[chunk.length - 1]!.row);
    const result = runPipeline(
      {
        messages: chunk.map((c) => JSON.parse(c.line) as unknown),
        sizes: chunk.map((c) => Buffer.byteLength(c.line)),
        receivedAt: ctx.now,
        requestId: ctx.importId,
        source: 'import:segment-jsonl',
        writeKeyId: 'import',
        maxMessageBytes: MAX_MESSAGE_BYTES,
        maxFutureMs: 86_400_000,
        historical: true,
      },
      ctx.cipher,
    );
    for (const d of result.dead) d.batch_index = Number(chunk[d.batch_index]!.row);
    const written = await ctx.writer.submit(result.rows, result.dead);
    out.rows += chunk.length;
    out.imported += written.stored;
    out.duplicates += written.duplicates;
    out.rejected += result.rejected.length;
    out.errors.push(...result.rejected.map((r) => ({ row: Number(chunk[r.index]!.row), reason: r.path ? `${r.path}: ${r.message}` : r.message })));
    progress(out.rows);
  }
}
