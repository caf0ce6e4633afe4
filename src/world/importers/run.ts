import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime.ts';
import { importers } from './index.ts';
import type { ImportReport } from './types.ts';

export class UnknownFormatError extends Error {
  override name = 'UnknownFormatError';
}

/** Runs one import inside an opened runtime (the CLI's own, or the server's when it holds the data dir). */
export async function runImport(
  rt: Pick<Runtime, 'olap' | 'identity' | 'keyring' | 'writer' | 'log'>,
  file: string,
  format: string,
  options: Record<string, string | undefined> = {},
  progress: (done: number, total?: number) => void = () => {},
): Promise<ImportReport> {
  const importer = importers[format];
  if (!importer) throw new UnknownFormatError(`unknown format '${format}': expected one of ${Object.keys(importers).join(', ')}`);
  const importId = `import_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return importer.run(
    { olap: rt.olap, identity: rt.identity, cipher: rt.keyring, writer: rt.writer, log: rt.log, importId, now: Date.now(), progress, options },
    file,
  );
}
