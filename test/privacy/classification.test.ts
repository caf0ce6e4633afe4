import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, testConfig } from '../../src/config.ts';
import { deadLetter } from '../../src/ingest/deadLetter.ts';
import { protectProperties, protectTraits, type PiiCipher } from '../../src/ingest/steps/protect.ts';
import { compileClassification } from '../../src/privacy/classification.ts';
import { deriveKey, open, pseudonym, seal } from '../../src/privacy/crypto.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { buildApp } from '../../src/server/app.ts';
import { DAY, msg, send } from '../support/scenario.ts';

/**
 * The configurable field classification: a trait and an event property the shop declares personal
 * (`pii`) are stored only encrypted (the property kept in masked form), a `sensitive` trait is stored as
 * sent but shown masked to every role that cannot unmask and hidden from keys restricted from personal
 * data; the effective classification is readable by admins; a bad HX_PRIVACY_FIELDS names what is wrong.
 */
const FIELDS = {
  traits: { wechat_id: 'pii', income_band: 'sensitive' },
  properties: { buyer_phone: 'pii', gift_note: 'sensitive' },
  detected: 'encrypt',
} as const;
const WECHAT = 'wx_meichen_2088';
const BUYER_PHONE = '13612345678';
const INCOME = '30k-50k/month';
const now = Date.now();

let rt: Runtime;
let dir: string;
let app: FastifyInstance;
let base = '';
const tokens = { analyst: `tok-an-${randomBytes(6).toString('hex')}`, admin: `tok-ad-${randomBytes(6).toString('hex')}`, restricted: `tok-rs-${randomBytes(6).toString('hex')}` };
const get = async (url: string, token: string) => {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-classify-'));
  rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent', privacy: { minGroupSize: 0, fields: { ...FIELDS, traits: { ...FIELDS.traits }, properties: { ...FIELDS.properties } } } as never }), { command: 'test' });
  await rt.tags.live.stop();
  await send(rt, [
    msg.identify('cl-1', now - 3 * DAY, { wechat_id: WECHAT, income_band: INCOME, city_tier: '一线' }),
    msg.track('cl-1', 'Order Completed', now - 2 * DAY, { order_id: 'o-cl-1', revenue: 88, currency: 'CNY', buyer_phone: BUYER_PHONE, gift_note: 'for mum' }),
  ]);
  const built = await buildApp(rt);
  app = built.app;
  await built.ctx.access.addToken('analyst', tokens.analyst, 'analyst');
  await built.ctx.access.addToken('admin', tokens.admin, 'admin');
  await built.ctx.access.addToken('restricted', tokens.restricted, 'analyst', true);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app?.close();
  await rt?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('configured classification at rest', () => {
  it('stores the pii trait and the pii property only encrypted; the sensitive trait as sent', async () => {
    const db = rt.olap.db;
    const tables = await rt.olap.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree%'`, { db });
    const found = async (needle: string) => {
      const hits: string[] = [];
      for (const { name } of tables) {
        const [r] = await rt.olap.query<{ n: string }>(`SELECT count() AS n FROM ${db}.\`${name}\` WHERE position(toString(tuple(*)), {needle:String}) > 0`, { needle });
        if (Number(r?.n ?? 0) > 0) hits.push(name);
      }
      return hits;
    };
    assert.deepEqual(await found(WECHAT), []);
    assert.deepEqual(await found(BUYER_PHONE), []);
    assert.ok((await found(INCOME)).includes('events'), 'the search finds a value stored in the clear');
    const [order] = await rt.olap.query<{ properties: string; pii: string }>(`SELECT properties, pii FROM ${db}.events WHERE order_id = 'o-cl-1'`);
    const props = JSON.parse(order!.properties) as Record<string, unknown>;
    assert.equal(props.buyer_phone, '136****5678');
    assert.equal(props.gift_note, 'for mum');
    assert.equal(rt.keyring.decrypt((JSON.parse(order!.pii) as Record<string, string>)['properties.buyer_phone']!), BUYER_PHONE);
    const personal = await rt.privacy.personalTraits('cl-1');
    assert.equal(personal.wechat_id, WECHAT);
    assert.equal(personal.income_band, INCOME);
  });
});

describe('configured classification in the API', () => {
  it('shows an analyst the pii and the sensitive trait masked, and the pii property masked', async () => {
    const p = await get('/api/v1/profiles/cl-1', tokens.analyst);
    assert.equal(p.status, 200);
    assert.equal(p.body.traits.wechat_id, '****');
    assert.equal(p.body.traits.income_band, '****');
    assert.equal(p.body.traits.city_tier, '一线');
    const ev = await get('/api/v1/profiles/cl-1/events', tokens.analyst);
    assert.equal(ev.status, 200);
    const order = (ev.body.events ?? ev.body).find((e: { event: string }) => e.event === 'Order Completed');
    assert.equal(order.properties.buyer_phone, '136****5678');
    // the sensitive property is stored as sent (above) and shown masked
    assert.ok(typeof order.properties.gift_note === 'string' && order.properties.gift_note !== 'for mum', order.properties.gift_note);
    assert.equal(order.properties.order_id, 'o-cl-1');
  });

  it('keeps no configured or detected personal data in a dead letter', () => {
    const d = deadLetter(
      { type: 'track', event: 'Order Completed', userId: 'cl-9', timestamp: 'not a time', traits: { wechat_id: WECHAT, note: 'call 13912345678' },
        properties: { buyer_phone: BUYER_PHONE, gift_note: 'for mum', order_id: 'o-9' }, context: { traits: { wechat_id: WECHAT }, page: { search: '13812345678' } } },
      { receivedAt: now, requestId: 'r-1', source: 'http', index: 0 }, 'timestamp', 'not a date',
    );
    const p = JSON.parse(d.payload);
    assert.equal(p.traits.wechat_id, '[redacted]');
    assert.equal(p.context.traits.wechat_id, '[redacted]');
    assert.equal(p.properties.buyer_phone, '[redacted]');
    assert.equal(p.properties.order_id, 'o-9');
    for (const plain of [WECHAT, BUYER_PHONE, '13912345678', '13812345678']) assert.ok(!d.payload.includes(plain), plain);
  });

  it('shows an admin who unmasks both in the clear; a key restricted from personal data sees neither', async () => {
    const a = await get('/api/v1/profiles/cl-1?unmask=true', tokens.admin);
    assert.equal(a.status, 200);
    assert.equal(a.body.traits.wechat_id, WECHAT);
    assert.equal(a.body.traits.income_band, INCOME);
    const r = await get('/api/v1/profiles/cl-1', tokens.restricted);
    assert.equal(r.status, 200);
    assert.ok(!('wechat_id' in r.body.traits) && !('income_band' in r.body.traits), JSON.stringify(r.body.traits));
    assert.equal(r.body.traits.city_tier, '一线');
  });

  it('answers the effective classification to admins only', async () => {
    const c = await get('/api/v1/privacy/classification', tokens.admin);
    assert.equal(c.status, 200);
    assert.deepEqual(c.body.traits, FIELDS.traits);
    assert.deepEqual(c.body.properties, FIELDS.properties);
    assert.equal(c.body.detected, 'encrypt');
    assert.ok(c.body.builtIn.includes('email'));
    assert.equal((await get('/api/v1/privacy/classification', tokens.analyst)).status, 403);
  });
});

describe('the detection policy', () => {
  const key = randomBytes(32);
  const cipher: PiiCipher = { encrypt: (v) => seal(deriveKey(key, 'enc'), v), match: (v) => pseudonym(deriveKey(key, 'match'), v) };
  const traits = { contact: '13912345678', note: 'call 13912345678 after 6', plain: 'likes tea' };
  const props = { contact: '13912345678', review_body: 'mail me at li.na@example.cn', order_id: '13900001111', color: 'red' };

  it('encrypt: whole values encrypted (and matched), values inside text masked', () => {
    const cls = compileClassification({ detected: 'encrypt' });
    const t = protectTraits(traits, undefined, cipher, cls);
    assert.deepEqual(t.traits, { note: 'call 139****5678 after 6', plain: 'likes tea' });
    assert.equal(open(deriveKey(key, 'enc'), t.pii.contact!), '13912345678');
    assert.equal(t.phoneHash, cipher.match('13912345678'));
    const pii: Record<string, string> = {};
    const p = protectProperties(props, cipher, pii, cls);
    assert.deepEqual(p, { contact: '139****5678', review_body: 'mail me at l***@example.cn', order_id: '13900001111', color: 'red' });
    assert.equal(open(deriveKey(key, 'enc'), pii['properties.contact']!), '13912345678');
  });

  it('mask: nothing encrypted, every value masked in place', () => {
    const cls = compileClassification({ detected: 'mask' });
    const t = protectTraits(traits, undefined, cipher, cls);
    assert.deepEqual(t.traits, { contact: '139****5678', note: 'call 139****5678 after 6', plain: 'likes tea' });
    assert.deepEqual(t.pii, {});
    assert.equal(t.phoneHash, '');
    const pii: Record<string, string> = {};
    assert.deepEqual(protectProperties(props, cipher, pii, cls), { contact: '139****5678', review_body: 'mail me at l***@example.cn', order_id: '13900001111', color: 'red' });
    assert.deepEqual(pii, {});
  });

  it('drop: a field holding personal data is not stored; identifiers and ordinary fields are', () => {
    const cls = compileClassification({ detected: 'drop', properties: { contact: 'ordinary' } });
    const t = protectTraits(traits, undefined, cipher, cls);
    assert.deepEqual(t.traits, { plain: 'likes tea' });
    assert.deepEqual(t.pii, {});
    const pii: Record<string, string> = {};
    assert.deepEqual(protectProperties(props, cipher, pii, cls), { contact: '13912345678', order_id: '13900001111', color: 'red' });
  });
});

describe('HX_PRIVACY_FIELDS', () => {
  const load = (value: string) => loadConfig({ data: os.tmpdir() }, { HX_PRIVACY_FIELDS: value });
  const fails = (value: string, message: string) => {
    assert.throws(() => load(value), (e: Error) => e instanceof ConfigError && e.message.startsWith(message), message);
  };

  it('reads inline JSON or a file', () => {
    assert.deepEqual(load(JSON.stringify(FIELDS)).privacy.fields, FIELDS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-fields-'));
    try {
      const file = path.join(dir, 'fields.json');
      fs.writeFileSync(file, JSON.stringify({ traits: { qq: 'pii' } }));
      assert.deepEqual(load(file).privacy.fields, { traits: { qq: 'pii' }, properties: {}, detected: 'encrypt' });
      assert.deepEqual(loadConfig({ data: os.tmpdir() }, {}).privacy.fields, { traits: {}, properties: {}, detected: 'encrypt' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong', () => {
    fails('{"traits":{"qq":"secret"}}', 'configuration: HX_PRIVACY_FIELDS traits.qq:');
    fails('{"detected":"burn"}', 'configuration: HX_PRIVACY_FIELDS detected:');
    fails('{"propertys":{}}', 'configuration: HX_PRIVACY_FIELDS');
    fails('{"traits":{"bad name":"pii"}}', 'configuration: HX_PRIVACY_FIELDS traits.bad name:');
    fails('{traits:', 'configuration: HX_PRIVACY_FIELDS is not valid JSON');
    fails('/no/such/fields.json', 'configuration: HX_PRIVACY_FIELDS cannot read /no/such/fields.json');
  });
});
