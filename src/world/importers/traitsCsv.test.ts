import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runPipeline } from '../../ingest/index.ts';
import { getProfile } from '../../profiles/index.ts';
import type { Runtime } from '../../runtime.ts';
import { runImport } from './run.ts';
import { fixture, readCsv, testRuntime } from './testkit.ts';
import { typed } from './traitsCsv.ts';

let rt: Runtime;
let done: () => Promise<void>;
before(async () => ({ rt, done } = await testRuntime()));
after(() => done());

const crm = { mapping: fixture('traits', 'crm.mapping.json') };
const survey = { mapping: fixture('traits', 'survey.mapping.json') };

/** Nothing a person typed as email or phone may sit in the engine as text. */
async function assertNoPlainPii() {
  const emails = readCsv(fixture('traits', 'crm.csv')).rows.map((r) => r.f[5]!).filter(Boolean);
  const [r] = await rt.olap.query<{ events: number; dead: number }>(
    `SELECT (SELECT count() FROM ${rt.olap.db}.events WHERE multiSearchAnyCaseInsensitive(concat(traits, pii, properties, context), {needles:Array(String)})) AS events,
            (SELECT count() FROM ${rt.olap.db}.dead_letters WHERE multiSearchAnyCaseInsensitive(concat(payload, reason, details), {needles:Array(String)})) AS dead`,
    { needles: [...emails, '@example.com', '13800138', '138 0013'] },
  );
  assert.deepEqual({ events: Number(r!.events), dead: Number(r!.dead) }, { events: 0, dead: 0 });
}

test('traits-csv: CRM rows become identify traits of the user, typed, with PII protected', async () => {
  const { rows } = readCsv(fixture('traits', 'crm.csv'));
  const r = await runImport(rt, fixture('traits', 'crm.csv'), 'traits-csv', crm);
  assert.equal(r.rejected, 0, JSON.stringify(r.errors));
  assert.equal(r.rows, rows.length);
  assert.equal(r.imported, rows.length);
  const [c] = await rt.olap.query<{ n: number; users: number; emails: number; phones: number }>(
    `SELECT count() AS n, uniqExact(user_id) AS users, countIf(email_hash != '') AS emails, countIf(phone_hash != '') AS phones
     FROM ${rt.olap.db}.events WHERE type = 'identify'`,
  );
  assert.deepEqual(
    { n: Number(c!.n), users: Number(c!.users), emails: Number(c!.emails), phones: Number(c!.phones) },
    { n: 6, users: 6, emails: rows.filter((x) => x.f[5]).length, phones: rows.filter((x) => x.f[6]).length },
  );
  const p = await getProfile(rt, '13607');
  assert.deepEqual(p!.traits, { age: 34, city: '上海', signup_date: '2010-03-12', vip: true, points: 1280, email: 'l***@example.com', phone: '138****8001' });
  const q = await getProfile(rt, '15311');
  assert.equal(q!.traits.signup_date, '2009-07-01', '2009年7月1日');
  const [t] = await rt.olap.query<{ ts: string }>(`SELECT toString(timestamp) AS ts FROM ${rt.olap.db}.events WHERE user_id = '13607' AND type = 'identify'`);
  assert.equal(t!.ts, '2011-12-31 00:00:00.000', 'asOf');
  await assertNoPlainPii();
});

test('traits-csv: a re-import adds nothing', async () => {
  const r = await runImport(rt, fixture('traits', 'crm.csv'), 'traits-csv', crm);
  assert.equal(r.imported, 0);
  assert.equal(r.duplicates, 6);
});

test('traits-csv: survey answers matched by hashed email; unmatched and bad rows reported, not dropped', async () => {
  const r = await runImport(rt, fixture('traits', 'survey.csv'), 'traits-csv', survey);
  assert.deepEqual(r.errors, [
    { row: 4, reason: "email (column '邮箱'): no profile has this email" },
    { row: 5, reason: "satisfaction (column '满意度'): '很好' is not a number" },
    { row: 6, reason: "email (column '邮箱'): is empty" },
    { row: 7, reason: "email (column '邮箱'): is not an email address" },
    { row: 8, reason: "would_recommend (column '愿意推荐'): '也许' is not a yes/no value" },
    { row: 9, reason: "surveyed_on (column '填写日期'): '2011-12-32' is not a date" },
  ]);
  assert.equal(r.rows, 8);
  assert.equal(r.rejected, 6);
  assert.equal(r.imported, 2);
  const lei = await getProfile(rt, '13607');
  assert.deepEqual(
    { satisfaction: lei!.traits.satisfaction, favourite_category: lei!.traits.favourite_category, would_recommend: lei!.traits.would_recommend, city: lei!.traits.city },
    { satisfaction: 5, favourite_category: '家居', would_recommend: true, city: '上海' },
  );
  const han = await getProfile(rt, '17841');
  assert.equal(han!.traits.satisfaction, 4, 'matched after normalising " Han.Meimei@Example.com "');
  const dead = await rt.olap.query<{ batch_index: number; payload: string }>(
    `SELECT batch_index, payload FROM ${rt.olap.db}.dead_letters WHERE source = 'import:traits-csv' ORDER BY batch_index`,
  );
  assert.deepEqual(dead.map((d) => d.batch_index), [4, 5, 6, 7, 8, 9]);
  assert.equal(JSON.parse(dead[0]!.payload).邮箱, '[redacted]');
  await assertNoPlainPii();
});

test('traits-csv: an email two profiles share is not merged into either', async () => {
  // a second user claims li.lei's address: the survey row now matches two people
  const out = runPipeline(
    {
      messages: [{ type: 'identify', userId: 'impostor', traits: { email: 'li.lei@example.com' }, messageId: 'dup-email-1' }],
      receivedAt: Date.now(),
      requestId: 'test',
      source: 'test',
      writeKeyId: '',
      maxMessageBytes: 32 * 1024,
      maxFutureMs: 86_400_000,
    },
    rt.keyring,
  );
  await rt.writer.submit(out.rows, out.dead);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-traits-test-'));
  const mapping = path.join(dir, 'survey-again.json');
  fs.writeFileSync(mapping, JSON.stringify({ ...JSON.parse(fs.readFileSync(survey.mapping, 'utf8')), source: 'survey-again' }));
  try {
    const r = await runImport(rt, fixture('traits', 'survey.csv'), 'traits-csv', { mapping });
    assert.deepEqual(r.errors[0], { row: 2, reason: "email (column '邮箱'): 2 profiles have this email; not merged" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('traits-csv: cell types', () => {
  assert.equal(typed('1,280', 'number'), 1280);
  assert.equal(typed('¥99.5', 'number'), 99.5);
  assert.equal(typed('12abc', 'number'), undefined);
  assert.equal(typed('是', 'boolean'), true);
  assert.equal(typed('No', 'boolean'), false);
  assert.equal(typed('maybe', 'boolean'), undefined);
  assert.equal(typed('2011/1/5', 'date'), '2011-01-05');
  assert.equal(typed('2011-02-30', 'date'), undefined);
  assert.equal(typed('2011-02-03 10:00:00Z', 'date'), '2011-02-03T10:00:00.000Z');
});
