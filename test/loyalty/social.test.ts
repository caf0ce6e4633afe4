import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { KOL_MIN_SHARES, spearman } from '../../src/loyalty/social/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { writeWorld } from '../../src/world/index.ts';
import { runImport } from '../../src/world/importers/run.ts';

/**
 * Influence on a generated world against its hidden truth (truth/social.jsonl): generate, import, compute
 * the share graph and scores, and compare. Influence is only visible in behaviour through shares, so the
 * comparison is over people with enough of them to judge (KOL_MIN_SHARES); the figures for fewer shares
 * are printed too. The world is large enough for about 90 such people (with 30, the figure moves by ±0.1
 * from one seed to the next). About two minutes on two cores.
 */

const WORLD = { users: 8000, days: 180, seed: 7 };
let dir: string;
let rt: Runtime;
let truth: Map<string, { influence: number; isKol: boolean }>;
let shared: { sharer: string; recipient: string; shareId: string }[];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-loyalty-social-'));
  const out = path.join(dir, 'world');
  await writeWorld({ ...WORLD, future: 0, out });
  truth = new Map(fs.readFileSync(path.join(out, 'truth', 'social.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { userId: string; influence: number; isKol: boolean }).map((r) => [r.userId, r]));
  // the shares of signed-in users, read straight from the generated file (deduplicated by share id) for an independent count
  const seen = new Map<string, { sharer: string; recipient: string; shareId: string }>();
  for await (const line of readline.createInterface({ input: fs.createReadStream(path.join(out, 'events.jsonl')), crlfDelay: Infinity })) {
    if (!line.includes('"Product Shared"')) continue;
    const m = JSON.parse(line) as { userId?: string; event?: string; properties?: { share_id?: string; recipient?: string } };
    if (m.event !== 'Product Shared' || !m.userId || !m.properties?.share_id || !m.properties.recipient) continue;
    if (!seen.has(m.properties.share_id)) seen.set(m.properties.share_id, { sharer: m.userId, recipient: m.properties.recipient, shareId: m.properties.share_id });
  }
  shared = [...seen.values()].filter((s) => s.sharer !== s.recipient);
  rt = await openRuntime(testConfig({ dataDir: path.join(dir, 'db'), logLevel: 'warn' }), { command: 'test' });
  await rt.tags.live.stop();
  await runImport(rt, path.join(out, 'events.jsonl'), 'segment-jsonl', {});
});
after(async () => {
  await rt?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('share graph and influence on the generated world', () => {
  it('the graph counts every share once, per sharer and recipient', async () => {
    const { shareEdges } = await import('../../src/loyalty/social/index.ts');
    const got = await shareEdges(rt.olap);
    assert.equal(got.reduce((s, e) => s + e.shares, 0), shared.length);
    const perSharer = new Map<string, number>();
    for (const s of shared) perSharer.set(s.sharer, (perSharer.get(s.sharer) ?? 0) + 1);
    const gotPer = new Map<string, number>();
    for (const e of got) gotPer.set(e.from, (gotPer.get(e.from) ?? 0) + e.shares);
    assert.deepEqual([...gotPer.entries()].sort(), [...perSharer.entries()].sort());
  });

  it(`influence scores rank like the hidden influence (Spearman ≥ 0.7 among people with ≥ ${KOL_MIN_SHARES} shares)`, async () => {
    const r = await rt.loyalty.social.compute();
    assert.ok(r.people > 0);
    const rows = await rt.loyalty.social.ranking({ limit: 1_000_000 });
    const at = (min: number) => {
      const xs = rows.filter((x) => x.shares >= min && truth.has(x.userId));
      return { n: xs.length, rho: spearman(xs.map((x) => x.score), xs.map((x) => truth.get(x.userId)!.influence)) };
    };
    const figures = [1, 3, KOL_MIN_SHARES].map((m) => ({ minShares: m, ...at(m) }));
    for (const f of figures) console.log(`influence vs truth, people with ≥ ${f.minShares} shares: n = ${f.n}, Spearman = ${f.rho.toFixed(3)}`);
    const main = figures[figures.length - 1]!;
    assert.ok(main.n >= 20, `${main.n} people with enough shares to judge`);
    assert.ok(main.rho >= 0.7, `Spearman ${main.rho.toFixed(3)}`);

    const kols = rows.filter((x) => x.isKol);
    const trueKols = [...truth.entries()].filter(([, t]) => t.isKol).map(([u]) => u);
    const hit = kols.filter((k) => truth.get(k.userId)?.isKol).length;
    console.log(`KOL tag: ${kols.length} flagged, ${hit} of them KOLs in the truth (${trueKols.length} true KOLs in the world)`);
    assert.ok(kols.length > 0 && hit / kols.length >= 0.5, `KOL precision ${hit}/${kols.length}`);
  });

  it('writes influence_score and is_kol as profile tags, and a referral leaderboard by attributed orders', async () => {
    const [top] = await rt.loyalty.social.ranking({ limit: 1 });
    const tags = await rt.olap.query<{ tag_code: string; value_num: number }>(
      `SELECT tag_code, value_num FROM ${rt.olap.db}.tag_values FINAL WHERE person_id = {p:String} AND tag_code IN ('influence_score', 'is_kol') AND is_deleted = 0 ORDER BY tag_code`,
      { p: top!.userId });
    assert.deepEqual(tags.map((t) => t.tag_code), ['influence_score', 'is_kol']);
    assert.equal(Number(tags[0]!.value_num), Math.round(top!.score * 1000) / 1000);
    const board = await rt.loyalty.social.ranking({ orderBy: 'orders', limit: 10 });
    for (let i = 1; i < board.length; i++) assert.ok(board[i - 1]!.orders >= board[i]!.orders);
    const view = await rt.loyalty.social.view(50);
    assert.equal(view.nodes.length, Math.min(50, (await rt.loyalty.social.ranking({ limit: 1_000_000 })).length));
    const ids = new Set(view.nodes.map((n) => n.id));
    assert.ok(view.links.every((l) => ids.has(l.source) && ids.has(l.target)));
  });
});
