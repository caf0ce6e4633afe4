import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OlapStore } from '../../src/store/olap/index.ts';
import { retention, type CohortMode, type Retention, type RetentionMode, type RetentionCurve } from '../../src/analytics/queries/retention.ts';
import type { Granularity } from '../../src/analytics/queries/retentionPeriods.ts';
import type { EventRow } from '../../src/events/index.ts';

/**
 * The retention query against the real engine (chdb) on a seeded shop, every cohort cell and the average
 * curve checked against an independent calculation in plain TypeScript over the same rows: by day, week
 * and month, n-day and unbounded, first-ever and recurring cohorts, chosen cohort and return events, two
 * timezones, a segment filter and a segment breakdown.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-retention-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Row = Pick<EventRow, 'message_id' | 'type' | 'event' | 'distinct_id' | 'anonymous_id' | 'user_id' | 'timestamp' | 'original_timestamp' | 'received_at'>;
interface PersonId { distinct_id: string; person_id: string; version: number; is_deleted: number }

const DAY = 86_400_000;
const EVENTS = ['Product Viewed', 'Product Added', 'Order Completed', 'Products Searched'];

function fixture(seed = 5): { events: Row[]; personIds: PersonId[] } {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const events: Row[] = [];
  const personIds: PersonId[] = [];
  let n = 0;
  const emit = (distinct_id: string, user_id: string, type: string, event: string, ts: number) =>
    events.push({ message_id: `r${String(++n).padStart(6, '0')}`, type, event, distinct_id, anonymous_id: user_id ? '' : distinct_id, user_id, timestamp: ts, original_timestamp: ts, received_at: ts });
  const start = Date.UTC(2024, 0, 1); // a Monday; the shop runs to the end of April
  for (let i = 1; i <= 120; i++) {
    const u = `p${String(i).padStart(3, '0')}`;
    const anon = `a${String(i).padStart(3, '0')}`;
    // a third browse anonymously first and are merged later
    const merged = i % 3 === 0;
    if (merged) personIds.push({ distinct_id: anon, person_id: u, version: 1, is_deleted: 0 }, { distinct_id: u, person_id: u, version: 1, is_deleted: 0 });
    let t = start + Math.floor(rand() * 110 * DAY) + Math.floor(rand() * DAY);
    const loyalty = rand();
    const visits = 1 + Math.floor(rand() * 14);
    for (let v = 0; v < visits; v++) {
      const id = merged && v === 0 ? anon : u;
      const user = merged && v === 0 ? '' : u;
      emit(id, user, rand() < 0.15 ? 'page' : 'track', rand() < 0.15 ? 'Home' : 'Product Viewed', t);
      if (rand() < 0.5) emit(id, user, 'track', EVENTS[Math.floor(rand() * EVENTS.length)]!, t + 60_000);
      if (rand() < 0.2) emit(id, user, 'identify', '', t + 90_000); // bookkeeping: never a return
      // near midnight in Shanghai now and then, so the two timezones disagree about the day
      t += Math.floor((rand() < loyalty ? 1 + rand() * 6 : 10 + rand() * 30) * DAY) + (rand() < 0.3 ? 15 * 3_600_000 + Math.floor(rand() * 2 * 3_600_000) : 0);
    }
  }
  return { events, personIds };
}

// ---- the independent calculation -------------------------------------------------------------------

const offset: Record<string, number> = { UTC: 0, 'Asia/Shanghai': 8 };
const dayOf = (ms: number, tz: string) => new Date(ms + offset[tz]! * 3_600_000).toISOString().slice(0, 10);
const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const weekday = (d: string) => (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
/** a period's first day */
const startOf = (d: string, g: Granularity) => (g === 'day' ? d : g === 'week' ? shift(d, -weekday(d)) : `${d.slice(0, 7)}-01`);
/** whole periods from a to b (both period starts) */
const between = (a: string, b: string, g: Granularity) => {
  if (g === 'month') return (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
  const days = Math.round((Date.parse(b) - Date.parse(a)) / DAY);
  return g === 'day' ? days : days / 7;
};

interface Q { from: string; to: string; tz: 'UTC' | 'Asia/Shanghai'; granularity: Granularity; periods: number; mode: RetentionMode; cohortEvent: string | null; cohortMode: CohortMode; returnEvent: string | null }

function expected(fx: { events: Row[]; personIds: PersonId[] }, q: Q, only?: Set<string>) {
  const map = new Map(fx.personIds.map((p) => [p.distinct_id, p.person_id]));
  const first = startOf(q.from, q.granularity);
  const last = startOf(shift(q.to, -1), q.granularity);
  const lastIndex = between(first, last, q.granularity);
  const people = new Map<string, { day: string; event: string }[]>();
  for (const e of fx.events) {
    if (!['track', 'page', 'screen'].includes(e.type)) continue;
    const day = dayOf(e.timestamp, q.tz);
    if (day >= q.to) continue;
    const p = map.get(e.distinct_id) ?? (e.user_id || e.distinct_id);
    if (only && !only.has(p)) continue;
    people.set(p, [...(people.get(p) ?? []), { day, event: e.event }]);
  }
  // cohort index (periods after `first`) → per person retained flags
  const cohorts = new Map<number, { size: number; retained: number[] }>();
  for (const evs of people.values()) {
    const isCohort = (x: { event: string }) => q.cohortEvent === null || x.event === q.cohortEvent;
    const isReturn = (x: { event: string }) => q.returnEvent === null || x.event === q.returnEvent;
    let cs: number[];
    if (q.cohortMode === 'first') {
      const days = evs.filter(isCohort).map((x) => x.day).sort();
      cs = days.length && days[0]! >= first ? [between(first, startOf(days[0]!, q.granularity), q.granularity)] : [];
    } else {
      cs = [...new Set(evs.filter((x) => isCohort(x) && x.day >= first).map((x) => between(first, startOf(x.day, q.granularity), q.granularity)))];
    }
    const returns = new Set(evs.filter((x) => isReturn(x) && x.day >= first).map((x) => between(first, startOf(x.day, q.granularity), q.granularity)));
    for (const c of cs) {
      const co = cohorts.get(c) ?? { size: 0, retained: new Array<number>(q.periods).fill(0) };
      cohorts.set(c, co);
      co.size++;
      for (let k = 1; k <= q.periods; k++) {
        const back = q.mode === 'n-day' ? returns.has(c + k) : [...returns].some((r) => r >= c + k);
        if (back) co.retained[k - 1]! += 1;
      }
    }
  }
  const list: Retention['cohorts'] = [];
  const curve: RetentionCurve = { retained: new Array(q.periods + 1).fill(0), sizes: new Array(q.periods + 1).fill(0), rates: [] };
  for (let c = 0; c <= lastIndex; c++) {
    const co = cohorts.get(c);
    const size = co?.size ?? 0;
    const retained = Array.from({ length: q.periods + 1 }, (_, k) => (c + k > lastIndex ? null : k === 0 ? size : co?.retained[k - 1] ?? 0));
    let startDay = first;
    for (let i = 0; i < c; i++) startDay = q.granularity === 'month' ? startOf(shift(startDay, 31), 'month') : shift(startDay, q.granularity === 'day' ? 1 : 7);
    list.push({ start: startDay, size, retained, rates: retained.map((x) => (x === null || !size ? null : x / size)) });
    retained.forEach((x, k) => {
      if (x === null) return;
      curve.retained[k]! += x;
      curve.sizes[k]! += size;
    });
  }
  curve.rates = curve.retained.map((r, k) => (curve.sizes[k] ? r / curve.sizes[k]! : null));
  return { from: first, cohorts: list, average: curve };
}

// ---- the tests ---------------------------------------------------------------------------------------

describe('retention', () => {
  const fx = fixture();
  let store: OlapStore;
  const segA = new Set(Array.from({ length: 120 }, (_, i) => `p${String(i + 1).padStart(3, '0')}`).filter((_, i) => i % 4 === 1 || i % 5 === 0));
  const segB = new Set(['p002', 'p003', 'p010', 'p011', 'p050', 'p051', 'p052', 'p099']);
  before(async () => {
    store = await OlapStore.open({ path: dir, database: 'retention_fixture' });
    await store.insert('events', fx.events);
    await store.insert('person_ids', fx.personIds);
    const rows = [...[...segA].map((p) => ({ segment_id: 'seg_a', person_id: p })), ...[...segB].map((p) => ({ segment_id: 'seg_b', person_id: p }))];
    // one member who left: a later version says not a member
    await store.insert('segment_members', [...rows.map((r) => ({ ...r, is_member: 1, version: 1, changed_at: 0 })), { segment_id: 'seg_b', person_id: 'p099', is_member: 0, version: 2, changed_at: 0 }]);
  });
  after(() => store?.close());

  const cases: Q[] = [
    { from: '2024-01-01', to: '2024-04-01', tz: 'Asia/Shanghai', granularity: 'week', periods: 12, mode: 'n-day', cohortEvent: null, cohortMode: 'first', returnEvent: null },
    { from: '2024-01-03', to: '2024-04-20', tz: 'UTC', granularity: 'week', periods: 8, mode: 'unbounded', cohortEvent: null, cohortMode: 'first', returnEvent: null },
    { from: '2024-02-01', to: '2024-02-20', tz: 'Asia/Shanghai', granularity: 'day', periods: 10, mode: 'n-day', cohortEvent: 'Product Added', cohortMode: 'any', returnEvent: null },
    { from: '2024-01-15', to: '2024-05-01', tz: 'UTC', granularity: 'month', periods: 3, mode: 'n-day', cohortEvent: 'Product Viewed', cohortMode: 'first', returnEvent: 'Order Completed' },
    { from: '2024-01-01', to: '2024-04-15', tz: 'Asia/Shanghai', granularity: 'week', periods: 6, mode: 'unbounded', cohortEvent: null, cohortMode: 'any', returnEvent: 'Product Viewed' },
  ];
  for (const q of cases) {
    it(`matches an independent calculation: ${q.granularity}, ${q.mode}, ${q.cohortMode} ${q.cohortEvent ?? 'any event'} → ${q.returnEvent ?? 'any event'}, ${q.from} … ${q.to} ${q.tz}`, async () => {
      const got = await retention(store, q);
      const want = expected(fx, q);
      assert.ok(want.cohorts.filter((c) => c.size > 0).length >= 2 && want.average.retained.slice(1).some((x) => x > 0), 'the fixture exercises the case');
      assert.deepEqual(got.range, { from: want.from, to: q.to, tz: q.tz });
      assert.deepEqual(got.cohorts, want.cohorts);
      assert.deepEqual(got.average, want.average);
      assert.equal(got.groups, null);
    });
  }

  it('n-day never exceeds unbounded, and unbounded never rises with k', async () => {
    const q = cases[0]!;
    const nDay = await retention(store, q);
    const unb = await retention(store, { ...q, mode: 'unbounded' });
    nDay.cohorts.forEach((c, i) => c.retained.forEach((x, k) => x !== null && assert.ok(x <= unb.cohorts[i]!.retained[k]!)));
    for (const c of unb.cohorts) for (let k = 2; k < c.retained.length; k++) if (c.retained[k] !== null) assert.ok(c.retained[k]! <= c.retained[k - 1]!);
  });

  it('filters to a segment and breaks down by segments (a left member is out; the total counts each person once)', async () => {
    const q = cases[0]!;
    const onlyA = await retention(store, { ...q, segment: 'seg_a' });
    assert.deepEqual(onlyA.cohorts, expected(fx, q, segA).cohorts);
    const b = new Set([...segB].filter((p) => p !== 'p099'));
    const got = await retention(store, { ...q, breakdown: { by: 'segment', segments: ['seg_a', 'seg_b'] } });
    assert.deepEqual(got.cohorts, expected(fx, q).cohorts, 'the triangle is everyone');
    const inAny = new Set([...segA, ...b]);
    const none = new Set([...new Set(fx.events.map((e) => fx.personIds.find((p) => p.distinct_id === e.distinct_id)?.person_id ?? (e.user_id || e.distinct_id)))].filter((p) => !inAny.has(p)));
    const want = [['seg_a', segA], ['seg_b', b], ['(none)', none]] as const;
    for (const [group, members] of want) {
      const w = expected(fx, q, members);
      const g = got.groups!.find((x) => x.group === group);
      assert.ok(g, group);
      assert.equal(g.size, w.cohorts.reduce((a, c) => a + c.size, 0), group);
      assert.deepEqual(g.curve, w.average, group);
    }
    assert.equal(got.groups!.length, 3);
  });
});
