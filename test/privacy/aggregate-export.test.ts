import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { exportToFile } from '../../src/dataout/exports.ts';
import { openScenario, prng, type Scenario } from '../support/scenario.ts';

/**
 * The aggregate export (people per tag value) obeys the minimum group size and the noise setting: tag
 * values for 60 people are written straight into the tag store (a list tag among them), counted here in
 * plain TypeScript, and compared with the CSV ClickHouse writes — exact with k = 0, values held by fewer
 * than k people left out and counted with k = 5, and with noise the same rows, marked, not all exact.
 */
let sc: Scenario;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-aggexp-'));
type Tv = { tag_code: string; person_id: string; value_num: number | null; value_str: string; value_list: string[] };
const values: Tv[] = [];

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-aggexp-' });
  const rand = prng(7);
  const tiers = ['一线', '新一线', '二线', '三线', '四线'];
  for (let i = 0; i < 60; i++) {
    const p = `ag-${i}`;
    // 四线 is rare: a person in about fifteen
    values.push({ tag_code: 'city_tier', person_id: p, value_num: null, value_str: i % 15 === 14 ? '四线' : tiers[Math.floor(rand() * 4)]!, value_list: [] });
    values.push({ tag_code: 'interests', person_id: p, value_num: null, value_str: '', value_list: ['美妆', '数码', '母婴', '运动'].filter(() => rand() < 0.5) });
    values.push({ tag_code: 'vip', person_id: p, value_num: i % 3 === 0 ? 1 : 0, value_str: '', value_list: [] });
  }
  await sc.rt.olap.insert('tag_values', values.map((v) => ({ ...v, value_weights: [], build_id: 'b-test', version: 1, is_deleted: 0 })));
});
after(async () => {
  await sc?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** People per (tag, value), counted here. */
function expected(k: number, tag?: string) {
  const people = new Map<string, Set<string>>();
  for (const v of values) {
    if (tag && v.tag_code !== tag) continue;
    const vals = v.value_list.length ? v.value_list : [v.value_num !== null ? String(v.value_num) : v.value_str];
    for (const x of vals) if (x !== '') people.set(`${v.tag_code}\t${x}`, (people.get(`${v.tag_code}\t${x}`) ?? new Set()).add(v.person_id));
  }
  const all = [...people].map(([key, s]) => ({ key, people: s.size }));
  return { rows: new Map(all.filter((r) => r.people >= k).map((r) => [r.key, r.people])), suppressed: all.filter((r) => r.people < k).length };
}

async function exported(o: { tag?: string; noise?: boolean } = {}) {
  const file = path.join(tmp, `counts-${Math.random().toString(36).slice(2)}.csv`);
  const r = await exportToFile(sc.rt, { kind: 'tag-counts', ...o }, 'csv', file);
  const rows = parseCsv(fs.readFileSync(file), { columns: true }) as { tag_code: string; value: string; people: string }[];
  return { rows: new Map(rows.map((x) => [`${x.tag_code}\t${x.value}`, Number(x.people)])), note: r.aggregate! };
}

describe('aggregate export: people per tag value', () => {
  it('with no minimum, every value with its exact count', async () => {
    sc.rt.config.privacy.minGroupSize = 0;
    const got = await exported();
    assert.deepEqual(got.rows, expected(0).rows);
    assert.deepEqual([got.note.suppressedGroups, got.note.privacy], [0, null]);
  });

  it('with a minimum of 5, rarer values are left out and counted', async () => {
    sc.rt.config.privacy.minGroupSize = 5;
    const want = expected(5);
    assert.ok(want.suppressed >= 1, 'the fixture has a rare value');
    const got = await exported();
    assert.deepEqual(got.rows, want.rows);
    assert.equal(got.note.suppressedGroups, want.suppressed);
    assert.ok(![...got.rows.keys()].includes('city_tier\t四线'));
    const one = await exported({ tag: 'interests' });
    assert.deepEqual(one.rows, expected(5, 'interests').rows);
  });

  it('with noise: the same rows, marked, counts not all exact', async () => {
    sc.rt.config.privacy.minGroupSize = 5;
    const want = expected(5).rows;
    const runs = await Promise.all([1, 2, 3].map(() => exported({ noise: true })));
    for (const r of runs) {
      assert.deepEqual([...r.rows.keys()].sort(), [...want.keys()].sort(), 'thresholded on exact counts, before noise');
      assert.equal(r.note.privacy?.cells, want.size);
      // a person holds one city tier and one vip value, and any of the interests kept
      assert.equal(r.note.privacy?.cellsPerPerson, 1 + 1 + [...want.keys()].filter((key) => key.startsWith('interests\t')).length);
      assert.ok([...r.rows.values()].every((n) => Number.isInteger(n) && n >= 0));
    }
    assert.ok(!runs.every((r) => [...want].every(([key, n]) => r.rows.get(key) === n)), 'three noisy exports all exact');
  });
});
