// The event stream's contract: deterministic, Segment-shaped, time-ordered, split at the horizon,
// identity joined after anonymous browsing, and dirt exactly as recorded in truth/dirt.json.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateWorld, writeWorld, type WorldMessage } from './index.ts';
import { sampleWorld, STATS_WORLD } from './testing.ts';

test('same seed gives byte-identical files; another seed differs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hx-world-test-'));
  try {
    const base = { users: 300, days: 30, future: 10 };
    await writeWorld({ ...base, seed: 5, out: join(dir, 'a') });
    await writeWorld({ ...base, seed: 5, out: join(dir, 'b') });
    await writeWorld({ ...base, seed: 6, out: join(dir, 'c') });
    for (const f of ['events.jsonl', 'future/events.jsonl', 'truth/users.jsonl', 'truth/items.jsonl', 'truth/dirt.json']) {
      const a = await readFile(join(dir, 'a', f));
      assert.ok(a.length > 1000, `${f} has content`);
      assert.ok(a.equals(await readFile(join(dir, 'b', f))), `${f} identical for one seed`);
    }
    const a = await readFile(join(dir, 'a', 'events.jsonl'));
    assert.ok(!a.equals(await readFile(join(dir, 'c', 'events.jsonl'))), 'another seed differs');
    // The object API streams the same messages as the file.
    const fileMsgs = a.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as WorldMessage);
    const apiMsgs: WorldMessage[] = [];
    for (const m of generateWorld({ ...base, seed: 5 })) if (Date.parse(m.timestamp) < Date.parse(fileMsgs.at(-1)!.timestamp) + 1) apiMsgs.push(m);
    assert.deepEqual(apiMsgs.slice(0, fileMsgs.length), fileMsgs);
    const summary = JSON.parse(await readFile(join(dir, 'a', 'truth', 'summary.json'), 'utf8'));
    assert.equal(summary.lines, fileMsgs.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const w = sampleWorld(STATS_WORLD);
const horizon = w.options.horizon;

test('every message is Segment-shaped and the stream is time-ordered', () => {
  const types = new Set(['track', 'identify', 'page', 'screen', 'alias']);
  for (const list of [w.messages, w.futureMessages]) {
    let last = -Infinity;
    for (const m of list) {
      assert.ok(types.has(m.type), `type ${m.type}`);
      assert.equal(typeof m.messageId, 'string');
      const t = Date.parse(m.timestamp);
      assert.ok(Number.isFinite(t) && Number.isFinite(Date.parse(m.sentAt)), 'ISO timestamps');
      assert.ok(t >= last, `time-ordered at ${m.messageId}`);
      last = t;
      assert.equal((m.context as { timezone: string }).timezone, 'Asia/Shanghai');
      if (m.type === 'track') assert.equal(typeof m.event, 'string');
      if (m.type === 'page' || m.type === 'screen') assert.equal(typeof m.name, 'string');
      if (m.type === 'identify') assert.equal(typeof m.traits, 'object');
      if (m.type === 'alias') assert.equal(typeof m.previousId, 'string');
    }
  }
  const names = new Set(w.messages.map((m) => m.event).filter(Boolean));
  for (const e of ['Products Searched', 'Product List Viewed', 'Product Viewed', 'Product Added', 'Product Removed',
    'Product Added to Wishlist', 'Cart Viewed', 'Checkout Started', 'Coupon Applied', 'Order Completed', 'Product Reviewed', 'Product Shared']) {
    assert.ok(names.has(e), `has ${e}`);
  }
});

test('history ends at the horizon and the future file holds only later events', () => {
  assert.ok(w.messages.every((m) => Date.parse(m.timestamp) < horizon));
  assert.ok(w.futureMessages.length > 0);
  assert.ok(w.futureMessages.every((m) => Date.parse(m.timestamp) >= horizon && Date.parse(m.timestamp) < w.options.end));
});

test('anonymous browsing precedes the identify/alias that joins a device', () => {
  const firstJoin = new Map<string, number>();
  const lastAnon = new Map<string, number>();
  let joined = 0;
  for (const m of [...w.messages, ...w.futureMessages]) {
    const t = Date.parse(m.timestamp);
    const anon = m.type === 'alias' ? m.previousId : m.anonymousId;
    if (!anon) continue;
    if ((m.type === 'identify' || m.type === 'alias') && m.userId) {
      if (!firstJoin.has(anon)) firstJoin.set(anon, t);
    } else if (!m.userId) {
      lastAnon.set(anon, t);
    }
  }
  for (const [anon, t] of lastAnon) {
    const j = firstJoin.get(anon);
    if (j === undefined) continue; // never signed up (yet)
    joined++;
    assert.ok(t <= j, `anonymous event of ${anon} after its identify`);
  }
  assert.ok(joined > 100, `enough anonymous-then-joined devices (${joined})`);
  // Every user's anonymousIds in truth match the devices seen joined to that userId.
  const aliases = w.messages.filter((m) => m.type === 'alias');
  assert.ok(aliases.length > 0, 'some second devices are joined by alias');
  for (const a of aliases) assert.ok((w.users.get(a.userId!)!.anonymousIds as string[]).includes(a.previousId!));
});

test('dirt in the stream matches truth/dirt.json', () => {
  for (const [msgs, counts] of [[w.messages, w.dirt.events], [w.futureMessages, w.dirt.future]] as const) {
    const seen = new Set<string>();
    let duplicate = 0, missingIds = 0, revenueNotNumber = 0, productsNotArray = 0, clockSkew = 0;
    for (const m of msgs) {
      if (seen.has(m.messageId)) duplicate++;
      seen.add(m.messageId);
      if (!m.anonymousId && !m.userId && !m.previousId) missingIds++;
      const p = m.properties;
      if (p && 'revenue' in p && typeof p.revenue !== 'number') revenueNotNumber++;
      if (p && 'products' in p && !Array.isArray(p.products)) productsNotArray++;
      if (Math.abs(Date.parse(m.sentAt) - Date.parse(m.timestamp)) > 60_000) clockSkew++;
    }
    assert.deepEqual({ duplicate, missingIds, revenueNotNumber, productsNotArray, clockSkew },
      { duplicate: counts.duplicate, missingIds: counts.missingIds, revenueNotNumber: counts.revenueNotNumber, productsNotArray: counts.productsNotArray, clockSkew: counts.clockSkew });
    assert.ok(duplicate > 0 && missingIds > 0 && revenueNotNumber > 0 && clockSkew > 0, 'each kind of dirt occurs');
  }
  // Clean messages = lines minus dirt rows, and the per-type counts add up to it.
  const byType = Object.values(w.summary.byType as Record<string, number>).reduce((a, x) => a + x, 0);
  assert.equal(w.summary.events, byType);
  assert.equal(w.summary.lines, w.lines.length);
});

test('zero dirt rate gives the same clean world', () => {
  const clean = [...generateWorld({ users: 200, days: 20, future: 0, seed: 9, dirtRate: 0 }).lines()].map((l) => l.line);
  const dirty = [...generateWorld({ users: 200, days: 20, future: 0, seed: 9, dirtRate: 0.05 }).lines()].map((l) => l.line);
  const ids = (l: string): string => /"messageId":"([^"]+)"/.exec(l)![1];
  const dedup = new Map<string, string>();
  for (const l of dirty) if (!ids(l).includes('-x')) dedup.set(ids(l), l.replace(/"sentAt":"[^"]+"/, ''));
  assert.equal(dedup.size, clean.length);
  for (const l of clean) assert.equal(dedup.get(ids(l)), l.replace(/"sentAt":"[^"]+"/, ''));
});
