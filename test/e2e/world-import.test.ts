import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { writeWorld } from '../../src/world/index.ts';
import { runImport } from '../../src/world/importers/run.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-world-import-'));
let rt: Runtime;
let summary: Record<string, any>;
let dirt: Record<string, any>;
before(async () => {
  summary = await writeWorld({ users: 400, days: 30, seed: 'e2e', out: path.join(dir, 'world') });
  dirt = JSON.parse(fs.readFileSync(path.join(dir, 'world', 'truth', 'dirt.json'), 'utf8'));
  rt = await openRuntime(testConfig({ dataDir: path.join(dir, 'data'), logLevel: 'silent' }), { command: 'test' });
});
after(async () => {
  await rt?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a generated shop imported end to end', () => {
  it('stores exactly the clean world: dirt rejected or deduplicated, nothing valid lost', async () => {
    const r = await runImport(rt, path.join(dir, 'world', 'events.jsonl'), 'segment-jsonl');
    const d = dirt.events;
    assert.equal(r.rows, summary.lines, 'every line was read');
    assert.equal(r.imported, summary.events, 'every clean event stored once');
    assert.equal(r.duplicates, d.duplicate, 'every re-sent message recognised');
    assert.equal(r.rejected, d.revenueNotNumber + d.missingIds + d.productsNotArray, 'every malformed row rejected, each with a reason');
    const [c] = await rt.olap.query<{ orders: number; revenue: number }>(
      `SELECT uniqExact(order_id) AS orders, round(sum(revenue), 1) AS revenue FROM ${rt.olap.db}.events WHERE event = 'Order Completed'`,
    );
    assert.equal(Number(c!.orders), summary.orders);
    assert.ok(Math.abs(Number(c!.revenue) - summary.revenue) < 0.5, `revenue ${c!.revenue} vs truth ${summary.revenue}`);
  });

  it('joins every device to the user its events tie it to', async () => {
    // the ties the events themselves state: identify (or any message) with both ids, alias previousId → userId
    const ties = new Map<string, Set<string>>();
    for (const line of fs.readFileSync(path.join(dir, 'world', 'events.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(line);
      } catch {
        continue;
      }
      const from = (m.type === 'alias' ? m.previousId : m.anonymousId) as string | undefined;
      const to = m.userId as string | undefined;
      if (from && to && from !== to) (ties.get(from) ?? ties.set(from, new Set()).get(from)!).add(to);
    }
    const single = [...ties].filter(([, users]) => users.size === 1);
    assert.ok(single.length > 100, `${single.length} devices tied to a user`);
    for (const [device, users] of single) {
      const [user] = [...users];
      assert.equal(await rt.identity.personOf(device), await rt.identity.personOf(user!), `device ${device} joins ${user}`);
    }
  });
});
