/**
 * Loyalty figures:
 *   1. ledger throughput: earn and redeem operations (each one locked ledger call) from --concurrency
 *      workers over --users accounts, for --ops operations in all, on embedded PGlite (the default) or a
 *      Postgres server (--pg URL); the invariant balance = Σ ledger = Σ lots is checked afterwards;
 *   2. influence scores (each sharer's shrunk rate of shares that brought a visit) for a synthetic graph of --graph-users
 *      people, timed without the event read (the scores' own cost).
 *
 *   3. with --data DIR (an imported world, e.g. bench/world.ts or `huaxiang import`): the whole influence
 *      computation on it — the share graph read from ClickHouse, scores, Postgres rows and profile tags —
 *      and the catch-up earning over every event.
 *
 *      With --truth FILE (the generator's truth/social.jsonl for that world), the scores are compared with the
 *      hidden influence: Spearman over the people with ≥ 1, 3, 5 and 10 shares, and the KOL tag's precision
 *      and recall against the true KOLs.
 *
 *   node bin/run-ts.js bench/loyalty.ts [--ops 20000] [--concurrency 32] [--users 1000] [--pg URL] [--graph-users 100000] [--data DIR [--truth FILE]]
 *
 * Targets (issue 9): ≥ 2,000 ledger operations/s at concurrency 32 on embedded storage; influence for
 * 100k users ≤ 30 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PointsLedger } from '../src/loyalty/ledger.ts';
import type { Runtime } from '../src/runtime.ts';
import { openOltp } from '../src/store/oltp/index.ts';

const { values } = parseArgs({
  options: {
    ops: { type: 'string' },
    concurrency: { type: 'string' },
    users: { type: 'string' },
    pg: { type: 'string' },
    'graph-users': { type: 'string' },
    'skip-ledger': { type: 'boolean' },
    'skip-influence': { type: 'boolean' },
    data: { type: 'string' },
    truth: { type: 'string' },
    'skip-earn': { type: 'boolean' },
  },
});
const OPS = Number(values.ops ?? 20_000);
const CONC = Number(values.concurrency ?? 32);
const USERS = Number(values.users ?? 1000);
const GRAPH_USERS = Number(values['graph-users'] ?? 100_000);
const line = (o: object) => console.log(JSON.stringify({ bench: 'loyalty', ...o }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100 : NaN;
};

/** mulberry32: the same operations on every run */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function ledgerBench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-loyalty-'));
  const db = values.pg ? await openOltp({ url: values.pg }) : await openOltp({ dataDir: dir });
  try {
    if (values.pg) await db.exec('TRUNCATE loyalty_lots, loyalty_ledger, loyalty_accounts');
    const ledger = new PointsLedger(db, { expiryMonths: 12, timezone: 'Asia/Shanghai' });
    const rand = rng(9);
    const now = new Date();
    // two thirds earn (each a new order), one third redeem a little
    const ops = Array.from({ length: OPS }, (_, i) => ({ user: `b${Math.floor(rand() * USERS)}`, earn: rand() < 2 / 3, points: 1 + Math.floor(rand() * 50), i }));
    const lat: number[] = [];
    const outcomes: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONC }, async () => {
      while (next < ops.length) {
        const op = ops[next++]!;
        const t0 = performance.now();
        const out = op.earn
          ? await ledger.earn({ userId: op.user, points: op.points, rule: 'order_spend', sourceKey: `bench-${op.i}`, occurredAt: now, caps: { daily: null, monthly: null } })
          : await ledger.redeem({ userId: op.user, points: op.points });
        lat.push(performance.now() - t0);
        outcomes[out.status] = (outcomes[out.status] ?? 0) + 1;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const [bad] = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM loyalty_accounts a
       WHERE a.balance <> (SELECT coalesce(sum(points), 0) FROM loyalty_ledger l WHERE l.user_id = a.user_id)
          OR a.balance <> (SELECT coalesce(sum(remaining), 0) FROM loyalty_lots o WHERE o.user_id = a.user_id) OR a.balance < 0`);
    line({
      part: 'ledger', store: db.kind, ops: OPS, concurrency: CONC, users: USERS, seconds: Math.round(seconds * 100) / 100,
      opsPerSecond: Math.round(OPS / seconds), p50ms: pct(lat, 50), p99ms: pct(lat, 99), outcomes, accountsBreakingInvariant: Number(bad!.n),
    });
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function influenceBench() {
  const { influenceScores } = await import('../src/loyalty/social/influence.ts');
  const rand = rng(7);
  // a share graph like the generated world's: most people share a little to a circle of friends, a few
  // KOLs share a lot to anyone; a share converts with a chance that grows with the sharer's influence, and
  // reaches an active recipient (or converts) 60% of the time
  const n = GRAPH_USERS;
  const edges: { from: string; to: string; shares: number; reached: number; visits: number; orders: number; revenue: number }[] = [];
  for (let u = 0; u < n; u++) {
    const kol = rand() < 0.005;
    const reach = kol ? 40 + Math.floor(rand() * 60) : Math.floor(rand() * 3);
    const influence = kol ? 0.55 + rand() * 0.35 : rand() * 0.25;
    for (let k = 0; k < reach; k++) {
      const to = kol ? Math.floor(rand() * n) : (u * 7919 + k * 104_729) % n;
      if (to === u) continue;
      const visits = rand() < 0.15 + 0.75 * influence ? 1 : 0;
      edges.push({ from: `u${u}`, to: `u${to}`, shares: 1, reached: visits || rand() < 0.6 ? 1 : 0, visits, orders: visits && rand() < 0.2 + 0.6 * influence ? 1 : 0, revenue: 0 });
    }
  }
  const t0 = performance.now();
  const scores = influenceScores(edges);
  const seconds = (performance.now() - t0) / 1000;
  line({ part: 'influence', users: n, edges: edges.length, scored: scores.size, seconds: Math.round(seconds * 100) / 100 });
}

async function worldBench(dataDir: string) {
  const { openRuntime } = await import('../src/runtime.ts');
  const { loadConfig } = await import('../src/config.ts');
  const rt = await openRuntime(loadConfig({ data: dataDir, logLevel: 'warn' }), { command: 'bench' });
  try {
    await rt.tags.live.stop();
    let t0 = performance.now();
    const social = await rt.loyalty.social.compute();
    line({ part: 'influence-world', data: dataDir, people: social.people, edges: social.edges, kols: social.kols, seconds: Math.round((performance.now() - t0) / 10) / 100 });
    if (values.truth) await againstTruth(rt, path.resolve(values.truth));
    if (values['skip-earn']) return;
    t0 = performance.now();
    const earned = await rt.loyalty.earn();
    const entries = Object.values(earned.rules).reduce((s, r) => s + r.entries, 0);
    line({ part: 'earn-catch-up', entries, people: earned.people, couponsRedeemed: earned.couponsRedeemed, tierChanges: earned.tierChanges, seconds: Math.round((performance.now() - t0) / 10) / 100 });
  } finally {
    await rt.close();
  }
}

/** The scores against the world's hidden influence (truth/social.jsonl): Spearman by how many shares a person sent, KOL precision and recall. */
async function againstTruth(rt: Runtime, file: string) {
  const { spearman } = await import('../src/loyalty/social/index.ts');
  const truth = new Map<string, { influence: number; isKol: boolean }>();
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!l) continue;
    const r = JSON.parse(l) as { userId: string; influence: number; isKol: boolean };
    truth.set(r.userId, r);
  }
  const rows = (await rt.loyalty.social.ranking({ limit: 10_000_000 })).filter((r) => truth.has(r.userId));
  for (const min of [1, 3, 5, 10]) {
    const xs = rows.filter((r) => r.shares >= min);
    line({ part: 'influence-vs-truth', minShares: min, people: xs.length, spearman: Math.round(spearman(xs.map((r) => r.score), xs.map((r) => truth.get(r.userId)!.influence)) * 1000) / 1000 });
  }
  const flagged = rows.filter((r) => r.isKol);
  const trueKols = [...truth.values()].filter((t) => t.isKol).length;
  const hits = flagged.filter((r) => truth.get(r.userId)!.isKol).length;
  line({ part: 'kol-vs-truth', flagged: flagged.length, trueKolsFlagged: hits, trueKols, precision: flagged.length ? Math.round((hits / flagged.length) * 1000) / 1000 : null, recall: Math.round((hits / trueKols) * 1000) / 1000 });
}

if (!values['skip-ledger']) await ledgerBench();
if (!values['skip-influence']) await influenceBench();
if (values.data) await worldBench(path.resolve(values.data));
