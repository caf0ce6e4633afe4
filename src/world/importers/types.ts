import type { Logger } from 'pino';
import type { IdentityGraph } from '../../identity/index.ts';
import type { BatchingWriter } from '../../ingest/index.ts';
import type { PiiCipher } from '../../ingest/steps/protect.ts';
import type { OlapStore } from '../../store/olap/index.ts';

export interface RowError {
  /** 1-based row (line) number in the source file; for multi-file sources, prefixed by the file name */
  row: number;
  file?: string;
  reason: string;
}

export interface ImportReport {
  format: string;
  source: string;
  /** rows read from the source */
  rows: number;
  /** events stored now */
  imported: number;
  /** events already stored (re-import, or repeated inside the file) */
  duplicates: number;
  /** rows rejected, each with its row number and reason (all of them are also in dead_letters) */
  rejected: number;
  errors: RowError[];
  /** items new to the catalog (known ones are updated in place) */
  items: number;
  seconds: number;
}

export interface ImportContext {
  olap: OlapStore;
  identity: IdentityGraph;
  cipher: PiiCipher;
  writer: BatchingWriter;
  log: Logger;
  /** unique per run; names staging tables and dead letters */
  importId: string;
  /** wall clock at the start of the run, ms */
  now: number;
  /** reports progress: rows done so far, of total when known */
  progress(done: number, total?: number): void;
  /** extra per-format options (e.g. the mapping file of `csv`) */
  options: Record<string, string | undefined>;
}

export interface Importer {
  format: string;
  /** one line for `huaxiang import --help` */
  describe: string;
  run(ctx: ImportContext, source: string): Promise<ImportReport>;
}

/**
 * The input cannot be imported at all (wrong header, bad mapping, missing file of a directory source):
 * a one-line reason for the user, not a crash. Row-level problems are RowErrors instead.
 */
export class ImportInputError extends Error {
  override name = 'ImportInputError';
  constructor(message: string) {
    super(message);
    // not a bug: where it was thrown from helps nobody, and whoever prints the stack prints one line
    this.stack = message;
  }
}
