import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { cliActor } from '../cli/erase.ts';
import { CliError, serverToken } from '../cli/import.ts';
import { openRuntime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { EXPORT_FORMATS, exportToFile, type ExportFormat, type ExportSpec } from './exports.ts';

export const EXPORT_USAGE = 'usage: huaxiang export profiles|tags|tag-counts|segment ID --format csv|jsonl|parquet --out FILE [--tag CODE] [--include-pii] [--noise] [--data DIR]';

/**
 * `huaxiang export`: profiles, tag values, people per tag value (an aggregate: minimum group size, optional
 * noise) or a segment's members into a file (docs/data-out.md). When `serve` holds the data dir the export
 * is fetched from that server's API instead.
 */
export async function exportCommand(config: (data?: string, logLevel?: string) => Config, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      'log-level': { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      tag: { type: 'string' },
      'include-pii': { type: 'boolean' },
      noise: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [what, id] = positionals;
  if (!values.out || !what) throw new CliError(EXPORT_USAGE);
  const format = (values.format ?? path.extname(values.out).slice(1)) as ExportFormat;
  if (!(format in EXPORT_FORMATS)) throw new CliError(`--format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}, got '${values.format ?? ''}'`);
  let spec: ExportSpec;
  if (what === 'profiles' && positionals.length === 1) spec = { kind: 'profiles', includePii: values['include-pii'] === true };
  else if (what === 'tags' && positionals.length === 1) spec = { kind: 'tags', tag: values.tag };
  else if (what === 'tag-counts' && positionals.length === 1) spec = { kind: 'tag-counts', tag: values.tag, noise: values.noise === true };
  else if (what === 'segment' && id && positionals.length === 2) spec = { kind: 'segment', segmentId: id };
  else throw new CliError(EXPORT_USAGE);
  if (values['include-pii'] && spec.kind !== 'profiles') throw new CliError('--include-pii applies to profiles only: tags and segments hold no personal data');
  if (values.noise && spec.kind !== 'tag-counts') throw new CliError('--noise applies to tag-counts only: the other exports are per person');
  let note = '';

  const cfg = config(values.data, values['log-level'] ?? 'warn');
  const out = path.resolve(values.out);
  const started = Date.now();
  try {
    const rt = await openRuntime(cfg, { command: 'export' });
    try {
      if (spec.kind === 'segment') await rt.segments.store.get(spec.segmentId);
      if ((spec.kind === 'tags' || spec.kind === 'tag-counts') && spec.tag && !(await rt.tags.taxonomy.definitions()).has(spec.tag)) throw new CliError(`no tag '${spec.tag}'`);
      const { aggregate } = await exportToFile(rt, spec, format, out);
      if (aggregate) {
        note = `; ${aggregate.suppressedGroups} value(s) held by fewer than ${rt.config.privacy.minGroupSize} people left out`;
        if (aggregate.privacy) note += `; people counts noisy (ε ${aggregate.privacy.epsilon} split over the ${aggregate.privacy.cellsPerPerson} row(s) a person can be in, sd ${aggregate.privacy.counts.stddev.toFixed(1)})`;
      }
      const by = cliActor();
      await rt.audit.record({ ...by, action: spec.kind === 'profiles' && spec.includePii ? 'pii.export' : 'data.export', subjectType: spec.kind === 'segment' ? 'segment' : 'export', subjectId: spec.kind === 'segment' ? spec.segmentId : spec.kind, details: { format, includePii: spec.kind === 'profiles' && spec.includePii === true, file: out, ...(aggregate ? { suppressedGroups: aggregate.suppressedGroups, noise: aggregate.privacy !== null } : {}) } });
    } finally {
      await rt.close();
    }
  } catch (err) {
    if ((err as Error).name === 'SegmentNotFoundError') throw new CliError((err as Error).message);
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; exporting through it\n`);
    const url = new URL(spec.kind === 'segment' ? `/api/v1/exports/segments/${encodeURIComponent(spec.segmentId)}` : `/api/v1/exports/${spec.kind}`, err.holder.url);
    url.searchParams.set('format', format);
    if ((spec.kind === 'tags' || spec.kind === 'tag-counts') && spec.tag) url.searchParams.set('tag', spec.tag);
    if (spec.kind === 'tag-counts' && spec.noise) url.searchParams.set('noise', 'true');
    if (spec.kind === 'profiles' && spec.includePii) url.searchParams.set('includePii', 'true');
    const res = await fetch(url, { headers: { authorization: `Bearer ${serverToken(cfg)}` } });
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
      throw new CliError(`the server answered ${res.status}: ${body.error?.message ?? ''}`);
    }
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(out, { mode: 0o600 }));
    if (spec.kind === 'tag-counts') note = `; ${res.headers.get('x-suppressed-groups') ?? '?'} value(s) held by too few people left out${res.headers.get('x-privacy') !== 'null' ? '; people counts noisy' : ''}`;
  }
  const bytes = fs.statSync(out).size;
  process.stderr.write(`wrote ${out}: ${bytes} bytes of ${format} in ${((Date.now() - started) / 1000).toFixed(1)} s${spec.kind === 'profiles' && spec.includePii ? ' (with personal data; audited)' : ''}${note}\n`);
}
