import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/server/access.ts';
import { openScenario, type Scenario } from '../support/scenario.ts';
import { loadShop, OC, personalValues, shop, startApi, type Person } from './fixture.ts';

/**
 * The analysts' SQL console: answers over the safe views equal what the messages say; the views carry no
 * personal column or value; writes, raw tables, other databases, file access and SETTINGS are refused with
 * a 400 that names the rule; the row limit and the timeout hold, and a query that hit them leaves the
 * console working.
 */

let sc: Scenario;
let app: FastifyInstance;
let base = '';
let tokens: Record<Role, string>;
let people: Person[];
let safe = '';
let db = '';

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-sql-' });
  ({ people } = await loadShop(sc));
  ({ app, base, tokens } = await startApi(sc));
  db = sc.rt.olap.db;
  safe = `${db}_safe`;
});
after(async () => {
  await app?.close();
  await sc?.close();
});

interface Result {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

async function sql(body: Record<string, unknown>, role: Role = 'analyst'): Promise<{ status: number; body: Result & { error?: { code: string; message: string } } }> {
  const res = await fetch(`${base}/api/v1/sql`, { method: 'POST', headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

async function refused(query: string, code: string, message: RegExp): Promise<void> {
  const r = await sql({ query });
  assert.equal(r.status, 400, `${query} → ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error!.code, code, query);
  assert.match(r.body.error!.message, /^body\.query: /, query);
  assert.match(r.body.error!.message, message, query);
}

describe('answers over the safe views', () => {
  it('events per name, resolved to persons, equal the counts in the messages', async () => {
    const r = await sql({ query: `SELECT event, count() AS n, uniqExact(person_id) AS people FROM ${safe}.events WHERE type = 'track' GROUP BY event ORDER BY event` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.columns.map((c) => c.name), ['event', 'n', 'people']);
    const { messages } = shop();
    const want = new Map<string, { n: number; people: Set<string> }>();
    for (const m of messages.filter((x) => x.type === 'track')) {
      const person = String(m.userId ?? String(m.anonymousId).replace(/^danon-/, ''));
      const w = want.get(String(m.event)) ?? { n: 0, people: new Set() };
      w.n++;
      w.people.add(person);
      want.set(String(m.event), w);
    }
    assert.deepEqual(r.body.rows, [...want.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([e, w]) => [e, w.n, w.people.size]));
  });

  it('joins across views: buyers per plan', async () => {
    const r = await sql({
      query: `SELECT JSONExtractString(p.traits, 'plan') AS plan, count() AS buyers
              FROM ${safe}.profiles AS p INNER JOIN ${safe}.segment_members AS m ON m.person_id = p.person_id
              GROUP BY plan ORDER BY plan`,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const want = new Map<string, number>();
    for (const p of people.filter((x) => x.orders > 0)) want.set(p.plan, (want.get(p.plan) ?? 0) + 1);
    assert.deepEqual(r.body.rows, [...want.entries()].sort());
    assert.ok(people.some((p) => p.orders === 0), 'some people are not buyers, so the join filters');
  });

  it('the views carry no personal column, and no personal value', async () => {
    const res = await fetch(`${base}/api/v1/sql/views`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    const { views } = (await res.json()) as { views: { name: string; columns: { name: string }[] }[] };
    assert.deepEqual(views.map((v) => v.name).sort(), ['events', 'identities', 'items', 'profiles', 'segment_changes', 'segment_members', 'tags'].map((v) => `${safe}.${v}`).sort());
    const forbidden = ['pii', 'email_hash', 'phone_hash', 'ip_masked', 'user_agent', 'properties', 'context', 'page_url', 'referrer', 'email', 'phone', 'name', 'address', 'birthday'];
    for (const v of views) {
      assert.ok(v.columns.length > 0, v.name);
      for (const c of v.columns) assert.ok(!forbidden.includes(c.name), `${v.name}.${c.name} is personal`);
    }
    const values = personalValues(people);
    for (const v of views) {
      const r = await sql({ query: `SELECT * FROM ${v.name}`, maxRows: 10_000 });
      assert.equal(r.status, 200, `${v.name}: ${JSON.stringify(r.body)}`);
      const text = JSON.stringify(r.body.rows);
      for (const x of values) assert.ok(!text.includes(x), `${v.name} shows ${x}`);
    }
    await refused(`SELECT pii FROM ${safe}.events`, 'sql_error', /pii/);
  });
});

describe('what the console refuses', () => {
  it('writes and other statements', async () => {
    await refused(`DROP TABLE ${db}.events`, 'sql_not_select', /only SELECT statements are allowed; this is DROP TABLE/);
    await refused(`INSERT INTO ${db}.events (message_id) VALUES ('x')`, 'sql_not_select', /INSERT INTO/);
    await refused(`ALTER TABLE ${db}.events DELETE WHERE 1`, 'sql_not_select', /ALTER TABLE/);
    await refused(`CREATE TABLE ${safe}.t (x UInt8) ENGINE = Memory`, 'sql_not_select', /CREATE TABLE/);
    await refused(`SELECT 1; DROP TABLE ${db}.events`, 'sql_syntax', /Multi-statements are not allowed/);
    await refused(`SELECT 1 SETTINGS readonly = 0`, 'sql_not_allowed', /SETTINGS clause is not allowed/);
    await refused(`SELECT * FROM (SELECT 1 SETTINGS readonly = 0)`, 'sql_not_allowed', /SETTINGS clause is not allowed/);
    await refused(`SELECT 1 INTO OUTFILE '/tmp/x.csv'`, 'sql_not_allowed', /INTO OUTFILE/);
    // nothing was written: the events are all there
    const r = await sql({ query: `SELECT count() FROM ${safe}.events` });
    assert.deepEqual(r.body.rows, [[shop().messages.length]]);
  });

  it('the raw tables, other databases and reads outside the views', async () => {
    await refused(`SELECT * FROM ${db}.events`, 'sql_not_allowed', new RegExp(`table ${db}\\.events is not allowed`));
    await refused(`SELECT count() FROM ${safe}.events WHERE distinct_id IN (SELECT distinct_id FROM ${db}.person_ids)`, 'sql_not_allowed', new RegExp(`${db}\\.person_ids`));
    await refused(`SELECT count() FROM ${safe}.events WHERE distinct_id IN ${db}.person_ids`, 'sql_not_allowed', new RegExp(`${db}\\.person_ids`));
    await refused(`WITH raw AS (SELECT pii FROM ${db}.events) SELECT * FROM raw`, 'sql_not_allowed', new RegExp(`${db}\\.events`));
    await refused(`SELECT * FROM system.tables`, 'sql_not_allowed', /system\.tables is not allowed/);
    await refused(`SELECT count() FROM events`, 'sql_not_allowed', /safe views/);
    await refused(`SELECT file('/etc/hostname')`, 'sql_not_allowed', /function file\(\) is not allowed/);
    await refused(`SELECT * FROM file('/etc/hostname', LineAsString)`, 'sql_not_allowed', /table function file\(\) is not allowed/);
    await refused(`SELECT * FROM merge('${db}', '.*')`, 'sql_not_allowed', /table function merge\(\) is not allowed/);
    await refused(`SELECT * FROM url('http://127.0.0.1:9/x', CSV)`, 'sql_not_allowed', /table function url\(\) is not allowed/);
  });

  it('bad input and roles', async () => {
    const r = await sql({ query: '' });
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /^body\.query: /);
    const limit = await sql({ query: 'SELECT 1', maxRows: 100_000 });
    assert.match(limit.body.error!.message, /^body\.maxRows: /);
    await refused('SELEC 1', 'sql_syntax', /Syntax error/);
    assert.equal((await sql({ query: `SELECT 1` }, 'viewer')).status, 403);
    assert.equal((await sql({ query: `SELECT 1` }, 'analyst')).status, 200);
  });
});

describe('limits', () => {
  it('a result larger than maxRows is cut at maxRows and says so', async () => {
    const r = await sql({ query: `SELECT person_id FROM ${safe}.profiles ORDER BY person_id`, maxRows: 5 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.rows, people.map((p) => p.id).sort().slice(0, 5).map((id) => [id]));
    assert.equal(r.body.truncated, true);
    const all = await sql({ query: `SELECT person_id FROM ${safe}.profiles`, maxRows: people.length });
    assert.equal(all.body.rowCount, people.length);
    assert.equal(all.body.truncated, false);
  });

  it('a query over the time limit is stopped by the engine, and the console keeps answering correctly', async () => {
    const started = Date.now();
    const slow = await sql({ query: `SELECT count() FROM numbers(100000000000)`, timeoutSeconds: 1 });
    assert.equal(slow.status, 400);
    assert.equal(slow.body.error!.code, 'sql_timeout');
    assert.match(slow.body.error!.message, /^body\.query: the query ran longer than the limit of 1 s/);
    assert.ok(Date.now() - started < 60_000);
    const next = await sql({ query: `SELECT count() AS orders FROM ${safe}.events WHERE event = '${OC}'` });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.deepEqual(next.body.rows, [[people.reduce((s, p) => s + p.orders, 0)]]);
  });
});
