import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig } from '../../src/config.ts';
import { api, ingest, tmpDataDir, type Reply } from '../support/server.ts';

/**
 * Bad input over HTTP: every case gets its precise 4xx with the `{error:{code,message,details}}` body,
 * the valid part of a batch is stored, the rejected part lands in `dead_letters`, and nothing is lost.
 */

let server: Server;
let send: ReturnType<typeof ingest>;
let admin: ReturnType<typeof api>;

before(async () => {
  const dataDir = tmpDataDir();
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent' }));
  send = ingest(server.url, server.writeKey);
  admin = api(server.url, server.adminToken);
});
after(async () => {
  await server?.close();
});

interface ErrorBody {
  error: { code: string; message: string; details: { index?: number; path: string; message: string }[] };
}

/** Status, exact body shape, code, and (when given) the paths of the details. */
function assertError(res: Reply<ErrorBody>, status: number, code: string, paths?: string[]) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.ok(res.body && typeof res.body === 'object', `body is not JSON: ${res.text}`);
  assert.deepEqual(Object.keys(res.body), ['error'], `body: ${res.text}`);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'details', 'message'], `error: ${res.text}`);
  assert.equal(res.body.error.code, code, res.text);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0, 'an empty error message');
  assert.ok(Array.isArray(res.body.error.details), 'details must be an array');
  if (paths) assert.deepEqual(res.body.error.details.map((d) => d.path), paths, res.text);
}

const track = (userId: string, messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  userId,
  messageId,
  properties: { product_id: 'sku-1', price: 9.9 },
  ...extra,
});

async function storedIds(userId: string): Promise<string[]> {
  const res = await admin.get<{ events: { messageId: string }[] }>(`/api/v1/profiles/${userId}/events?limit=1000`);
  assert.equal(res.status, 200, res.text);
  return res.body.events.map((e) => e.messageId).sort();
}

async function deadLetters(messageIds: string[]) {
  return server.rt.olap.query<{ message_id: string; batch_index: number; reason: string; details: string; payload: string }>(
    `SELECT message_id, batch_index, reason, details, payload FROM ${server.rt.olap.db}.dead_letters
     WHERE message_id IN {ids:Array(String)} ORDER BY message_id`,
    { ids: messageIds },
  );
}

async function eventRows(messageId: string): Promise<number> {
  const rows = await server.rt.olap.query<{ n: number }>(`SELECT count() AS n FROM ${server.rt.olap.db}.events WHERE message_id = {id:String}`, { id: messageId });
  return Number(rows[0]!.n);
}

describe('malformed requests', () => {
  test('a body that is not JSON: 400 invalid_json', async () => {
    assertError(await send.raw('track', '{"type":"track", "event": '), 400, 'invalid_json');
    assertError(await send.raw('batch', '{"batch":[{]}'), 400, 'invalid_json');
    assertError(await send.raw('batch', ''), 400, 'invalid_json');
  });

  test('a content type that is not JSON: 415', async () => {
    const body = JSON.stringify(track('bad-ct', 'bad-ct-1'));
    assertError(await send.raw('track', body, 'application/xml'), 415, 'unsupported_media_type');
    assertError(await send.raw('batch', 'batch=1', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    const r = await admin.get(`/api/v1/profiles/bad-ct`);
    assert.equal(r.status, 404, 'nothing was stored for the rejected content type');
    // JSON with a charset, and text/plain (browser SDKs use it to skip the CORS preflight), are accepted
    assert.equal((await send.raw('track', body, 'application/json; charset=utf-8')).status, 200);
    assert.equal((await send.raw('track', JSON.stringify(track('bad-ct', 'ok-ct-2')), 'text/plain')).status, 200);
    assert.deepEqual(await storedIds('bad-ct'), ['bad-ct-1', 'ok-ct-2']);
  });

  test('a batch envelope without a batch array: 400 invalid_batch', async () => {
    assertError(await send.send('batch', { messages: [] }), 400, 'invalid_batch', ['batch']);
    assertError(await send.send('batch', { batch: [] }), 400, 'invalid_batch', ['batch']);
  });
});

describe('authentication', () => {
  test('a wrong or missing write key: 401, nothing stored', async () => {
    const wrong = ingest(server.url, 'hxw_not-a-real-key-000');
    assertError(await wrong.send('track', track('auth-user', 'auth-1')), 401, 'unauthorized');
    assertError(await wrong.send('batch', { batch: [track('auth-user', 'auth-2')] }), 401, 'unauthorized');
    const none = ingest(server.url);
    assertError(await none.send('batch', { batch: [track('auth-user', 'auth-3')] }), 401, 'unauthorized');
    assert.equal((await admin.get('/api/v1/profiles/auth-user')).status, 404);
    // the write key in the body (Segment's alternative) is accepted
    const ok = await none.send('batch', { writeKey: server.writeKey, batch: [track('auth-user', 'auth-4')] });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(await storedIds('auth-user'), ['auth-4']);
  });

  test('the admin API without a token, or with a wrong one: 401', async () => {
    assertError(await api(server.url).get('/api/v1/profiles/anyone'), 401, 'unauthorized');
    assertError(await api(server.url, 'hxa_wrong-token-0000000000').get('/api/v1/profiles/anyone'), 401, 'unauthorized');
    assertError(await api(server.url).get('/api/v1/profiles/anyone/events'), 401, 'unauthorized');
  });
});

describe('invalid single messages: 400 with the path of the field', () => {
  test('neither userId nor anonymousId', async () => {
    const res = await send.send<ErrorBody>('track', { event: 'Product Viewed', messageId: 'noid-1' });
    assertError(res, 400, 'invalid_message', ['userId']);
    assert.equal(res.body.error.details[0]!.index, 0);
  });

  test('properties.revenue is not a number', async () => {
    const res = await send.send<ErrorBody>('track', track('bad-revenue', 'rev-1', { event: 'Order Completed', properties: { order_id: 'o1', revenue: 'abc' } }));
    assertError(res, 400, 'invalid_message', ['properties.revenue']);
    assert.match(res.body.error.message, /properties\.revenue/);
  });

  test('properties.products is not an array', async () => {
    const res = await send.send<ErrorBody>('track', track('bad-products', 'prod-1', { event: 'Order Completed', properties: { order_id: 'o2', products: { product_id: 'x' } } }));
    assertError(res, 400, 'invalid_message', ['properties.products']);
  });

  test('a timestamp years in the future', async () => {
    const future = new Date(Date.now() + 3 * 365 * 86_400_000).toISOString();
    const res = await send.send<ErrorBody>('track', track('future-user', 'future-1', { timestamp: future }));
    assertError(res, 400, 'invalid_message', ['timestamp']);
    assert.match(res.body.error.message, /future/);
  });

  test('the rejected single messages are in dead_letters with the reason', async () => {
    const rows = await deadLetters(['noid-1', 'rev-1', 'prod-1', 'future-1']);
    const byId = new Map(rows.map((r) => [r.message_id, r]));
    assert.deepEqual([...byId.keys()].sort(), ['future-1', 'noid-1', 'prod-1', 'rev-1']);
    assert.match(byId.get('noid-1')!.reason, /^userId: /);
    assert.match(byId.get('rev-1')!.reason, /^properties\.revenue: /);
    assert.match(byId.get('prod-1')!.reason, /^properties\.products: /);
    assert.match(byId.get('future-1')!.reason, /^timestamp: .*future/);
    assert.equal(JSON.parse(byId.get('rev-1')!.payload).properties.revenue, 'abc', 'the payload is kept as sent');
    for (const u of ['bad-revenue', 'bad-products', 'future-user']) assert.equal((await admin.get(`/api/v1/profiles/${u}`)).status, 404, `${u} has no events`);
  });
});

describe('size limits', () => {
  const padding = (bytes: number) => 'x'.repeat(bytes);

  test('a single message over 32 KB: 413', async () => {
    const res = await send.send<ErrorBody>('track', track('big-single', 'big-1', { properties: { note: padding(40 * 1024) } }));
    assertError(res, 413, 'payload_too_large');
    assert.equal((await admin.get('/api/v1/profiles/big-single')).status, 404);
  });

  test('a batch over 500 KB: 413', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => track('big-batch', `bigb-${i}`, { properties: { note: padding(20 * 1024) } }));
    const res = await send.send('batch', { batch });
    assertError(res, 413, 'payload_too_large');
    assert.equal((await admin.get('/api/v1/profiles/big-batch')).status, 404);
  });

  test('a batch with one message over 32 KB: that one is rejected, the others stored', async () => {
    const batch = [track('mixed-size', 'ms-0'), track('mixed-size', 'ms-1', { properties: { note: padding(40 * 1024) } }), track('mixed-size', 'ms-2')];
    const res = await send.send<{ success: boolean; accepted: number; rejected: { index: number; path: string; message: string }[] }>('batch', { batch });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.accepted, 2);
    assert.equal(res.body.rejected.length, 1);
    assert.equal(res.body.rejected[0]!.index, 1);
    assert.match(res.body.rejected[0]!.message, /bytes/);
    assert.deepEqual(await storedIds('mixed-size'), ['ms-0', 'ms-2']);
    const dead = await deadLetters(['ms-1']);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.batch_index, 1);
    assert.match(dead[0]!.reason, /bytes/);
  });
});

describe('partial batches: valid messages stored, the others reported and dead-lettered', () => {
  test('unknown type, missing ids, wrong property types among valid messages', async () => {
    const batch = [
      track('partial', 'pb-0'),
      { type: 'purchase', userId: 'partial', messageId: 'pb-1' },
      track('partial', 'pb-2', { userId: undefined }),
      { type: 'page', userId: 'partial', messageId: 'pb-3', name: 'Home' },
      track('partial', 'pb-4', { event: 'Order Completed', properties: { order_id: 'o3', revenue: 'abc' } }),
      track('partial', 'pb-5', { event: 'Order Completed', properties: { order_id: 'o4', products: 'sku-1' } }),
      { type: 'identify', userId: 'partial', messageId: 'pb-6', traits: { name: 'Partial' } },
      track('partial', 'pb-7', { timestamp: new Date(Date.now() + 5 * 365 * 86_400_000).toISOString() }),
    ];
    const res = await send.send<{ success: boolean; accepted: number; rejected: { index: number; path: string; message: string }[] }>('batch', { batch });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.accepted, 3);
    assert.deepEqual(
      res.body.rejected.map((r) => [r.index, r.path]),
      [
        [1, 'type'],
        [2, 'userId'],
        [4, 'properties.revenue'],
        [5, 'properties.products'],
        [7, 'timestamp'],
      ],
    );
    for (const r of res.body.rejected) assert.ok(r.message.length > 0, `rejection ${r.index} has no message`);
    assert.deepEqual(await storedIds('partial'), ['pb-0', 'pb-3', 'pb-6']);

    const dead = await deadLetters(['pb-1', 'pb-2', 'pb-4', 'pb-5', 'pb-7']);
    assert.deepEqual(
      dead.map((d) => [d.message_id, d.batch_index, d.reason.split(':')[0]]),
      [
        ['pb-1', 1, 'type'],
        ['pb-2', 2, 'userId'],
        ['pb-4', 4, 'properties.revenue'],
        ['pb-5', 5, 'properties.products'],
        ['pb-7', 7, 'timestamp'],
      ],
    );
    assert.deepEqual(JSON.parse(dead[0]!.details).path, 'type');
    assert.equal(await eventRows('pb-1'), 0, 'a rejected message must not be stored');
  });

  test('a batch where every message is invalid: 400 with every rejection', async () => {
    const res = await send.send<ErrorBody>('batch', { batch: [{ type: 'nope', userId: 'all-bad', messageId: 'ab-0' }, { type: 'track', event: 'X', messageId: 'ab-1' }] });
    assertError(res, 400, 'invalid_message', ['type', 'userId']);
    assert.deepEqual(res.body.error.details.map((d) => d.index), [0, 1]);
    assert.equal((await deadLetters(['ab-0', 'ab-1'])).length, 2);
  });
});

describe('idempotency by messageId', () => {
  test('the same messageId in two requests is stored once', async () => {
    const msg = track('dup-user', 'dup-1');
    const first = await send.send('track', msg);
    assert.equal(first.status, 200, first.text);
    const second = await send.send('batch', { batch: [msg, track('dup-user', 'dup-2')] });
    assert.equal(second.status, 200, second.text);
    const third = await send.send('track', msg);
    assert.equal(third.status, 200, 'a retried message is acknowledged again');
    assert.deepEqual(await storedIds('dup-user'), ['dup-1', 'dup-2']);
    assert.equal(await eventRows('dup-1'), 1);
    const profile = await admin.get<{ eventCounts: Record<string, number> }>('/api/v1/profiles/dup-user');
    assert.deepEqual(profile.body.eventCounts, { 'Product Viewed': 2 });
  });

  test('the same messageId twice in one batch, and in concurrent requests, is stored once', async () => {
    const msg = track('dup-user-2', 'dup2-1');
    const res = await send.send('batch', { batch: [msg, msg, msg] });
    assert.equal(res.status, 200, res.text);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => send.send('batch', { batch: [track('dup-user-2', 'dup2-2')] })));
    for (const r of concurrent) assert.equal(r.status, 200, r.text);
    assert.deepEqual(await storedIds('dup-user-2'), ['dup2-1', 'dup2-2']);
    assert.equal(await eventRows('dup2-1'), 1);
    assert.equal(await eventRows('dup2-2'), 1);
  });

  test('another person’s message with the same messageId is a different message, in one batch or later', async () => {
    const res = await send.send('batch', { batch: [track('dup-a', 'shared-1'), track('dup-b', 'shared-1')] });
    assert.equal(res.status, 200, res.text);
    const later = await send.send('track', track('dup-c', 'shared-1'));
    assert.equal(later.status, 200, later.text);
    const again = await send.send('batch', { batch: [track('dup-a', 'shared-1'), track('dup-c', 'shared-1')] });
    assert.equal(again.status, 200, again.text);
    for (const u of ['dup-a', 'dup-b', 'dup-c']) assert.deepEqual(await storedIds(u), ['shared-1'], u);
    assert.equal(await eventRows('shared-1'), 3, 'one row per person; the retries added none');
  });
});
