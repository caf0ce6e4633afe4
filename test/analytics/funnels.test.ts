import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OlapStore } from '../../src/store/olap/index.ts';
import { funnel, type FunnelStepResult } from '../../src/analytics/queries/funnel.ts';
import { funnelDropped } from '../../src/analytics/queries/funnelDropped.ts';
import { funnelStep, type FunnelFilter } from '../../src/analytics/queries/funnelFilters.ts';
import type { FunnelOrder } from '../../src/analytics/queries/funnelLevels.ts';
import type { EventRow } from '../../src/events/index.ts';

/**
 * The funnel query against the real engine (chdb) on a fixture of hand-made timelines (window edges,
 * repeated events, interruptions, entries outside the range, identity merges, property filters) plus a
 * seeded crowd, every figure checked against an independent calculation in plain TypeScript over the
 * same rows: the furthest step by searching every chain, and the step times on the chain the definition
 * names (docs/analytics-funnels.md).
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-funnels-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Row = Pick<EventRow, 'message_id' | 'type' | 'event' | 'distinct_id' | 'anonymous_id' | 'user_id' | 'timestamp' | 'original_timestamp' | 'received_at'
  | 'category' | 'price' | 'properties'>;
interface PersonId { distinct_id: string; person_id: string; version: number; is_deleted: number }

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// the range: 2024-06-01 … 2024-06-15 in Asia/Shanghai (UTC+8)
const FROM = '2024-06-01';
const TO = '2024-06-15';
const TZ = 'Asia/Shanghai' as const;
const fromMs = Date.parse('2024-06-01T00:00:00+08:00');
const toMs = Date.parse('2024-06-15T00:00:00+08:00');

const V = 'Product Viewed';
const A = 'Product Added';
const C = 'Checkout Started';
const O = 'Order Completed';
const X = 'Cart Viewed'; // never a step here: it interrupts strict funnels

function fixture(seed = 11): { events: Row[]; personIds: PersonId[] } {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const events: Row[] = [];
  const personIds: PersonId[] = [];
  let n = 0;
  const emit = (id: string, event: string, ts: number, extra: Partial<Row> = {}) =>
    events.push({
      message_id: `m${String(++n).padStart(5, '0')}`, type: 'track', event, distinct_id: id, anonymous_id: '', user_id: id,
      timestamp: ts, original_timestamp: ts, received_at: ts, category: '', price: null, properties: '{}', ...extra,
    });
  const t0 = fromMs + 3 * DAY + 10 * HOUR;

  // window edges (window 1 hour in the tests that name them): last step exactly at the edge, and 1 ms past it
  emit('edge_in', V, t0); emit('edge_in', A, t0 + 20 * MIN); emit('edge_in', C, t0 + HOUR);
  emit('edge_out', V, t0); emit('edge_out', A, t0 + 20 * MIN); emit('edge_out', C, t0 + HOUR + 1);
  // a late second view restarts the window: V … (too late for C) V A C
  emit('restart', V, t0); emit('restart', A, t0 + 10 * MIN); emit('restart', V, t0 + 2 * HOUR); emit('restart', C, t0 + 2 * HOUR + 5 * MIN); emit('restart', A, t0 + 2 * HOUR + 1 * MIN);
  // out of order: A before V does not count
  emit('backwards', A, t0); emit('backwards', V, t0 + MIN); emit('backwards', C, t0 + 2 * MIN);
  // interrupted by a non-step event: loose goes on, strict stops
  emit('interrupted', V, t0); emit('interrupted', X, t0 + MIN); emit('interrupted', A, t0 + 2 * MIN); emit('interrupted', C, t0 + 3 * MIN); emit('interrupted', O, t0 + 4 * MIN);
  // clean run: the same in both orders
  emit('clean', V, t0); emit('clean', A, t0 + 3 * MIN); emit('clean', C, t0 + 7 * MIN); emit('clean', O, t0 + 12 * MIN);
  // a step event repeated within a strict run (V V A): still consecutive steps
  emit('repeat_v', V, t0); emit('repeat_v', V, t0 + MIN); emit('repeat_v', A, t0 + 2 * MIN);
  // entered before the range: not counted; one entering on the last day and finishing after `to` is
  emit('early', V, fromMs - MIN); emit('early', A, fromMs + MIN);
  emit('late', V, toMs - 10 * MIN); emit('late', A, toMs + 10 * MIN);
  emit('after', V, toMs + MIN); emit('after', A, toMs + 2 * MIN);
  // two ids, one person: viewed anonymously, added after signing in
  emit('anon-9', V, t0, { user_id: '', anonymous_id: 'anon-9' }); emit('merged', A, t0 + 5 * MIN);
  personIds.push({ distinct_id: 'anon-9', person_id: 'merged', version: 1, is_deleted: 0 }, { distinct_id: 'merged', person_id: 'merged', version: 1, is_deleted: 0 });
  // same instant: V and A at one millisecond
  emit('same_ms', V, t0); emit('same_ms', A, t0);
  // property filters: a cheap and a dear view, then an add
  emit('cheap', V, t0, { price: 30, category: '食品/零食', properties: JSON.stringify({ variant: '红色', price: 30 }) }); emit('cheap', A, t0 + MIN);
  emit('dear', V, t0, { price: 3000, category: '手机数码/手机', properties: JSON.stringify({ variant: '蓝色', price: 3000 }) }); emit('dear', A, t0 + MIN);
  emit('noprice', V, t0); emit('noprice', A, t0 + MIN);
  // page views named like a step count too; identify is bookkeeping
  emit('paged', V, t0, { type: 'page' }); emit('paged', A, t0 + MIN);
  emit('identified', V, t0, { type: 'identify' }); emit('identified', A, t0 + MIN);

  // a seeded crowd: sessions of V (repeated), sometimes X, A, C, O with random gaps
  for (let i = 1; i <= 60; i++) {
    const id = `c${String(i).padStart(2, '0')}`;
    let t = fromMs - 2 * DAY + Math.floor(rand() * 18 * DAY);
    const sessions = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < sessions; k++) {
      const price = [19, 99, 499, 2999][Math.floor(rand() * 4)]!;
      const props = { price, category: price > 400 ? '手机数码' : '食品', properties: JSON.stringify({ variant: rand() < 0.5 ? '红色' : '黑色' }) };
      for (let v = 0; v < 1 + Math.floor(rand() * 3); v++) emit(id, V, (t += 1_000 + Math.floor(rand() * 20 * MIN)), props);
      if (rand() < 0.3) emit(id, X, (t += 1_000 + Math.floor(rand() * 5 * MIN)));
      if (rand() < 0.6) {
        emit(id, A, (t += 1_000 + Math.floor(rand() * 30 * MIN)), props);
        if (rand() < 0.2) emit(id, X, (t += 1_000 + Math.floor(rand() * 5 * MIN)));
        if (rand() < 0.6) {
          emit(id, C, (t += 1_000 + Math.floor(rand() * 50 * MIN)));
          if (rand() < 0.7) emit(id, O, (t += 1_000 + Math.floor(rand() * 3 * HOUR)), { price });
        }
      }
      t += Math.floor(rand() * 4 * DAY);
    }
  }
  return { events, personIds };
}

// ---- the independent calculation -------------------------------------------------------------------

interface Step { event: string; where: FunnelFilter[] }

function matchesFilter(e: Row, f: FunnelFilter): boolean {
  const props = JSON.parse(e.properties || '{}') as Record<string, unknown>;
  const key = f.field.startsWith('properties.') ? f.field.slice('properties.'.length) : null;
  const raw: unknown = key ? props[key] : (e as unknown as Record<string, unknown>)[f.field];
  const numeric = f.field === 'price' || (key !== null && ['gt', 'gte', 'lt', 'lte'].includes(f.op));
  if (numeric) {
    if (raw === null || raw === undefined) return false;
    const x = Number(raw);
    const v = f.value as number;
    return f.op === 'gt' ? x > v : f.op === 'gte' ? x >= v : f.op === 'lt' ? x < v : f.op === 'lte' ? x <= v : f.op === 'eq' ? x === v : x !== v;
  }
  const x = raw === undefined || raw === null ? '' : String(raw);
  if (f.op === 'eq') return x === f.value;
  if (f.op === 'neq') return x !== f.value;
  if (f.op === 'in') return (f.value as string[]).includes(x);
  if (f.op === 'not_in') return !(f.value as string[]).includes(x);
  if (f.op === 'contains') return x.toLowerCase().includes(String(f.value).toLowerCase());
  return !x.toLowerCase().includes(String(f.value).toLowerCase());
}

/** the steps an event satisfies (0-based); step 1 only in range */
const stepsOf = (e: Row, steps: Step[]) =>
  steps.flatMap((s, j) => (e.event === s.event && s.where.every((f) => matchesFilter(e, f)) && (j > 0 || e.timestamp < toMs) ? [j] : []));

/** the longest chain (distinct events, step order, times non-decreasing, within the window of its step-1 event) by search */
function longestChain(evs: Row[], steps: Step[], w: number): number {
  let best = 0;
  const go = (chain: Row[]) => {
    best = Math.max(best, chain.length);
    if (chain.length === steps.length) return;
    const j = chain.length;
    for (const e of evs) {
      if (chain.includes(e) || !stepsOf(e, steps).includes(j)) continue;
      if (j > 0 && (e.timestamp < chain.at(-1)!.timestamp || e.timestamp > chain[0]!.timestamp + w)) continue;
      go([...chain, e]);
    }
  };
  go([]);
  return best;
}

/** strict: from the first step-1 event, stop at an event matching no step, or at a step whose previous step no chain has reached */
function strictLevel(evs: Row[], steps: Step[], w: number): number {
  let seenFirst = false;
  const kept: Row[] = [];
  for (const e of evs) {
    const js = stepsOf(e, steps);
    if (seenFirst && js.length === 0) break;
    if (seenFirst && !js.includes(0) && js.every((j) => longestChain(kept, steps, w) < j)) break;
    kept.push(e);
    if (js.includes(0)) seenFirst = true;
  }
  return longestChain(kept, steps, w);
}

/** the chain times are measured on: the latest step-1 event whose earliest continuation reaches the level */
function timesOf(evs: Row[], steps: Step[], w: number, level: number): number[] | null {
  const byStep = steps.map((_, j) => evs.filter((e) => stepsOf(e, steps).includes(j)).sort((a, b) => a.timestamp - b.timestamp || (a.message_id < b.message_id ? -1 : 1)));
  for (const s of [...byStep[0]!].reverse()) {
    const chain = [s];
    for (let j = 1; j < level; j++) {
      const prev = chain.at(-1)!;
      const next = byStep[j]!.find((e) => (e.timestamp > prev.timestamp || (e.timestamp === prev.timestamp && e !== prev)) && e.timestamp <= s.timestamp + w);
      if (!next) break;
      chain.push(next);
    }
    if (chain.length >= level) return chain.slice(1).map((e, i) => (e.timestamp - chain[i]!.timestamp) / 1000);
  }
  return null;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

function expected(fx: { events: Row[]; personIds: PersonId[] }, steps: Step[], w: number, order: FunnelOrder) {
  const map = new Map(fx.personIds.map((p) => [p.distinct_id, p.person_id]));
  const byPerson = new Map<string, Row[]>();
  for (const e of fx.events) {
    if (!['track', 'page', 'screen'].includes(e.type) || e.timestamp < fromMs || e.timestamp >= toMs + w) continue;
    const p = map.get(e.distinct_id) ?? (e.user_id || e.distinct_id);
    byPerson.set(p, [...(byPerson.get(p) ?? []), e]);
  }
  const levels = new Map<string, number>();
  const times: number[][] = steps.map(() => []);
  for (const [p, evs] of byPerson) {
    // the engine's order: by time, then by step (an event matching no step first)
    const key = (e: Row) => (stepsOf(e, steps).length ? Math.min(...stepsOf(e, steps)) + 1 : 0);
    evs.sort((a, b) => a.timestamp - b.timestamp || key(a) - key(b));
    const level = order === 'loose' ? longestChain(evs, steps, w) : strictLevel(evs, steps, w);
    if (level === 0) continue;
    levels.set(p, level);
    const ts = level >= 2 ? timesOf(evs, steps, w, level) : null;
    ts?.forEach((dt, i) => times[i + 1]!.push(dt));
  }
  const counts = steps.map((_, j) => [...levels.values()].filter((l) => l > j).length);
  const results: FunnelStepResult[] = steps.map((s, j) => {
    const count = counts[j]!;
    const next = j + 1 < counts.length ? counts[j + 1]! : count;
    const q = (x: number) => (j === 0 || times[j]!.length === 0 ? null : Math.round(quantile(times[j]!, x) * 1000) / 1000);
    return {
      step: j + 1, event: s.event, count,
      conversionFromStart: counts[0] ? count / counts[0] : 0,
      conversionFromPrevious: j === 0 ? (count ? 1 : 0) : counts[j - 1] ? count / counts[j - 1]! : 0,
      dropped: count - next, dropOffRate: count ? (count - next) / count : 0,
      medianSeconds: q(0.5), p90Seconds: q(0.9),
    };
  });
  return { results, levels };
}

// ---- the tests ---------------------------------------------------------------------------------------

const parseSteps = (xs: Step[]) => xs.map((x) => funnelStep.parse(x));
const base = { from: FROM, to: TO, tz: TZ };

describe('funnel', () => {
  const fx = fixture();
  let store: OlapStore;
  before(async () => {
    store = await OlapStore.open({ path: dir, database: 'funnel_fixture' });
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
    // two segments for the breakdown: half the crowd, and a few hand-made people (one in both)
    const members = [
      ...['c01', 'c02', 'c03', 'c05', 'c08', 'c13', 'c21', 'c34', 'clean', 'merged'].map((p) => ({ segment_id: 'seg_a', person_id: p })),
      ...['clean', 'interrupted', 'edge_in', 'c02', 'c40'].map((p) => ({ segment_id: 'seg_b', person_id: p })),
    ];
    await store.insert('segment_members', members.map((m) => ({ ...m, is_member: 1, version: 1, changed_at: fromMs })));
  });
  after(() => store?.close());

  const four: Step[] = [V, A, C, O].map((event) => ({ event, where: [] }));
  const cases: { name: string; steps: Step[]; w: number; order: FunnelOrder }[] = [
    { name: '4 steps, loose, 1 day', steps: four, w: DAY, order: 'loose' },
    { name: '4 steps, strict, 1 day', steps: four, w: DAY, order: 'strict' },
    { name: '3 steps, loose, 1 hour (window edges)', steps: four.slice(0, 3), w: HOUR, order: 'loose' },
    { name: '3 steps, strict, 1 hour', steps: four.slice(0, 3), w: HOUR, order: 'strict' },
    { name: 'repeated event: viewed, viewed again, added', steps: [V, V, A].map((event) => ({ event, where: [] })), w: DAY, order: 'loose' },
    { name: 'property filters', steps: [
      { event: V, where: [{ field: 'price', op: 'gte', value: 99 }, { field: 'properties.variant', op: 'in', value: ['红色', '蓝色'] }] },
      { event: A, where: [{ field: 'category', op: 'contains', value: '手机' }] },
      { event: O, where: [] },
    ], w: 2 * DAY, order: 'loose' },
  ];
  for (const c of cases) {
    it(`matches an independent calculation: ${c.name}`, async () => {
      const got = await funnel(store, { ...base, steps: parseSteps(c.steps), windowMs: c.w, order: c.order });
      const want = expected(fx, c.steps, c.w, c.order);
      assert.ok(want.results[0]!.count >= 10 && want.results[1]!.count >= 3, `the fixture exercises the funnel: ${want.results.map((r) => r.count)}`);
      assert.deepEqual(got.steps, want.results);
      assert.deepEqual(got.range, { ...base, days: 14 });
      assert.equal(got.groups, null);
    });
  }

  it('names the people at the edges: window inclusive, order, range, identity, same instant, strict interruptions', async () => {
    const loose = expected(fx, four.slice(0, 3), HOUR, 'loose').levels;
    assert.equal(loose.get('edge_in'), 3, 'the last step exactly at the window edge counts');
    assert.equal(loose.get('edge_out'), 2, 'one millisecond past it does not');
    assert.equal(loose.get('restart'), 3, 'a later step-1 event opens a new window');
    assert.equal(loose.get('backwards'), 1);
    assert.equal(loose.get('early'), undefined, 'entered before the range');
    assert.equal(loose.get('after'), undefined, 'entered after the range');
    assert.equal(loose.get('late'), 2, 'a step after `to` within the window counts');
    assert.equal(loose.get('merged'), 2, 'anonymous view + signed-in add is one person');
    assert.equal(loose.get('same_ms'), 2);
    assert.equal(loose.get('paged'), 2);
    assert.equal(loose.get('identified'), undefined);
    const strict = expected(fx, four, DAY, 'strict').levels;
    assert.equal(strict.get('interrupted'), 1);
    assert.equal(expected(fx, four, DAY, 'loose').levels.get('interrupted'), 4);
    assert.equal(strict.get('clean'), 4);
    assert.equal(strict.get('repeat_v'), 2);
    const repeated = expected(fx, [V, V].map((event) => ({ event, where: [] })), DAY, 'loose').levels;
    assert.equal(repeated.get('clean'), 1, 'one view is not two');
    assert.equal(repeated.get('repeat_v'), 2);

    // and the engine agrees person by person: the dropped ids are exactly those at each level
    for (const [steps, w, order, levels] of [[four.slice(0, 3), HOUR, 'loose', loose], [four, DAY, 'strict', strict]] as const) {
      for (let k = 1; k < steps.length; k++) {
        const got = await funnelDropped(store, { ...base, steps: parseSteps([...steps]), windowMs: w, order, step: k }, 1000);
        const want = [...levels.entries()].filter(([, l]) => l === k).map(([p]) => p).sort();
        assert.deepEqual(got.ids, want, `${order} step ${k}`);
        assert.equal(got.total, want.length);
      }
    }
  });

  it('breaks down by segment: each group is the funnel of its members, a person in two segments counts in both, the total once', async () => {
    const steps = parseSteps(four);
    const got = await funnel(store, { ...base, steps, windowMs: DAY, order: 'loose', breakdown: { by: 'segment', segments: ['seg_a', 'seg_b'] } });
    const { levels } = expected(fx, four, DAY, 'loose');
    const member = new Map<string, string[]>([['seg_a', ['c01', 'c02', 'c03', 'c05', 'c08', 'c13', 'c21', 'c34', 'clean', 'merged']], ['seg_b', ['clean', 'interrupted', 'edge_in', 'c02', 'c40']]]);
    const inAny = new Set([...member.values()].flat());
    const countsOf = (people: string[]) => four.map((_, j) => people.filter((p) => (levels.get(p) ?? 0) > j).length);
    const want = new Map([...member].map(([g, ps]) => [g, countsOf(ps)]));
    want.set('(none)', countsOf([...levels.keys()].filter((p) => !inAny.has(p))));
    assert.deepEqual(new Map(got.groups!.map((g) => [g.group, g.steps.map((s) => s.count)])), new Map([...want].filter(([, c]) => c[0]! > 0)));
    assert.deepEqual(got.steps.map((s) => s.count), countsOf([...levels.keys()]), 'the total counts each person once');
    assert.equal(got.otherGroups, 0);

    // who dropped at step 2 in seg_a
    const dropped = await funnelDropped(store, { ...base, steps, windowMs: DAY, order: 'loose', step: 2, breakdown: { by: 'segment', segments: ['seg_a', 'seg_b'] }, group: 'seg_a' }, 1000);
    assert.deepEqual(dropped.ids, member.get('seg_a')!.filter((p) => levels.get(p) === 2).sort());
  });

  it('an empty range is zeros', async () => {
    const got = await funnel(store, { from: '2023-01-01', to: '2023-01-08', tz: 'UTC', steps: parseSteps(four), windowMs: DAY, order: 'loose' });
    assert.deepEqual(got.steps.map((s) => [s.count, s.medianSeconds]), four.map(() => [0, null]));
  });

  it('refuses filters that do not fit their field, naming the path', () => {
    const bad = [
      [{ field: 'colour', op: 'eq', value: 'x' }, 'field'],
      [{ field: 'price', op: 'contains', value: 'x' }, 'op'],
      [{ field: 'price', op: 'gt', value: 'cheap' }, 'value'],
      [{ field: 'category', op: 'in', value: 'x' }, 'value'],
      [{ field: 'properties.a b', op: 'eq', value: 'x' }, 'field'],
    ] as const;
    for (const [where, field] of bad) {
      const r = funnelStep.safeParse({ event: V, where: [where] });
      assert.equal(r.success, false, JSON.stringify(where));
      assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), [`where.0.${field}`], JSON.stringify(where));
    }
  });
});
