import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { api, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * kill -9 under sustained ingestion: every batch answered 200 survives the crash, and re-sending
 * what was not acknowledged (as an SDK retries) never stores a message twice.
 */

const LOOPS = 8;
const BATCH = 50;
const INGEST_MS = 2_000;

interface Batch {
  ids: string[];
  body: string;
  /** HTTP status of each attempt, or 'error' when the connection failed */
  attempts: (number | 'error')[];
}

let server: SpawnedServer | undefined;
after(async () => {
  await server?.kill9();
});
const dataDir = tmpDataDir(after);

function makeBatch(loop: number, n: number): Batch {
  const ids = Array.from({ length: BATCH }, (_, i) => `crash-${loop}-${n}-${i}`);
  // No `timestamp`: the server stamps receivedAt, so a duplicate would differ in the ReplacingMergeTree
  // sorting key and could not be collapsed by a background merge before we count.
  const batch = ids.map((messageId, i) => ({
    type: i % 5 === 0 ? 'page' : 'track',
    event: 'Product Viewed',
    name: 'Product Detail',
    userId: `crash-user-${(loop * 7 + i) % 40}`,
    messageId,
    properties: { product_id: `sku-${i}`, price: 12.5 },
  }));
  return { ids, body: JSON.stringify({ batch }), attempts: [] };
}

async function post(s: SpawnedServer, b: Batch): Promise<number | 'error'> {
  try {
    const res = await fetch(`${s.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}` },
      body: b.body,
      signal: AbortSignal.timeout(20_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'error';
  }
}

const acked = (b: Batch) => b.attempts.includes(200);

/** How many messages of the unacknowledged batches the crashed server had written anyway (informational). */
async function writtenButUnacknowledged(s: SpawnedServer, unacked: Batch[]): Promise<number> {
  const wanted = new Set(unacked.flatMap((b) => b.ids));
  const users = new Set(unacked.flatMap((b) => (JSON.parse(b.body) as { batch: { userId: string }[] }).batch.map((m) => m.userId)));
  const admin = api(s.url, s.adminToken);
  let found = 0;
  for (const u of users) {
    const res = await admin.get<{ events: { messageId: string }[] }>(`/api/v1/profiles/${u}/events?limit=1000`);
    if (res.status === 200) found += res.body.events.filter((e) => wanted.has(e.messageId)).length;
  }
  return found;
}

test('kill -9 during ingestion loses no acknowledged event and duplicates none', { timeout: 90_000 }, async (t) => {
  server = await spawnServer({ dataDir });
  const first = server;
  const batches: Batch[] = [];
  let killed = false;

  const loops = Array.from({ length: LOOPS }, async (_, loop) => {
    for (let n = 0; !killed; n++) {
      const b = makeBatch(loop, n);
      batches.push(b);
      b.attempts.push(await post(first, b));
    }
  });
  await new Promise((r) => setTimeout(r, INGEST_MS));
  killed = true; // no new batches; those in flight are cut by the kill
  await first.kill9();
  await Promise.all(loops);

  const ackedBefore = batches.filter(acked).length;
  const unacked = batches.filter((b) => !acked(b));
  assert.ok(ackedBefore > 0, 'no batch was acknowledged before the crash: the load never ran');
  assert.ok(unacked.length > 0, 'every batch was answered before the kill; the crash hit nothing in flight');
  const notOk = batches.flatMap((b) => b.attempts).filter((a) => a !== 200 && a !== 'error');
  assert.deepEqual([...new Set(notOk)], [], 'answers other than 200 or a dropped connection before the crash');

  server = await spawnServer({ dataDir });
  const second = server;
  t.diagnostic(`${await writtenButUnacknowledged(second, unacked)} of ${unacked.length * BATCH} unacknowledged messages were already stored before the crash`);
  // retry what was not acknowledged, as an SDK would; also re-send a few acknowledged batches
  // (an SDK whose response was lost in the crash cannot tell them apart)
  const retry = [...unacked, ...batches.filter(acked).slice(-LOOPS)];
  let next = 0;
  await Promise.all(
    Array.from({ length: LOOPS }, async () => {
      while (next < retry.length) {
        const b = retry[next++]!;
        for (let attempt = 0; attempt < 5; attempt++) {
          const status = await post(second, b);
          b.attempts.push(status);
          if (status === 200) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
  const stillFailing = retry.filter((b) => b.attempts[b.attempts.length - 1] !== 200);
  assert.deepEqual(stillFailing.map((b) => b.attempts), [], 'retries after the restart must succeed');
  assert.equal(await second.stop(), 0, `serve did not exit cleanly\n${second.output()}`);
  server = undefined;

  // the server is gone, so this process may open the data dir itself
  const { OlapStore } = await import('../../src/store/olap/index.ts');
  const olap = await OlapStore.open({ path: path.join(dataDir, 'clickhouse'), database: 'huaxiang' });
  try {
    const dupes = await olap.query<{ message_id: string; c: number }>(
      `SELECT message_id, count() AS c FROM huaxiang.events WHERE startsWith(message_id, 'crash-') GROUP BY message_id HAVING c > 1 ORDER BY message_id LIMIT 20`,
    );
    assert.deepEqual(dupes, [], 'messages stored more than once');

    const [totals] = await olap.query<{ rows: number; ids: number }>(
      `SELECT count() AS rows, uniqExact(message_id) AS ids FROM huaxiang.events WHERE startsWith(message_id, 'crash-')`,
    );
    const sent = batches.length * BATCH;
    assert.equal(Number(totals!.ids), sent, 'every message sent (and eventually acknowledged) is stored');
    assert.equal(Number(totals!.rows), sent, 'one row per message');

    const ackedIds = new Set(batches.filter((b) => b.attempts[0] === 200).flatMap((b) => b.ids));
    const stored = new Set((await olap.query<{ message_id: string }>(`SELECT message_id FROM huaxiang.events WHERE startsWith(message_id, 'crash-')`)).map((r) => r.message_id));
    const lost = [...ackedIds].filter((id) => !stored.has(id));
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} messages acknowledged before the crash are missing`);
    t.diagnostic(`batches: ${batches.length} (${ackedBefore} acknowledged before kill -9, ${unacked.length} re-sent), ${sent} messages stored once`);
  } finally {
    await olap.close();
  }
});
