import { runPipeline } from '../../ingest/pipeline.ts';
import { loadChunked, report } from './load.ts';
import { needsProtect, segmentCandidates } from './segmentSql.ts';
import { openLines, type LineSource } from './staging.ts';
import type { ImportContext, Importer, RowError } from './types.ts';

const MAX_MESSAGE_BYTES = 32 * 1024;
const CHUNK = 5000;
/**
 * Text per engine pass. A message's candidate row holds the line, its parsed maps and the flattened
 * columns (about 4× the text while it is built), so chunks stay small enough for a 4 GB budget.
 */
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * One Segment message per line (as `huaxiang generate` writes and Segment exports). The engine
 * validates and flattens the bulk; messages that may carry personal data (named traits, configured
 * fields, or text that looks like a phone, ID number, e-mail or address anywhere) take the TS pipeline,
 * whose protect step encrypts, masks or drops it. Both paths dedupe by messageId.
 */
export const segmentJsonl: Importer = {
  format: 'segment-jsonl',
  describe: 'Segment messages, one JSON object per line (track, identify, page, screen, alias, group)',
  async run(ctx, file) {
    const started = Date.now();
    // the engine reads the file in row ranges, so memory stays bounded whatever its size
    const lines = await openLines(ctx.olap, file, { stagingTable: `${ctx.importId}_stg`, stageAbove: CHUNK_BYTES });
    try {
      const bulk = await loadChunked(ctx, 'import:segment-jsonl', lines, (from) => segmentCandidates(from), {
        now: ctx.now,
        maxTs: ctx.now + 86_400_000,
        maxBytes: MAX_MESSAGE_BYTES,
      }, { chunkBytes: CHUNK_BYTES });
      const pii = await protectedPath(ctx, lines, (done) => ctx.progress(bulk.rows + done));
      const errors = [...bulk.errors, ...pii.errors].sort((a, b) => a.row - b.row).slice(0, 1000);
      return report(this.format, file, started, {
        rows: bulk.rows + pii.rows,
        imported: bulk.imported + pii.imported,
        duplicates: bulk.duplicates + pii.duplicates,
        rejected: bulk.rejected + pii.rejected,
        errors,
      });
    } finally {
      await lines.close();
    }
  },
};

async function protectedPath(ctx: ImportContext, lines: LineSource, progress: (done: number) => void) {
  const src = lines.all();
  const out = { rows: 0, imported: 0, duplicates: 0, rejected: 0, errors: [] as RowError[] };
  // one read of the file: these messages are the few that may carry PII (sign-ups, profile updates, free text)
  const all = await ctx.olap.query<{ row: number; line: string }>(`SELECT row, line FROM ${src.sql} WHERE ${needsProtect()} ORDER BY row`, src.params);
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK);
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
  return out;
}
