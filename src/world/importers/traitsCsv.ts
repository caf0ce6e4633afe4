import fs from 'node:fs';
import readline from 'node:readline';
import type { DeadLetter } from '../../ingest/index.ts';
import { runPipeline } from '../../ingest/index.ts';
import { piiTraits } from '../../ingest/steps/protect.ts';
import { classification } from '../../privacy/classification.ts';

/** A trait whose raw value must not appear in a report or dead letter: built-in or configured personal data. */
const personal = (trait: string) => trait in piiTraits || classification().trait(trait) === 'pii';
import { columnPositions, readMapping, traitsMappingSchema, type TraitType, type TraitsMapping } from './mapping.ts';
import { report } from './load.ts';
import { csvHeader, splitCsvLine } from './staging.ts';
import { ImportInputError, type ImportContext, type Importer, type RowError } from './types.ts';

const BATCH = 5000;
const SOURCE = 'import:traits-csv';

/**
 * Traits from a CRM export, survey answers (问卷) or third-party data → `identify` messages.
 * The mapping (`--mapping`) says which column tells whose row it is — a userId, or an email / phone
 * matched by its keyed hash against the profiles that already carry it — and which columns become
 * which traits (string, number, date, boolean). These rows may hold PII, so unlike the event importers
 * they never go to the engine as text: they go through the ingestion pipeline (protect encrypts email
 * and phone, keeping only the keyed hash to match on) and the batching writer. Rows that match no
 * profile, or more than one, are reported, not dropped silently; dead letters carry the row with its
 * PII redacted. A row's messageId is a keyed hash of its text and the mapping, so a re-import adds nothing.
 */
export const traitsCsv: Importer = {
  format: 'traits-csv',
  describe: 'traits for profiles (CRM export, survey answers): CSV + --mapping (match by userId, email or phone; trait types)',
  async run(ctx, file) {
    const started = Date.now();
    const { mapping: m, digest } = readMapping(ctx.options.mapping, traitsMappingSchema, 'traits-csv');
    if (!fs.existsSync(file)) throw new ImportInputError(`${file}: no such file`);
    const header = csvHeader(file, m.delimiter);
    const key = `${ctx.options.mapping}`;
    const matchAt = columnPositions([m.match.column], header, `${key}: match.column`).get(m.match.column)! - 1;
    const traitColumns = Object.entries(m.traits).map(([column, t]) => ({
      column,
      at: 0,
      trait: typeof t === 'string' ? t : t.trait,
      type: (typeof t === 'string' ? 'string' : t.type) as TraitType,
    }));
    const positions = columnPositions(traitColumns.map((t) => t.column), header, `${key}: traits`);
    for (const t of traitColumns) t.at = positions.get(t.column)! - 1;
    const piiColumns = new Set<number>([...(m.match.by === 'userId' ? [] : [matchAt]), ...traitColumns.filter((t) => personal(t.trait)).map((t) => t.at)]);
    const timestamp = m.asOf ?? new Date(ctx.now).toISOString();

    const out = { rows: 0, imported: 0, duplicates: 0, rejected: 0, errors: [] as RowError[] };
    const reject = (row: number, reason: string, fields: string[], dead: DeadLetter[]) => {
      out.rejected++;
      if (out.errors.length < 1000) out.errors.push({ row, reason });
      dead.push(deadLetter(ctx, row, '', reason, redact(header, fields, piiColumns)));
    };

    let batch: Parsed[] = [];
    let dead: DeadLetter[] = [];
    const flush = async () => {
      const owners = m.match.by === 'userId' ? null : await ownersOf(ctx, m.match.by, batch.map((p) => p.key));
      const messages: Record<string, unknown>[] = [];
      const sources: Parsed[] = [];
      for (const p of batch) {
        let userId = p.key;
        if (owners) {
          const found = owners.get(p.key) ?? [];
          const what = `${m.match.by} (column '${m.match.column}')`;
          if (found.length !== 1) {
            reject(p.row, found.length === 0 ? `${what}: no profile has this ${m.match.by}` : `${what}: ${found.length} profiles have this ${m.match.by}; not merged`, p.fields, dead);
            continue;
          }
          userId = found[0]!;
        }
        messages.push({
          type: 'identify',
          userId,
          traits: p.traits,
          timestamp,
          messageId: `tr-${m.source}-${digest}-${ctx.cipher.match(`${digest}\u0000${p.text}`).slice(0, 32)}`,
          context: { library: { name: SOURCE } },
        });
        sources.push(p);
      }
      const result = runPipeline(
        { messages, receivedAt: ctx.now, requestId: ctx.importId, source: SOURCE, writeKeyId: '', maxMessageBytes: 32 * 1024, maxFutureMs: 86_400_000 },
        ctx.cipher,
      );
      // the pipeline's own dead letters carry the raw message (PII included): ours carry the redacted row
      for (const r of result.rejected) {
        const p = sources[r.index]!;
        reject(p.row, r.path ? `${r.path}: ${r.message}` : r.message, p.fields, dead);
      }
      const written = await ctx.writer.submit(result.rows, dead);
      out.imported += written.stored;
      out.duplicates += written.duplicates;
      batch = [];
      dead = [];
    };

    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    let row = 0;
    for await (const raw of rl) {
      row++;
      if (row === 1 || raw === '') continue;
      out.rows++;
      const fields = splitCsvLine(raw, m.delimiter);
      const problem = fields.length !== header.length ? `expected ${header.length} fields, found ${fields.length}` : null;
      const parsed = problem ? problem : parseRow(m, matchAt, traitColumns, fields);
      if (typeof parsed === 'string') reject(row, parsed, fields, dead);
      else batch.push({ ...parsed, row, text: raw, fields });
      if (batch.length + dead.length >= BATCH) {
        await flush();
        ctx.progress(row);
      }
    }
    if (batch.length || dead.length) await flush();
    ctx.progress(row, row);
    out.errors.sort((a, b) => a.row - b.row);
    return report(this.format, file, started, out, 0);
  },
};

interface Parsed {
  row: number;
  key: string;
  traits: Record<string, unknown>;
  /** the row as read: names the message id */
  text: string;
  fields: string[];
}

/** The match key and typed traits of one row, or the reason it cannot be used. Never echoes PII. */
function parseRow(m: TraitsMapping, matchAt: number, columns: { column: string; at: number; trait: string; type: TraitType }[], fields: string[]): Omit<Parsed, 'row' | 'text' | 'fields'> | string {
  const key = fields[matchAt]!.trim();
  const what = `${m.match.by} (column '${m.match.column}')`;
  if (key === '') return `${what}: is empty`;
  if (m.match.by === 'email' && !/^[^@\s]+@[^@\s]+$/.test(key)) return `${what}: is not an email address`;
  if (m.match.by === 'phone' && piiTraits.phone(key).length < 5) return `${what}: is not a phone number`;
  const traits: Record<string, unknown> = {};
  for (const c of columns) {
    const raw = fields[c.at]!.trim();
    if (raw === '') continue;
    const value = typed(raw, c.type);
    if (value === undefined) {
      const shown = personal(c.trait) ? '' : ` '${raw.slice(0, 60)}'`;
      return `${c.trait} (column '${c.column}'):${shown} is not a ${c.type === 'boolean' ? 'yes/no value' : c.type}`;
    }
    traits[c.trait] = value;
  }
  return { key, traits };
}

const yes = new Set(['true', '1', 'yes', 'y', 't', '是', '对', '有', 'x', '✓']);
const no = new Set(['false', '0', 'no', 'n', 'f', '否', '不是', '无']);

/** A cell as a trait of its type (undefined when it is not one). Dates become `YYYY-MM-DD` or ISO date-times. */
export function typed(raw: string, type: TraitType): unknown {
  switch (type) {
    case 'string':
      return raw;
    case 'number': {
      const s = raw.replace(/^[¥￥$]/, '').replace(/(?<=\d),(?=\d{3}\b)/g, '');
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : undefined;
    }
    case 'boolean': {
      const s = raw.toLowerCase();
      return yes.has(s) ? true : no.has(s) ? false : undefined;
    }
    case 'date': {
      const d = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(raw);
      if (d) {
        const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
        const t = new Date(Date.UTC(y, mo - 1, da));
        return t.getUTCMonth() === mo - 1 && t.getUTCDate() === da ? t.toISOString().slice(0, 10) : undefined;
      }
      if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(raw)) return undefined;
      const t = Date.parse(raw.replace(' ', 'T'));
      return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
    }
  }
}

/** userIds of the profiles whose identify messages carry each email / phone (by keyed hash). */
async function ownersOf(ctx: ImportContext, by: 'email' | 'phone', keys: string[]): Promise<Map<string, string[]>> {
  const hashOf = new Map(keys.map((k) => [k, ctx.cipher.match(piiTraits[by](k))]));
  const column = by === 'email' ? 'email_hash' : 'phone_hash';
  const rows = await ctx.olap.query<{ h: string; users: string[] }>(
    `SELECT ${column} AS h, groupUniqArray(5)(user_id) AS users FROM ${ctx.olap.db}.events
     WHERE ${column} IN {hs:Array(String)} AND user_id != '' GROUP BY ${column}`,
    { hs: [...new Set(hashOf.values())] },
  );
  const byHash = new Map(rows.map((r) => [r.h, r.users.sort()]));
  return new Map(keys.map((k) => [k, byHash.get(hashOf.get(k)!) ?? []]));
}

/**
 * The row as column → value with its PII replaced: what a dead letter may keep. Besides the PII
 * columns, anything that looks like an email or a phone number goes too (a row with a field too many
 * shifts its cells out of their columns).
 */
function redact(header: string[], fields: string[], pii: Set<number>): string {
  const o: Record<string, string> = {};
  const looksPersonal = (v: string) => v.includes('@') || /\d[\d\s()+-]{6,}\d/.test(v);
  fields.forEach((v, i) => (o[header[i] ?? `column ${i + 1}`] = v !== '' && (pii.has(i) || looksPersonal(v)) ? '[redacted]' : v));
  return JSON.stringify(o);
}

function deadLetter(ctx: ImportContext, row: number, messageId: string, reason: string, payload: string): DeadLetter {
  return {
    received_at: ctx.now,
    request_id: ctx.importId,
    source: SOURCE,
    batch_index: row,
    message_id: messageId,
    reason,
    details: JSON.stringify({ row }),
    payload,
  };
}
