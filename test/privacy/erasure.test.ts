import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPipeline } from '../../src/ingest/index.ts';
import type { Erasable } from '../../src/privacy/index.ts';
import { DAY, HOUR, msg, openScenario, send, type Msg, type Scenario } from '../support/scenario.ts';

/**
 * Erasure end to end on the real stores: a person present in every store (events from two devices and an
 * alias, a shared device, identity tables and links, tag values and snapshots, dynamic and static segment
 * membership, a webhook delivery, a dead letter) is erased; every count on the receipt matches what the
 * test counted itself beforehand; nothing in either store still names them; rebuilt tags and re-evaluated
 * segments leave them out; and retried messages do not bring them back. A second person is untouched.
 */

// ids with a prefix that nothing else in the stores contains, so "absent" is a plain text search
const SUBJECT = 'zzs-user';
const DEV1 = 'zzs-dev-1';
const DEV2 = 'zzs-dev-2';
const OTHER = 'keep-user';
const OTHER_DEV = 'keep-dev';
const PII = { email: 'zzs.person@example.com', phone: '13912345678', id_number: '110105199001011234' };

let o: Scenario;
const t0 = Date.now() - 20 * DAY;
const subjectMessages: Msg[] = [];
let otherEvents = 0;

const everyCh = async (rt: Scenario['rt']) => {
  // stored tables, and the identity map the embedded engine holds in memory (a Join table)
  const tables = await rt.olap.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} AND (engine LIKE '%MergeTree%' OR engine = 'Join')`, { db: rt.olap.db });
  const text: string[] = [];
  for (const t of tables) for (const r of await rt.olap.query(`SELECT * FROM ${rt.olap.db}.${t.name}`)) text.push(`${t.name} ${JSON.stringify(r)}`);
  return text;
};
const everyPg = async (rt: Scenario['rt'], skip: string[]) => {
  const tables = await rt.oltp.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const text: string[] = [];
  for (const t of tables) {
    if (skip.includes(t.table_name)) continue;
    for (const r of await rt.oltp.query<{ row: string }>(`SELECT t::text AS row FROM "${t.table_name}" t`)) text.push(`${t.table_name} ${r.row}`);
  }
  return text;
};
const mentions = (text: string[], needles: string[]) => text.filter((line) => needles.some((n) => line.includes(n)));

before(async () => {
  o = await openScenario({ live: false, prefix: 'hx-erase-' });
  const { rt } = o;
  // the subject: browses anonymously on two devices, signs up on one, links the other by alias, buys
  subjectMessages.push(
    msg.anon(DEV1, 'Product Viewed', t0, { product_id: 'p1', price: 99 }),
    msg.anon(DEV1, 'Product Viewed', t0 + HOUR, { product_id: 'p2', price: 59 }),
    { ...msg.identify(SUBJECT, t0 + 2 * HOUR, { ...PII, name: '张三', city_tier: '一线' }), anonymousId: DEV1 },
    msg.track(SUBJECT, 'Order Completed', t0 + 3 * HOUR, { order_id: 'o1', revenue: 158, products: [{ product_id: 'p1', price: 99, quantity: 1 }] }),
    msg.anon(DEV2, 'Product Viewed', t0 + DAY, { product_id: 'p3', price: 20 }),
    msg.alias(DEV2, SUBJECT, t0 + DAY + HOUR),
    msg.track(SUBJECT, 'Order Completed', t0 + 2 * DAY, { order_id: 'o2', revenue: 20 }),
  );
  // the other person, whose device the subject later signs in on (the device stays the other person's)
  const other: Msg[] = [
    msg.anon(OTHER_DEV, 'Product Viewed', t0, { product_id: 'p1', price: 99 }),
    { ...msg.identify(OTHER, t0 + HOUR, { email: 'keep@example.com', city_tier: '二线' }), anonymousId: OTHER_DEV },
    msg.track(OTHER, 'Order Completed', t0 + 2 * HOUR, { order_id: 'o9', revenue: 99 }),
  ];
  const shared = { ...msg.track(SUBJECT, 'Product Viewed', t0 + 3 * DAY, { product_id: 'p4', price: 10 }), anonymousId: OTHER_DEV };
  subjectMessages.push(shared);
  otherEvents = other.length;
  await send(rt, other);
  await send(rt, subjectMessages);
  // a message the pipeline rejects: kept as a dead letter with the subject's id in its payload
  const bad = runPipeline({ messages: [msg.track(SUBJECT, 'Order Completed', t0, { revenue: 'lots' })], receivedAt: Date.now(), requestId: 'bad-1', source: 'http', writeKeyId: 'test', maxMessageBytes: 32_768, maxFutureMs: 86_400_000 }, rt.keyring);
  assert.equal(bad.dead.length, 1);
  await rt.writer.submit(bad.rows, bad.dead);

  await rt.tags.build({ asOf: new Date(), trigger: 'test' });
  await rt.recommend.train({ trigger: 'test' });
  await rt.recommend.recordFeedback(DEV1, { kind: 'dislike', itemId: 'p2' });
  await rt.segments.create({ name: 'Buyers', description: '', kind: 'dynamic', rule: { event: 'Order Completed' } }, 'test');
  await rt.segments.create({
    name: 'Uploaded', description: '', kind: 'static', ids: [SUBJECT, OTHER],
    webhook: { url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-sixteen+' },
  }, 'test');
});

after(async () => o?.close());

describe('erasure', () => {
  const ids = [SUBJECT, DEV1, DEV2];
  const expected: Record<string, number> = {};
  let receipt: Awaited<ReturnType<Scenario['rt']['privacy']['erase']>>;

  it('finds the subject in every store before', async () => {
    const { rt } = o;
    const db = rt.olap.db;
    const ch = async (sql: string) => Number((await rt.olap.query<{ n: string }>(sql, { ids }))[0]!.n);
    const pg = async (sql: string) => Number((await rt.oltp.query<{ n: string }>(sql, [ids]))[0]!.n);
    // every message the subject sent was stored (the shared-device one under the other person's device id)
    expected['olap.events'] = await ch(`SELECT count() AS n FROM ${db}.events WHERE distinct_id IN {ids:Array(String)} OR user_id IN {ids:Array(String)}`);
    assert.equal(expected['olap.events'], subjectMessages.length);
    expected['olap.person_ids'] = await ch(`SELECT count() AS n FROM ${db}.person_ids WHERE distinct_id IN {ids:Array(String)} OR person_id IN {ids:Array(String)}`);
    expected['olap.tag_values'] = await ch(`SELECT count() AS n FROM ${db}.tag_values WHERE person_id IN {ids:Array(String)}`);
    expected['olap.tag_snapshots'] = await ch(`SELECT count() AS n FROM ${db}.tag_snapshots WHERE person_id IN {ids:Array(String)}`);
    expected['olap.segment_members'] = await ch(`SELECT count() AS n FROM ${db}.segment_members WHERE person_id IN {ids:Array(String)}`);
    expected['olap.segment_changes'] = await ch(`SELECT count() AS n FROM ${db}.segment_changes WHERE person_id IN {ids:Array(String)}`);
    expected['olap.dead_letters'] = await ch(`SELECT count() AS n FROM ${db}.dead_letters WHERE position(payload, '${SUBJECT}') > 0`);
    expected['oltp.identities'] = await pg(`SELECT count(*) AS n FROM identities WHERE distinct_id = ANY($1) OR person_id = ANY($1)`);
    // the subject's own links, plus the other person's link whose outcome names the subject (the shared device)
    expected['oltp.identity_links'] = await pg(`SELECT count(*) AS n FROM identity_links WHERE from_id = ANY($1) OR to_id = ANY($1) OR outcome LIKE '%zzs-%'`);
    expected['oltp.recommend_feedback'] = await pg(`SELECT count(*) AS n FROM recommend_feedback WHERE person_id = ANY($1)`);
    expected['oltp.webhook_deliveries'] = await pg(`SELECT count(*) AS n FROM webhook_deliveries WHERE body LIKE '%zzs-%' AND $1::text[] IS NOT NULL`);
    for (const [store, n] of Object.entries(expected)) assert.ok(n > 0, `${store} holds the subject before erasure`);
    // tables other modules add (analytics copies of events …), counted here by whichever id columns they have
    const others = await rt.olap.query<{ table: string; names: string[] }>(
      `SELECT table, groupArray(name) AS names FROM system.columns WHERE database = {db:String} AND name IN ('distinct_id', 'user_id', 'person_id', 'distinct_hash', 'person_hash')
         AND table IN (SELECT name FROM system.tables WHERE database = {db:String} AND (engine LIKE '%MergeTree%' OR engine = 'Join')) GROUP BY table`,
      { db },
    );
    for (const { table, names } of others) {
      if (`olap.${table}` in expected || table === 'events') continue;
      const held = (n: string) => (n.endsWith('_hash') ? `${n} IN (SELECT cityHash64(arrayJoin({ids:Array(String)})))` : `${n} IN {ids:Array(String)}`);
      expected[`olap.${table}`] = await ch(`SELECT count() AS n FROM ${db}.${table} WHERE ${names.map(held).join(' OR ')}`);
    }
    assert.equal(expected['oltp.identities'], 3);
    assert.ok(expected['olap.identity_join']! > 0, 'the in-memory identity map holds the subject\'s devices (as hashes)');
    assert.equal(expected['olap.segment_members'], 2, 'in the dynamic and the static segment');
    const state = await rt.recommend.userState(SUBJECT);
    assert.ok(state.u >= 0 && state.history.length > 0, 'the trained recommendation models know the subject');
  });

  it('erases across every store with a receipt whose counts match', async () => {
    const { rt } = o;
    receipt = await rt.privacy.erase(DEV2, { actor: 'tok_test', role: 'admin' });
    assert.equal(receipt.userId, DEV2);
    assert.equal(receipt.ids, 3, 'the request named a device id; the identity graph found all three ids');
    // the stores this file counted itself; stores other modules register (loyalty, recommendations …) are on
    // the receipt too, and the scan below proves they kept nothing
    for (const [store, n] of Object.entries(expected)) assert.equal(receipt.stores[store], n, store);
    assert.deepEqual(Object.keys(receipt.stores).sort(), rt.privacy.registry.list().map((s) => s.name).sort());
    // audited under the person, whichever of their ids the request named
    const audit = await rt.audit.search({ action: 'profile.erase', subject: SUBJECT });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.details.receipt, receipt.id);
    const stored = await rt.privacy.receipt(receipt.id);
    assert.deepEqual(stored?.stores, receipt.stores);
  });

  it('leaves no row naming the subject or holding their personal data, in either store', async () => {
    const { rt } = o;
    const needles = ['zzs-', PII.email, PII.phone, PII.id_number];
    const ch = await everyCh(rt);
    const pg = await everyPg(rt, []);
    assert.ok(mentions(ch, [OTHER]).length > 0 && mentions(pg, [OTHER]).length > 0, 'the scans see the other person\'s rows');
    assert.deepEqual(mentions(ch, needles), []);
    // the audit log, the receipts and the tombstones hold keyed pseudonyms only: searched for the plain ids too
    assert.deepEqual(mentions(pg, needles), []);
    assert.equal((await rt.identity.idsOf(SUBJECT)).anonymousIds.length, 0);
  });

  it('leaves the other person as they were', async () => {
    const { rt } = o;
    const [n] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${rt.olap.db}.events WHERE distinct_id IN ('keep-user', 'keep-dev')`);
    assert.equal(Number(n!.n), otherEvents);
    const { values } = await rt.tags.valuesOf(OTHER);
    assert.ok(values.length > 0);
    const links = await rt.oltp.query<{ to_id: string; outcome: string }>(`SELECT to_id, outcome FROM identity_links WHERE from_id = 'keep-dev'`);
    assert.deepEqual(links, [{ to_id: OTHER, outcome: 'linked' }], 'the device keeps its own link; the subject\'s sign-in on it is gone');
    const [delivery] = await rt.oltp.query<{ body: string }>('SELECT body FROM webhook_deliveries');
    assert.deepEqual(JSON.parse(delivery!.body).userIds, [OTHER]);
  });

  it('keeps the subject out of rebuilt tags, re-evaluated segments and retrained recommendations', async () => {
    const { rt } = o;
    await rt.tags.build({ asOf: new Date(), trigger: 'test' });
    await rt.recommend.train({ trigger: 'test' });
    const state = await rt.recommend.userState(SUBJECT);
    assert.equal(state.u, -1, 'the retrained models have no row for the subject');
    assert.deepEqual(state.history, [], 'and no interaction history');
    for (const s of await rt.segments.store.list()) await rt.segments.evaluate(s.id, 'test');
    const db = rt.olap.db;
    const [tv] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.tag_values WHERE person_id IN {ids:Array(String)}`, { ids });
    const [sm] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.segment_members WHERE person_id IN {ids:Array(String)}`, { ids });
    assert.equal(Number(tv!.n), 0);
    assert.equal(Number(sm!.n), 0);
    assert.deepEqual(await rt.segments.memberIds((await rt.segments.store.list()).find((s) => s.name === 'Buyers')!.id), [OTHER]);
    assert.equal(await rt.privacy.export(SUBJECT, { actor: 'tok_test', role: 'admin' }), null);
  });

  it('drops retried and new messages of the erased person at ingestion', async () => {
    const { rt } = o;
    const again = await send(rt, [...subjectMessages, msg.anon(DEV1, 'Product Viewed', Date.now() - HOUR, { product_id: 'p9' })]);
    assert.equal(again.stored, 0);
    const fresh = await send(rt, [msg.track('newcomer', 'Product Viewed', Date.now() - HOUR, { product_id: 'p9' })]);
    assert.equal(fresh.stored, 1, 'other people are still stored');
    const [n] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${rt.olap.db}.events WHERE distinct_id IN {ids:Array(String)} OR user_id IN {ids:Array(String)}`, { ids });
    assert.equal(Number(n!.n), 0);
  });

  it('answers a second erasure of the same person with a receipt of zeros', async () => {
    const second = await o.rt.privacy.erase(SUBJECT, { actor: 'tok_test', role: 'admin' });
    assert.ok(Object.values(second.stores).every((n) => n === 0), JSON.stringify(second.stores));
  });

  it('runs stores other modules register, and counts them on the receipt', async () => {
    const { rt } = o;
    const held = new Map([['reg-user', 3], ['reg-dev', 2]]);
    const store: Erasable = {
      name: 'test.registered',
      description: 'a store another module owns',
      count: async (s) => s.ids.reduce((n, id) => n + (held.get(id) ?? 0), 0),
      erase: async (s) => { for (const id of s.ids) held.delete(id); },
    };
    rt.privacy.registry.register(store);
    await send(rt, [{ ...msg.identify('reg-user', Date.now() - HOUR, { city_tier: '一线' }), anonymousId: 'reg-dev' }]);
    const r = await rt.privacy.erase('reg-user', { actor: 'tok_test', role: 'admin' });
    assert.equal(r.stores['test.registered'], 5);
    assert.equal(held.size, 0);
    assert.equal(r.stores['olap.events'], 1);
  });
});
