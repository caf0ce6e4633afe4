/**
 * Privacy figures on an imported world (make one with bench/world.ts, or `huaxiang generate` + `import`):
 *   1. export (GET-equivalent, in this process) of each sampled person;
 *   2. erasure of each sampled person: seconds per erasure (target ≤ 5 s on the 10M-event world) and the
 *      time spent in each store;
 *   3. the ingestion tombstone check: a flush's filter against the erased ids, per 10,000 rows.
 * Sampled: --users random people plus the --heavy people with the most events.
 *
 * Erasure changes the data dir, so the bench refuses the shared read-only worlds; give it a copy, or
 * --copy-from SRC to work on a temporary copy of SRC that is removed afterwards:
 *   node bin/run-ts.js bench/privacy.ts --copy-from /tmp/hx-world10m [--users 20] [--heavy 5] [--build]
 *   node bin/run-ts.js bench/privacy.ts --data DIR-THAT-MAY-BE-CHANGED [--build]
 * --build runs a full tag build first when the world has no tag values yet (so tag values and snapshots
 * hold the sampled people, as in production).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConfig } from '../src/config.ts';
import type { EventRow } from '../src/events/index.ts';
import { openRuntime } from '../src/runtime.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'copy-from': { type: 'string' },
    users: { type: 'string' },
    heavy: { type: 'string' },
    build: { type: 'boolean' },
  },
});
const READ_ONLY = ['/tmp/hx-world10m', '/tmp/hx-world1m'];
if (!values.data === !values['copy-from']) throw new Error('usage: bench/privacy.ts --data DIR (changed by the bench) | --copy-from SRC (copied first)');
let dataDir: string;
let copied = false;
if (values['copy-from']) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-privacy-'));
  const t = performance.now();
  // the world's master key, stores and credentials, as they are; the source is only read
  execFileSync('cp', ['-a', `${path.resolve(values['copy-from'])}/.`, dataDir]);
  fs.rmSync(path.join(dataDir, 'huaxiang.lock'), { force: true });
  copied = true;
  console.log(JSON.stringify({ bench: 'privacy', step: 'copy', from: values['copy-from'], seconds: Math.round((performance.now() - t) / 100) / 10 }));
} else {
  dataDir = path.resolve(values.data!);
  if (READ_ONLY.some((r) => path.resolve(r) === dataDir)) throw new Error(`${dataDir} is a shared read-only world: use --copy-from ${dataDir}`);
}
const randomUsers = Number(values.users ?? 20);
const heavyUsers = Number(values.heavy ?? 5);
const line = (o: object) => console.log(JSON.stringify({ bench: 'privacy', ...o }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 1000) / 1000 : NaN;
};

const rt = await openRuntime(testConfig({ dataDir, logLevel: 'warn' }), { command: 'bench' });
try {
  const db = rt.olap.db;
  const [{ n: events }] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.events`) as [{ n: string }];
  const [{ n: tagRows }] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.tag_values`) as [{ n: string }];
  if (Number(tagRows) === 0 && values.build) {
    const b = await rt.tags.build({ trigger: 'bench' });
    line({ step: 'build', persons: b.persons, values: b.rows, seconds: b.seconds });
  }
  const [{ v: valueRows, s: snapshotRows }] = await rt.olap.query<{ v: string; s: string }>(
    `SELECT (SELECT count() FROM ${db}.tag_values) AS v, (SELECT count() FROM ${db}.tag_snapshots) AS s`,
  ) as [{ v: string; s: string }];
  const [{ n: parts }] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM system.parts WHERE database = {db:String} AND table = 'events' AND active`, { db }) as [{ n: string }];
  line({ step: 'world', events: Number(events), eventParts: Number(parts), tagValues: Number(valueRows), tagSnapshots: Number(snapshotRows), dataDir, copied });

  // the sample: people with a userId, chosen at random, and the heaviest by event count
  const random = await rt.olap.query<{ id: string }>(
    `SELECT DISTINCT user_id AS id FROM ${db}.events WHERE user_id != '' ORDER BY cityHash64(user_id) LIMIT {n:UInt32}`,
    { n: randomUsers },
  );
  const heavy = await rt.olap.query<{ id: string; n: string }>(
    `SELECT user_id AS id, count() AS n FROM ${db}.events WHERE user_id != '' GROUP BY user_id ORDER BY n DESC LIMIT {n:UInt32}`,
    { n: heavyUsers },
  );
  const sample = [...new Map([...random, ...heavy].map((r) => [r.id, r])).keys()];
  const by = { actor: 'bench', role: 'admin' };

  const exportSeconds: number[] = [];
  for (const id of sample) {
    const t = performance.now();
    const out = await rt.privacy.export(id, by);
    exportSeconds.push((performance.now() - t) / 1000);
    if (!out) throw new Error(`no data for sampled user ${id}`);
  }
  line({ step: 'export', people: sample.length, p50: pct(exportSeconds, 50), p90: pct(exportSeconds, 90), max: pct(exportSeconds, 100) });

  const eraseSeconds: number[] = [];
  const storeMs: Record<string, number[]> = {};
  for (const id of sample) {
    const r = await rt.privacy.erase(id, by);
    eraseSeconds.push(r.seconds);
    for (const [k, v] of Object.entries(r.timings)) (storeMs[k] ??= []).push(v);
    line({ step: 'erase', heavy: heavy.some((h) => h.id === id), ids: r.ids, seconds: Math.round(r.seconds * 1000) / 1000, events: r.stores['olap.events'], tagValues: r.stores['olap.tag_values'], tagSnapshots: r.stores['olap.tag_snapshots'] });
  }
  line({
    step: 'erase-summary', people: sample.length, target: 5, p50: pct(eraseSeconds, 50), p90: pct(eraseSeconds, 90), max: pct(eraseSeconds, 100),
    storeMsP50: Object.fromEntries(Object.entries(storeMs).map(([k, v]) => [k, pct(v, 50)])),
    storeMsMax: Object.fromEntries(Object.entries(storeMs).map(([k, v]) => [k, pct(v, 100)])),
  });

  // the ingestion filter: 10,000 rows from 2,000 ids against the tombstones the erasures left
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ anonymous_id: `bench-anon-${i % 2000}`, user_id: i % 3 ? `bench-user-${i % 2000}` : '', previous_id: '' }) as EventRow);
  const keepMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await rt.privacy.tombstones.keep(rows);
    keepMs.push(performance.now() - t);
  }
  line({ step: 'ingest-filter', rows: rows.length, erasedIds: sample.length, msP50: pct(keepMs, 50), msMax: pct(keepMs, 100) });
} finally {
  await rt.close();
  if (copied) fs.rmSync(dataDir, { recursive: true, force: true });
}
