import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { api, spawnServer, tmpDataDir, type SpawnedServer } from '../support/server.ts';

/**
 * SIGTERM under load: a real `serve` process takes concurrent batches; mid-load it is told to stop. It
 * finishes what it accepted (requests in flight are answered, the writer is flushed), exits 0, and after a
 * restart on the same data dir every message of every batch answered 200 is stored, once.
 */

const CLIENTS = 6;
const BATCH = 40;
const LOAD_MS = 3_000;

let server: SpawnedServer | undefined;
after(async () => {
  await server?.kill9();
});
const dataDir = tmpDataDir(after, 'hx-shutdown-');

interface Sent {
  ids: string[];
  status: number | 'error';
  /** sent after SIGTERM went out */
  late: boolean;
  /** answered after SIGTERM went out */
  answeredLate: boolean;
}

test('SIGTERM under load: exit 0, and every acknowledged event is stored after a restart', { timeout: 180_000 }, async () => {
  server = await spawnServer({ dataDir });
  const first = server;
  const sent: Sent[] = [];
  let signalled = false;
  let stopping = false;

  const client = async (c: number) => {
    for (let n = 0; !stopping; n++) {
      const ids = Array.from({ length: BATCH }, (_, i) => `term-${c}-${n}-${i}`);
      const batch = ids.map((messageId, i) => ({
        type: 'track',
        event: 'Product Viewed',
        userId: `term-user-${(c * 13 + i) % 50}`,
        messageId,
        properties: { product_id: `sku-${i % 9}`, price: 20 + i },
      }));
      const late = signalled;
      let status: number | 'error';
      try {
        const res = await fetch(`${first.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${first.writeKey}:`).toString('base64')}` },
          body: JSON.stringify({ batch }),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 'error';
      }
      sent.push({ ids, status, late, answeredLate: signalled });
      if (status === 'error') return; // the server has closed its socket: this client is done
    }
  };

  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  await new Promise((r) => setTimeout(r, LOAD_MS));
  signalled = true;
  const exitCode = await first.stop(60_000);
  stopping = true;
  await Promise.all(clients);

  assert.equal(exitCode, 0, `the server exits 0 after SIGTERM\n${first.output()}`);
  const acked = sent.filter((s) => s.status === 200);
  assert.ok(acked.length >= CLIENTS, `batches were acknowledged under load (${acked.length})`);
  for (const s of sent) assert.ok(s.status === 200 || s.status === 503 || s.status === 'error', `a batch got ${s.status}: only 200, 503 or a closed connection are acceptable`);

  // restart on the same dir and look every acknowledged message up
  server = await spawnServer({ dataDir });
  const admin = api(server.url, server.adminToken);
  const wanted = new Set(acked.flatMap((s) => s.ids));
  const stored = await admin.post<{ rows: [string[], number][] }>('/api/v1/sql', {
    query: `SELECT groupUniqArray(message_id), count() FROM huaxiang_safe.events WHERE startsWith(message_id, 'term-')`,
    maxRows: 1,
  });
  assert.equal(stored.status, 200, stored.text);
  const [ids, rows] = stored.body.rows[0]!;
  const have = new Set(ids);
  const missing = [...wanted].filter((id) => !have.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${wanted.size} acknowledged messages are missing after the restart`);
  assert.equal(rows, have.size, 'no message is stored twice');
  const drained = sent.filter((s) => s.answeredLate && s.status === 200).length;
  process.stdout.write(`# ${acked.length} batches acknowledged (${drained} of them answered after SIGTERM), ${sent.length - acked.length} refused or cut; ${have.size} messages stored\n`);
  assert.equal((await server.stop()), 0);
});
