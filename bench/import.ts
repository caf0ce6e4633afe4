// Bulk-import benchmark (target: ≥ 1,000,000 rows/s end to end into the store). For each format it
// writes a large synthetic file in the format's real layout into a temp dir, then imports it through
// `runImport` in a child process with a fresh data dir (chdb allows one data dir per process), and
// prints one JSON line per import with where the time went (phases logged by load.ts at debug level).
//
//   node bin/run-ts.js bench/import.ts [--rows 5000000] [--users 50000] [--repeat 3]
//        [--formats taobao-userbehavior,retailrocket,online-retail] [--reimport] [--chunk-rows N] [--keep]
//        [--jsonl events.jsonl --formats segment-jsonl]
//
// segment-jsonl imports a given file (`huaxiang generate` writes one) instead of a generated one, and
// reports how many lines took the TS protect step because they may hold personal data (`protectedLines`).
//
// On a shared machine the wall time swings with what else runs: each format is imported --repeat times
// (fresh data dir each time) and a summary line gives the best and the median; cpuSeconds is the work.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { testConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { runImport } from '../src/world/importers/run.ts';
import { needsProtect } from '../src/world/importers/segmentSql.ts';
import { repoRoot } from './lib/proc.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '5000000' },
    users: { type: 'string', default: '50000' },
    formats: { type: 'string', default: 'taobao-userbehavior,retailrocket,online-retail' },
    reimport: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    'chunk-rows': { type: 'string' },
    keep: { type: 'boolean', default: false },
    jsonl: { type: 'string' },
    // internal: run one import in this process
    child: { type: 'string' },
    file: { type: 'string' },
    data: { type: 'string' },
  },
  strict: true,
});

const log = (s: string) => process.stderr.write(`# ${s}\n`);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** A small fast PRNG so the files are the same on every run. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

type Gen = (fd: number, rows: number, users: number) => void;

/** Writes `rows` lines produced by `line(i)` in ~8 MB chunks. */
function writeLines(fd: number, header: string | null, rows: number, line: (i: number) => string): void {
  if (header) fs.writeSync(fd, `${header}\n`);
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += line(i);
    if (buf.length > 8_000_000) fs.writeSync(fd, buf), (buf = '');
  }
  fs.writeSync(fd, buf);
}

const generators: Record<string, Gen> = {
  // user_id,item_id,category_id,behavior,unix_ts — 9 days from 2017-11-25, as in the Tianchi file
  'taobao-userbehavior': (fd, rows, users) => {
    const r = rng(1);
    const beh = ['pv', 'pv', 'pv', 'pv', 'pv', 'pv', 'pv', 'pv', 'pv', 'cart', 'fav', 'buy'];
    const t0 = 1511539200;
    writeLines(fd, null, rows, (i) => {
      const item = 1 + Math.floor(r() * 2_000_000);
      return `${1 + Math.floor(r() * users)},${item},${1 + (item % 9000)},${beh[Math.floor(r() * beh.length)]},${t0 + Math.floor((i / rows) * 777_600)}\n`;
    });
  },
  // timestamp(ms),visitorid,event,itemid,transactionid — May–September 2015
  retailrocket: (fd, rows, users) => {
    const r = rng(2);
    const t0 = 1430622000000;
    let tx = 0;
    writeLines(fd, 'timestamp,visitorid,event,itemid,transactionid', rows, (i) => {
      const p = r();
      const ev = p < 0.9 ? 'view' : p < 0.97 ? 'addtocart' : 'transaction';
      return `${t0 + Math.floor((i / rows) * 11_750_000_000)},${Math.floor(r() * users * 28)},${ev},${Math.floor(r() * 466_000)},${ev === 'transaction' ? ++tx : ''}\n`;
    });
  },
  // UCI Online Retail: invoices of ~20 lines, Excel serial dates, quoted descriptions, 2% cancellations
  'online-retail': (fd, rows, users) => {
    const r = rng(3);
    const words = ['WHITE', 'HANGING', 'HEART', 'T-LIGHT', 'HOLDER', 'CREAM', 'CUPID', 'HEARTS', 'COAT', 'HANGER', 'LANTERN', 'METAL'];
    let invoice = 536365;
    let left = 0;
    let customer = '';
    let date = 0;
    let cancel = false;
    writeLines(fd, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country', rows, (i) => {
      if (left === 0) {
        invoice++;
        left = 1 + Math.floor(r() * 40);
        customer = r() < 0.25 ? '' : String(12346 + Math.floor(r() * Math.min(users, 5000)));
        date = 40513 + (i / rows) * 373 + r() / 3;
        cancel = r() < 0.02;
      }
      left--;
      const code = 20000 + Math.floor(r() * 4000);
      const desc = `${words[code % 12]} ${words[(code >> 3) % 12]}${code % 97 === 0 ? ', SET OF 3' : ''}`; // 1 % quoted, as in the real file
      const qty = (1 + Math.floor(r() * 24)) * (cancel ? -1 : 1);
      return `${cancel ? 'C' : ''}${invoice},${code},${desc.includes(',') ? `"${desc}"` : desc},${qty},${date},${(0.5 + (code % 50) / 4).toFixed(2)},${customer},United Kingdom\n`;
    });
  },
};

async function child(format: string, file: string, dataDir: string): Promise<void> {
  const phases: Record<string, number> = {};
  const sink = { write: (s: string) => void (s.includes('"phase"') && addPhase(phases, JSON.parse(s))) };
  const rt = await openRuntime(testConfig({ dataDir, logLevel: 'debug' }), { command: 'bench', log: pino({ level: 'debug' }, sink) });
  try {
    for (let run = 0; run < (flags.reimport ? 2 : 1); run++) {
      for (const k of Object.keys(phases)) delete phases[k];
      const t = performance.now();
      const cpu = process.cpuUsage();
      const r = await runImport(rt, file, format, flags['chunk-rows'] ? { 'chunk-rows': flags['chunk-rows'] } : {});
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      const load = os.loadavg()[0]!;
      // what a reader sees afterwards, counted by the engine (not the importer's own tally)
      const [stored] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${rt.olap.db}.events`);
      const out = {
        bench: 'import',
        format,
        run: run === 0 ? 'first' : 'reimport',
        rows: r.rows,
        seconds: round(seconds, 2),
        rowsPerSec: Math.round(r.rows / seconds),
        imported: r.imported,
        eventsInStore: Number(stored!.n),
        duplicates: r.duplicates,
        rejected: r.rejected,
        items: r.items,
        // this process's CPU (the engine runs in it): the work, whatever else the machine is doing
        cpuSeconds: round((used.user + used.system) / 1e6, 2),
        loadAvg1m: round(load, 1),
        phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v, 2)])),
        ...(format === 'segment-jsonl' ? { protectedLines: await protectedLines(rt, file) } : {}),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
  } finally {
    await rt.close();
  }
}

/** Lines of a segment-jsonl file that take the TS protect step (they may hold personal data). */
async function protectedLines(rt: Awaited<ReturnType<typeof openRuntime>>, file: string): Promise<number> {
  const [r] = await rt.olap.query<{ n: string }>(`SELECT countIf(${needsProtect()}) AS n FROM file({f:String}, 'LineAsString', 'line String')`, { f: path.resolve(file) });
  return Number(r?.n ?? 0);
}

function addPhase(phases: Record<string, number>, o: { phase: string; seconds: number }): void {
  phases[o.phase] = (phases[o.phase] ?? 0) + o.seconds;
}

async function main(): Promise<void> {
  if (flags.child) return child(flags.child, flags.file!, flags.data!);
  const rows = Number(flags.rows);
  const users = Number(flags.users);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-import-'));
  log(`temp dir ${tmp}; ${os.cpus().length} CPUs`);
  try {
    for (const format of String(flags.formats).split(',')) {
      const given = format === 'segment-jsonl' ? flags.jsonl : undefined;
      if (format === 'segment-jsonl' && !given) throw new Error('segment-jsonl imports the file given with --jsonl FILE');
      const gen = generators[format];
      if (!gen && !given) throw new Error(`no generator for '${format}': one of ${Object.keys(generators).join(', ')}, or segment-jsonl with --jsonl`);
      const file = given ? path.resolve(given) : path.join(tmp, `${format}.csv`);
      if (gen && !given) {
        const t = performance.now();
        const fd = fs.openSync(file, 'w');
        gen(fd, rows, users);
        fs.closeSync(fd);
        log(`${format}: wrote ${rows} rows (${round(fs.statSync(file).size / 2 ** 20)} MiB) in ${round((performance.now() - t) / 1000, 1)} s`);
      }
      const rates: number[] = [];
      let fileRows = rows;
      for (let run = 0; run < Number(flags.repeat); run++) {
        const dataDir = path.join(tmp, `data-${format}-${run}`);
        const args = [path.join(repoRoot, 'bin/run-ts.js'), path.join(repoRoot, 'bench/import.ts'), '--child', format, '--file', file, '--data', dataDir];
        if (flags.reimport) args.push('--reimport');
        if (flags['chunk-rows']) args.push('--chunk-rows', flags['chunk-rows']);
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          process.stdout.write(d);
        });
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        if (code !== 0) throw new Error(`${format}: the import process exited with ${code}`);
        for (const line of out.split('\n').filter(Boolean)) {
          const o = JSON.parse(line) as { run: string; rowsPerSec: number; rows: number };
          if (o.run === 'first') rates.push(o.rowsPerSec), (fileRows = o.rows);
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      const sorted = [...rates].sort((a, b) => a - b);
      process.stdout.write(
        `${JSON.stringify({ bench: 'import', format, summary: true, rows: fileRows, runs: rates.length, bestRowsPerSec: sorted[sorted.length - 1], medianRowsPerSec: sorted[Math.floor(sorted.length / 2)], target: 1_000_000 })}\n`,
      );
      if (!flags.keep && !given) fs.rmSync(file, { force: true });
    }
  } finally {
    if (!flags.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

await main();
