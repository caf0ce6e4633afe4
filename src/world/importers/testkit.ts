import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testConfig } from '../../config.ts';
import { openRuntime, type Runtime } from '../../runtime.ts';

/** Helpers for the importer tests: fixtures, one runtime per test file, a CSV reader of their own. */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixture = (...p: string[]) => path.join(repoRoot, 'test/fixtures/import', ...p);

/**
 * One runtime (one data dir: chdb allows one per process) for a whole test file. `done` closes it and
 * removes the dir.
 */
export async function testRuntime(): Promise<{ rt: Runtime; dir: string; done(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-import-test-'));
  const rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
  return {
    rt,
    dir,
    async done() {
      await rt.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A deliberately tiny CSV reader, independent of the importers' code: records by lines, `"` quoting
 * with `""` inside. Each record keeps its 1-based line number in the file.
 */
export function readCsv(file: string, opts: { header?: boolean; delimiter?: string } = {}): { header: string[]; rows: { line: number; text: string; f: string[] }[] } {
  const d = opts.delimiter ?? ',';
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const split = (l: string) => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < l.length; i++) {
      const c = l[i]!;
      if (q && c === '"' && l[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = !q;
      else if (!q && c === d) out.push(cur), (cur = '');
      else cur += c;
    }
    return [...out, cur];
  };
  const rows = lines.map((text, i) => ({ line: i + 1, text, f: split(text) })).filter((r) => r.text !== '');
  if (opts.header === false) return { header: [], rows };
  return { header: rows[0]!.f, rows: rows.slice(1) };
}

export interface StoreCounts {
  events: number;
  users: number;
  orders: number;
  revenue: number;
}

/** What the store holds of one import library: events, people, completed orders and their revenue. */
export async function storeCounts(rt: Pick<Runtime, 'olap'>, library: string): Promise<StoreCounts> {
  const [r] = await rt.olap.query<StoreCounts>(
    `SELECT count() AS events, uniqExact(if(user_id != '', user_id, distinct_id)) AS users,
            uniqExactIf(order_id, event = 'Order Completed') AS orders,
            round(sumIf(ifNull(revenue, arraySum(x -> x.price * x.quantity, products)), event = 'Order Completed'), 2) AS revenue
     FROM ${rt.olap.db}.events WHERE library = {library:String}`,
    { library },
  );
  return { events: Number(r!.events), users: Number(r!.users), orders: Number(r!.orders), revenue: Number(r!.revenue) };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
