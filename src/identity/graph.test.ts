import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OlapStore } from '../store/olap/index.ts';
import { openOltp, type OltpStore } from '../store/oltp/index.ts';
import { IdentityGraph } from './graph.ts';
import type { IdentityLink } from './links.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-identity-'));
let olap: OlapStore;
let oltp: OltpStore;
let graph: IdentityGraph;
before(async () => {
  olap = await OlapStore.open({ path: path.join(dir, 'ch'), database: 'identity_test' });
  oltp = await openOltp({ dataDir: ':memory:' });
  graph = new IdentityGraph(oltp, olap);
});
after(async () => {
  await olap.close();
  await oltp.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const link = (from: string, to: string, via: IdentityLink['via'] = 'identify'): IdentityLink => ({ from, to, via, messageId: `m${++n}` });

describe('IdentityGraph', () => {
  it('joins several devices of one user into one person', async () => {
    await graph.apply([link('phone-1', 'u1'), link('laptop-1', 'u1')]);
    assert.equal(await graph.personOf('phone-1'), 'u1');
    assert.deepEqual(await graph.idsOf('u1'), { anonymousIds: ['laptop-1', 'phone-1'].sort(), userIds: ['u1'] });
  });
  it('does not merge two known users through a shared device', async () => {
    await graph.apply([link('shared', 'u2'), link('shared', 'u3')]);
    assert.equal(await graph.personOf('shared'), 'u2');
    assert.equal(await graph.personOf('u3'), 'u3');
    const why = await oltp.query<{ outcome: string }>(`SELECT outcome FROM identity_links WHERE from_id = 'shared' ORDER BY id`);
    assert.deepEqual(why.map((w) => w.outcome), ['linked', 'kept: already belongs to u2']);
  });
  it('merges on alias, re-pointing every id of the old person, and mirrors the map to ClickHouse', async () => {
    await graph.apply([link('tablet', 'old-account')]);
    await graph.apply([link('old-account', 'u1', 'alias')]);
    assert.equal(await graph.personOf('tablet'), 'u1');
    assert.equal(await graph.personOf('old-account'), 'u1');
    const { anonymousIds, userIds } = await graph.idsOf('u1');
    assert.deepEqual(anonymousIds.sort(), ['laptop-1', 'phone-1', 'tablet']);
    assert.deepEqual(userIds, ['u1', 'old-account']);
    const mirrored = await olap.query<{ distinct_id: string; person_id: string }>(
      `SELECT distinct_id, person_id FROM ${olap.db}.person_ids FINAL WHERE distinct_id IN ('tablet', 'old-account') ORDER BY distinct_id`,
    );
    assert.deepEqual(mirrored, [
      { distinct_id: 'old-account', person_id: 'u1' },
      { distinct_id: 'tablet', person_id: 'u1' },
    ]);
  });
  it('marks an id first seen as a device as a user once it is used as a userId', async () => {
    await graph.apply([link('kiosk-7', 'u7')]);
    await graph.apply([link('kiosk-8', 'kiosk-7')]);
    const rows = await oltp.query<{ kind: string }>(`SELECT kind FROM identities WHERE distinct_id = 'kiosk-7'`);
    assert.deepEqual(rows, [{ kind: 'user' }]);
    assert.equal(await graph.personOf('kiosk-8'), 'u7', 'the new device joins the person that id belongs to');
  });

  it('treats a repeated link as already applied', async () => {
    assert.deepEqual(await graph.apply([link('phone-1', 'u1')]), []);
  });
});
