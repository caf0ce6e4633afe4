import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { api, eventually, ingest, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * The official server SDKs, unchanged, against a spawned `huaxiang serve` over real HTTP: Segment's
 * @segment/analytics-node and RudderStack's @rudderstack/rudder-sdk-node (which gzips its batches). Between
 * them and the server sits a proxy that forwards the first batch, lets the server store it, and then drops
 * the connection before the answer: each SDK retries that batch with the same messageIds, and the server
 * must store every message once. (test/e2e/segment-sdk.test.ts covers volume and restarts for Segment's SDK.)
 */

interface Seen {
  messages: Record<string, any>[];
  encoding: string | undefined;
  status: number;
  /** forwarded and stored, but the SDK never got the answer */
  lost: boolean;
}

let hx!: SpawnedServer;
after(async () => {
  await hx?.stop();
});
// after hooks run in order: the server stops before its data dir goes
const dataDir = tmpDataDir(after, 'hx-sdk-node-');
before(async () => {
  hx = await spawnServer({ dataDir });
});

/** A proxy to the server that swallows the answers to the first `lose` batches. */
async function lossyProxy(target: string, lose: number): Promise<{ url: string; seen: Seen[]; close(): void }> {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'];
    const body = JSON.parse((encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as { batch?: Record<string, any>[] };
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type', 'content-encoding', 'user-agent']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: raw });
    const text = await upstream.text();
    const lost = upstream.status === 200 && seen.filter((s) => s.lost).length < lose;
    seen.push({ messages: body.batch ?? [body], encoding, status: upstream.status, lost });
    if (lost) return req.socket.destroy(); // stored upstream; the client sees a reset connection
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

interface Profile { userId: string; anonymousIds: string[]; aliases: string[]; traits: Record<string, unknown>; eventCounts: Record<string, number> }
interface TimelineEvent { messageId: string; type: string; event: string }

/** The same story through either SDK: anonymous browsing, login, an order, a company, a changed user id, and a bulk. */
interface Sdk {
  track(m: Record<string, unknown>): void;
  page(m: Record<string, unknown>): void;
  identify(m: Record<string, unknown>): void;
  group(m: Record<string, unknown>): void;
  alias(m: Record<string, unknown>): void;
  flush(): Promise<void>;
}
function story(sdk: Sdk, p: string) {
  const anon = `${p}-anon-1`;
  const user = `${p}-user-1`;
  sdk.page({ anonymousId: anon, name: 'Home', properties: { url: 'https://shop.example/' } });
  sdk.track({ anonymousId: anon, event: 'Product Viewed', properties: { product_id: `${p}-sku-1`, price: 59.9, currency: 'CNY', category: '家居家装' } });
  sdk.identify({ anonymousId: anon, userId: user, traits: { name: 'Wang Fang', plan: 'vip' } });
  sdk.track({ userId: user, event: 'Order Completed', properties: { order_id: `${p}-o-1`, revenue: 119.8, currency: 'CNY', products: [{ product_id: `${p}-sku-1`, price: 59.9, quantity: 2 }] } });
  sdk.group({ userId: user, groupId: `${p}-org-1`, traits: { name: 'Acme' } });
  for (let i = 0; i < 120; i++) sdk.track({ userId: user, event: 'Product Viewed', properties: { product_id: `${p}-sku-${i % 17}`, price: 10 + (i % 5) } });
  return { anon, user };
}

async function check(p: string, seen: Seen[], anon: string, user: string) {
  const finalUser = `${p}-user-2`;
  const ids = seen.flatMap((s) => s.messages.map((m) => String(m.messageId)));
  const unique = [...new Set(ids)];
  assert.equal(unique.length, 126, 'page, 2 tracks, identify, group, 120 tracks, alias');
  assert.ok(seen.every((s) => s.status === 200), `the server answered ${seen.map((s) => s.status).join(', ')}`);
  const lost = seen.find((s) => s.lost)!;
  assert.ok(lost, 'a batch lost its answer');
  const lostIds = lost.messages.map((m) => String(m.messageId));
  assert.ok(
    seen.some((s) => !s.lost && lostIds.every((id) => s.messages.some((m) => m.messageId === id))),
    'the SDK retried the lost batch with the same messageIds',
  );
  assert.ok(ids.length > unique.length, 'so the server saw some messages twice');

  const admin = api(hx.url, hx.adminToken);
  const timeline = await eventually(async () => {
    const r = await admin.get<{ events: TimelineEvent[] }>(`/api/v1/profiles/${finalUser}/events?limit=1000`);
    return r.status === 200 && r.body.events.length >= unique.length ? r.body.events : null;
  });
  assert.ok(timeline, 'everything arrived');
  const got = timeline.map((e) => e.messageId);
  assert.equal(got.length, unique.length, 'each message stored once');
  assert.deepEqual([...got].sort(), [...unique].sort());
  const types = new Map<string, number>();
  for (const e of timeline) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(types), { page: 1, track: 122, identify: 1, group: 1, alias: 1 });

  const profile = await admin.get<Profile>(`/api/v1/profiles/${finalUser}`);
  assert.equal(profile.status, 200, profile.text);
  assert.deepEqual(profile.body.anonymousIds, [anon], 'identify linked the anonymous visitor');
  assert.deepEqual(profile.body.aliases, [user], 'alias merged the old user id');
  assert.equal(profile.body.traits.plan, 'vip');
  assert.equal(profile.body.eventCounts['Order Completed'], 1);
}

describe('official server SDKs against Huaxiang', () => {
  it('@segment/analytics-node: track, identify, page, group, alias and batches arrive once, retries included', { timeout: 90_000 }, async () => {
    const proxy = await lossyProxy(hx.url, 1);
    try {
      const analytics = new SegmentAnalytics({ writeKey: hx.writeKey, host: proxy.url, path: '/v1/batch', flushAt: 50, flushInterval: 100, maxRetries: 5 });
      const errors: unknown[] = [];
      analytics.on('error', (e) => errors.push(e));
      const sdk: Sdk = {
        track: (m) => analytics.track(m as Parameters<SegmentAnalytics['track']>[0]),
        page: (m) => analytics.page(m as Parameters<SegmentAnalytics['page']>[0]),
        identify: (m) => analytics.identify(m as Parameters<SegmentAnalytics['identify']>[0]),
        group: (m) => analytics.group(m as Parameters<SegmentAnalytics['group']>[0]),
        alias: (m) => analytics.alias(m as Parameters<SegmentAnalytics['alias']>[0]),
        flush: () => analytics.flush(),
      };
      const { anon, user } = story(sdk, 'seg');
      await sdk.flush();
      sdk.alias({ previousId: user, userId: 'seg-user-2' });
      await analytics.closeAndFlush({ timeout: 30_000 });
      assert.deepEqual(errors, [], 'the SDK reported no delivery error');
      await check('seg', proxy.seen, anon, user);
    } finally {
      proxy.close();
    }
  });

  it('@rudderstack/rudder-sdk-node (gzip on): track, identify, page, group, alias and batches arrive once, retries included', { timeout: 90_000 }, async () => {
    const proxy = await lossyProxy(hx.url, 1);
    try {
      const errors: unknown[] = [];
      const analytics = new RudderAnalytics(hx.writeKey, { dataPlaneUrl: proxy.url, flushAt: 50, flushInterval: 100, retryCount: 5, logLevel: 'error', errorHandler: (e) => errors.push(e) });
      const cb = (err?: unknown) => err && errors.push(err);
      const sdk: Sdk = {
        track: (m) => analytics.track(m as Parameters<RudderAnalytics['track']>[0], cb),
        page: (m) => analytics.page(m as Parameters<RudderAnalytics['page']>[0], cb),
        identify: (m) => analytics.identify(m as Parameters<RudderAnalytics['identify']>[0], cb),
        group: (m) => analytics.group(m as Parameters<RudderAnalytics['group']>[0], cb),
        alias: (m) => analytics.alias(m as Parameters<RudderAnalytics['alias']>[0], cb),
        flush: () => new Promise<void>((resolve, reject) => void analytics.flush((err?: Error) => (err ? reject(err) : resolve()))),
      };
      const { anon, user } = story(sdk, 'rs');
      await sdk.flush();
      sdk.alias({ previousId: user, userId: 'rs-user-2' });
      await sdk.flush();
      assert.deepEqual(errors, [], 'the SDK reported no delivery error');
      assert.ok(proxy.seen.every((s) => s.encoding === 'gzip'), 'the SDK gzipped every batch');
      await check('rs', proxy.seen, anon, user);
    } finally {
      proxy.close();
    }
  });

  it('a gzip body is inflated before parsing; a broken one is a 400, an unknown encoding a 415', async () => {
    const body = JSON.stringify({ batch: [{ type: 'track', event: 'Zipped', anonymousId: 'zip-anon-1', messageId: 'zip-1' }] });
    const auth = { authorization: `Basic ${Buffer.from(`${hx.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' };
    const ok = await fetch(`${hx.url}/v1/batch`, { method: 'POST', headers: { ...auth, 'content-encoding': 'gzip' }, body: gzipSync(body) });
    assert.equal(ok.status, 200, await ok.text());
    const broken = await fetch(`${hx.url}/v1/batch`, { method: 'POST', headers: { ...auth, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as { error: { message: string } }).error.message, /not valid gzip/);
    const br = await fetch(`${hx.url}/v1/batch`, { method: 'POST', headers: { ...auth, 'content-encoding': 'br' }, body });
    assert.equal(br.status, 415);
    // plain bodies are untouched
    const plain = await ingest(hx.url, hx.writeKey).send('batch', { batch: [{ type: 'track', event: 'Plain', anonymousId: 'zip-anon-1', messageId: 'zip-2' }] });
    assert.equal(plain.status, 200);
    const timeline = await api(hx.url, hx.adminToken).get<{ events: TimelineEvent[] }>('/api/v1/profiles/zip-anon-1/events');
    assert.deepEqual(timeline.body.events.map((e) => e.messageId).sort(), ['zip-1', 'zip-2']);
  });
});
