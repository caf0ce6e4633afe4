import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import { api, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * The official Segment Node SDK, unchanged, against a spawned `huaxiang serve`: every event arrives
 * exactly once, survives a restart, and identify/alias stitch anonymous activity into one profile.
 */

const USERS = 50;
const EVENTS = 3_000;
const userId = (i: number) => `sdk-user-${String(i).padStart(3, '0')}`;

interface Timeline {
  userId: string;
  events: { messageId: string; type: string; event: string; anonymousId: string; userId: string }[];
}
interface Profile {
  userId: string;
  anonymousIds: string[];
  aliases: string[];
  traits: Record<string, unknown>;
  eventCounts: Record<string, number>;
}

function sdk(server: SpawnedServer) {
  const analytics = new Analytics({
    writeKey: server.writeKey,
    host: server.url,
    path: '/v1/batch',
    flushAt: 100, // `maxEventsInBatch` is the deprecated name of this option
    flushInterval: 50,
    maxRetries: 3,
  });
  const failures: unknown[] = [];
  analytics.on('error', (err) => failures.push(err));
  return { analytics, failures };
}

/** Every messageId we sent, per user, in send order. */
const sent = new Map<string, string[]>();
let server!: SpawnedServer;
after(async () => {
  await server?.stop();
});
const dataDir = tmpDataDir(after); // after hooks run in order: the server stops before its dir goes

async function assertAllThere(s: SpawnedServer, label: string) {
  const admin = api(s.url, s.adminToken);
  let total = 0;
  for (const [uid, ids] of sent) {
    const profile = await admin.get<Profile>(`/api/v1/profiles/${uid}`);
    assert.equal(profile.status, 200, `${label}: profile ${uid}: ${profile.text}`);
    const counted = Object.values(profile.body.eventCounts).reduce((a, b) => a + b, 0);
    assert.equal(counted, ids.length, `${label}: ${uid} eventCounts sum`);
    const timeline = await admin.get<Timeline>(`/api/v1/profiles/${uid}/events?limit=1000`);
    assert.equal(timeline.status, 200, timeline.text);
    const got = timeline.body.events.map((e) => e.messageId);
    assert.equal(got.length, ids.length, `${label}: ${uid} timeline length`);
    assert.equal(new Set(got).size, got.length, `${label}: ${uid} has a messageId twice`);
    assert.deepEqual([...got].sort(), [...ids].sort(), `${label}: ${uid} timeline messageIds`);
    total += got.length;
  }
  assert.equal(total, EVENTS, `${label}: total events`);
}

test('3,000 events from @segment/analytics-node arrive exactly once', { timeout: 60_000 }, async () => {
  server = await spawnServer({ dataDir });
  const { analytics, failures } = sdk(server);
  const delivered: string[] = [];
  const callbackErrors: unknown[] = [];
  const cb = (id: string) => (err?: unknown) => (err ? callbackErrors.push(err) : delivered.push(id));
  let seed = 42;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

  for (let n = 0; n < EVENTS; n++) {
    const uid = userId(n % USERS);
    const messageId = `sdk-${n}`;
    (sent.get(uid) ?? sent.set(uid, []).get(uid)!).push(messageId);
    const first = n < USERS;
    const r = rand();
    if (first || r < 0.05) {
      analytics.identify({ userId: uid, messageId, traits: { name: `User ${uid}`, plan: r < 0.5 ? 'free' : 'vip' } }, cb(messageId));
    } else if (r < 0.35) {
      analytics.page({ userId: uid, messageId, name: 'Product Detail', properties: { url: `https://shop.example/p/${n % 97}` } }, cb(messageId));
    } else if (r < 0.9) {
      analytics.track(
        { userId: uid, messageId, event: 'Product Viewed', properties: { product_id: `sku-${n % 97}`, price: 19.9, category: '服饰/女装', currency: 'CNY' } },
        cb(messageId),
      );
    } else {
      analytics.track(
        {
          userId: uid,
          messageId,
          event: 'Order Completed',
          properties: { order_id: `o-${n}`, revenue: 59.7, currency: 'CNY', products: [{ product_id: `sku-${n % 97}`, price: 19.9, quantity: 3 }] },
        },
        cb(messageId),
      );
    }
  }
  await analytics.closeAndFlush({ timeout: 30_000 });

  assert.deepEqual(callbackErrors, [], 'the SDK reported delivery errors');
  assert.deepEqual(failures, [], 'the SDK emitted errors');
  assert.equal(delivered.length, EVENTS, 'every SDK callback reported success');
  assert.equal(sent.size, USERS);
  await assertAllThere(server, 'after ingestion');
});

test('everything is still there after SIGTERM and a restart on the same data dir', { timeout: 60_000 }, async () => {
  assert.equal(await server.stop(), 0, `serve did not exit cleanly\n${server.output()}`);
  server = await spawnServer({ dataDir });
  await assertAllThere(server, 'after restart');
});

test('identify and alias stitch anonymous devices and an old id into one profile', { timeout: 60_000 }, async () => {
  const admin = api(server.url, server.adminToken);
  const { analytics, failures } = sdk(server);
  const user = 'stitch-alice';
  const phone = 'anon-phone-7f3a';
  const laptop = 'anon-laptop-91c2';
  const legacy = 'legacy-alice-42';
  const expected: string[] = [];
  const id = (s: string) => (expected.push(s), s);

  // anonymous browsing on the phone, then a login there
  for (let i = 0; i < 5; i++) {
    analytics.track({ anonymousId: phone, messageId: id(`phone-${i}`), event: 'Product Viewed', properties: { product_id: `sku-${i}`, price: 9.9 } });
  }
  analytics.page({ anonymousId: phone, messageId: id('phone-page'), name: 'Home' });
  await analytics.flush();
  const beforeLogin = await admin.get<Timeline>(`/api/v1/profiles/${phone}/events`);
  assert.equal(beforeLogin.status, 200, beforeLogin.text);
  assert.equal(beforeLogin.body.events.length, 6, 'the anonymous visitor has a timeline of their own');

  analytics.identify({ anonymousId: phone, userId: user, messageId: id('phone-identify'), traits: { name: 'Alice', email: 'alice@example.com' } });
  await analytics.flush();
  let profile = await admin.get<Profile>(`/api/v1/profiles/${user}`);
  assert.equal(profile.status, 200, profile.text);
  assert.equal(profile.body.userId, user);
  assert.deepEqual(profile.body.anonymousIds, [phone]);
  assert.equal(profile.body.traits.name, 'Alice');
  assert.notEqual(profile.body.traits.email, 'alice@example.com', 'PII must come back masked');
  let timeline = await admin.get<Timeline>(`/api/v1/profiles/${user}/events`);
  assert.deepEqual(timeline.body.events.map((e) => e.messageId).sort(), [...expected].sort(), 'anonymous events joined the user');

  // a second device, anonymous first, identified as the same user
  for (let i = 0; i < 3; i++) analytics.page({ anonymousId: laptop, messageId: id(`laptop-${i}`), name: 'Category' });
  analytics.identify({ anonymousId: laptop, userId: user, messageId: id('laptop-identify') });
  await analytics.flush();
  profile = await admin.get<Profile>(`/api/v1/profiles/${user}`);
  assert.deepEqual([...profile.body.anonymousIds].sort(), [laptop, phone].sort());
  timeline = await admin.get<Timeline>(`/api/v1/profiles/${user}/events`);
  assert.deepEqual(timeline.body.events.map((e) => e.messageId).sort(), [...expected].sort(), 'both devices in one timeline');

  // an old user id with its own history, merged by alias
  for (let i = 0; i < 3; i++) {
    analytics.track({ userId: legacy, messageId: id(`legacy-${i}`), event: 'Order Completed', properties: { order_id: `old-${i}`, revenue: 100 } });
  }
  await analytics.flush();
  const legacyBefore = await admin.get<Profile>(`/api/v1/profiles/${legacy}`);
  assert.equal(legacyBefore.body.userId, legacy, 'before the alias the old id is its own person');
  analytics.alias({ previousId: legacy, userId: user, messageId: id('alias') });
  await analytics.closeAndFlush({ timeout: 30_000 });
  assert.deepEqual(failures, [], 'the SDK emitted errors');

  profile = await admin.get<Profile>(`/api/v1/profiles/${user}`);
  assert.equal(profile.status, 200, profile.text);
  assert.deepEqual(profile.body.aliases, [legacy]);
  assert.deepEqual([...profile.body.anonymousIds].sort(), [laptop, phone].sort());
  assert.equal(profile.body.eventCounts['Order Completed'], 3);
  timeline = await admin.get<Timeline>(`/api/v1/profiles/${user}/events`);
  const ids = timeline.body.events.map((e) => e.messageId);
  assert.equal(new Set(ids).size, ids.length, 'an event appears twice in the timeline');
  assert.deepEqual([...ids].sort(), [...expected].sort(), 'phone, laptop and the old id in one timeline');

  // every id of the person resolves to the same profile
  for (const other of [phone, laptop, legacy]) {
    const p = await admin.get<Profile>(`/api/v1/profiles/${other}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.userId, user, `${other} resolves to ${user}`);
  }
});
