import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { IDENTITY_JOIN } from '../../src/identity/engineMap.ts';
import { openRuntime } from '../../src/runtime.ts';
import { DAY, HOUR, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * The embedded engine's in-memory identity map (src/identity/engineMap.ts): segment rules over everyone
 * resolve devices through it, so it must say what person_ids says at every moment — after links made while
 * the process runs, after a restart (it is memory only and refilled at open), after an erasure.
 */
let o: Scenario;
const t0 = Date.now() - 5 * DAY;

/**
 * What person_ids FINAL says for each id (its person, or '' for itself), and what the Join table says,
 * its hashes turned back into ids (the ids of this test and their hashes, computed by the engine).
 */
async function both(rt: Scenario['rt'], ids: string[]) {
  const db = rt.olap.db;
  const [row] = await rt.olap.query<{ join: string[]; hashes: string[] }>(
    `SELECT arrayMap(i -> toString(joinGet('${db}.${IDENTITY_JOIN}', 'person_hash', cityHash64(i))), {ids:Array(String)}) AS join,
            arrayMap(i -> toString(cityHash64(i)), {ids:Array(String)}) AS hashes`,
    { ids },
  );
  const idOf = new Map(row!.hashes.map((h, i) => [h, ids[i]!]));
  const rows = await rt.olap.query<{ distinct_id: string; person_id: string }>(`SELECT distinct_id, person_id FROM ${db}.person_ids FINAL WHERE distinct_id IN {ids:Array(String)}`, { ids });
  const of = new Map(rows.map((r) => [r.distinct_id, r.person_id === r.distinct_id ? '' : r.person_id]));
  return { join: row!.join.map((h) => (h === '0' ? '' : (idOf.get(h) ?? `unknown hash ${h}`))), final: ids.map((i) => of.get(i) ?? '') };
}

before(async () => {
  o = await openScenario({ live: false, prefix: 'hx-idjoin-' });
});
after(async () => o?.close());

describe('the in-memory identity map', () => {
  const ids = ['dev-a', 'dev-b', 'user-1', 'dev-c', 'user-2', 'never-seen'];

  it('follows the links made while the process runs (identify, alias, a later merge of two users)', async () => {
    const { rt } = o;
    await send(rt, [
      msg.anon('dev-a', 'Product Viewed', t0, { product_id: 'p1' }),
      { ...msg.identify('user-1', t0 + HOUR, { plan: 'gold' }), anonymousId: 'dev-a' },
      msg.anon('dev-b', 'Product Viewed', t0 + 2 * HOUR, { product_id: 'p2' }),
      msg.alias('dev-b', 'user-1', t0 + 3 * HOUR),
      msg.anon('dev-c', 'Product Viewed', t0 + 4 * HOUR, { product_id: 'p3' }),
      { ...msg.identify('user-2', t0 + 5 * HOUR, {}), anonymousId: 'dev-c' },
    ]);
    const r = await both(rt, ids);
    assert.deepEqual(r.join, ['user-1', 'user-1', '', 'user-2', '', '']);
    assert.deepEqual(r.join, r.final);
    // a later alias merges user-2 (and its device) into user-1: the map moves both, as person_ids does
    await send(rt, [msg.alias('user-2', 'user-1', t0 + 6 * HOUR)]);
    const merged = await both(rt, ids);
    assert.deepEqual(merged.join, ['user-1', 'user-1', '', 'user-1', 'user-1', '']);
    assert.deepEqual(merged.join, merged.final);
  });

  it('a preview over everyone counts a merged person once, through the map', async () => {
    const { rt } = o;
    await rt.tags.build({ asOf: new Date(), trigger: 'test' });
    const p = await rt.segments.preview({ event: 'Product Viewed', count: { op: 'gte', value: 3 } }, 10);
    assert.deepEqual(p.sample, ['user-1'], 'user-1\'s three devices viewed once each');
    assert.equal(p.count, 1);
  });

  it('is refilled from person_ids when the store is opened again (it is held in memory only)', async () => {
    const before = await both(o.rt, ids);
    await o.rt.close();
    const rt = await openRuntime(testConfig({ dataDir: o.dir, logLevel: 'silent' }), { command: 'test' });
    o = { ...o, rt, close: async () => { await rt.close(); fs.rmSync(o.dir, { recursive: true, force: true }); } };
    const [n] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${rt.olap.db}.${IDENTITY_JOIN}`);
    assert.ok(Number(n!.n) >= 5);
    assert.deepEqual(await both(rt, ids), before);
  });

  it('loses an erased person\'s ids with the erasure', async () => {
    const { rt } = o;
    const receipt = await rt.privacy.erase('user-1', { actor: 'tok_test', role: 'admin' });
    assert.equal(receipt.stores['olap.identity_join'], 5, `the receipt counts the map's rows (three devices, two user ids): ${JSON.stringify(receipt.stores)}`);
    const left = await rt.olap.query<{ distinct_hash: string }>(
      `SELECT distinct_hash FROM ${rt.olap.db}.${IDENTITY_JOIN} WHERE distinct_hash IN (SELECT cityHash64(arrayJoin({ids:Array(String)})))`,
      { ids: ['dev-a', 'dev-b', 'dev-c', 'user-1', 'user-2'] },
    );
    assert.deepEqual(left, []);
    const [n] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${rt.olap.db}.${IDENTITY_JOIN}`);
    assert.equal(Number(n!.n), 0, 'nobody else was in it');
  });
});
