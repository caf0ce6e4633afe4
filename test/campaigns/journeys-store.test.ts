/**
 * The journey store on both Postgres adapters — PGlite and a real Postgres server (HX_TEST_PG_URL, else one
 * started here): definitions and status transitions; states written in one statement, new and changed,
 * with the version check that drops a stale writer's change; due waits by time; counters added to; stats.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { journeyInput } from '../../src/campaigns/journeys/definition.ts';
import { JourneyStore, JourneyTransitionError, type PersonState } from '../../src/campaigns/journeys/store.ts';
import { openOltp, type OltpStore } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-journey-store-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
// the test runner's Postgres server, else one started for this file
const pg = testPostgres();

const T = Date.UTC(2026, 10, 24, 3, 0, 0);
const state = (personId: string, o: Partial<PersonState> = {}): PersonState => ({
  journeyId: 'j1', personId, userId: personId, entry: 1, arm: 'journey', locale: 'zh-CN', stepId: 'w', status: 'waiting',
  wakeAt: T, awaiting: null, enteredAt: T - 1000, stepAt: T - 1000, finishedAt: null, exitReason: null, version: 0, ...o,
});

function contract(name: string, open: () => Promise<OltpStore>) {
  describe(`journey store: ${name}`, () => {
    let db: OltpStore;
    let store: JourneyStore;
    before(async () => {
      db = await open();
      store = new JourneyStore(db);
    });
    after(() => db?.close());

    it('creates a draft and moves it only along draft → active ⇄ paused', async () => {
      const def = journeyInput.parse({ name: 'n', entry: { kind: 'event', event: 'A' }, steps: [{ id: 'w', type: 'wait', duration: { hours: 1 }, next: 'e' }, { id: 'e', type: 'exit' }] });
      const { id: _, ...rest } = def;
      const j = await store.create('j1', rest, 'tester');
      assert.equal(j.status, 'draft');
      assert.deepEqual(j.steps, rest.steps);
      assert.equal(j.holdout, 0.1);
      await assert.rejects(() => store.create('j1', rest, 'tester'), /exists already/);
      await assert.rejects(() => store.transition('j1', 'paused'), JourneyTransitionError);
      assert.equal((await store.transition('j1', 'active')).status, 'active');
      assert.deepEqual((await store.list('active')).map((x) => x.id), ['j1']);
    });

    it('writes states in one statement, keeping a change only over the version it was read at', async () => {
      const fresh = Array.from({ length: 50 }, (_, i) => state(`p${i}`, { wakeAt: T + i * 1000 }));
      assert.equal(await store.save(fresh), 50);
      const read = await store.statesOf(['j1'], ['p0', 'p1', 'p2']);
      assert.deepEqual(read.sort((a, b) => a.personId.localeCompare(b.personId)), [0, 1, 2].map((i) => state(`p${i}`, { wakeAt: T + i * 1000, version: 1 })));
      // two writers read p0 at version 1; the first wins, the second's change is dropped
      const [p0] = await store.statesOf(['j1'], ['p0']);
      assert.equal(await store.save([{ ...p0!, status: 'done', stepId: 'e', wakeAt: null, finishedAt: T }]), 1);
      assert.equal(await store.save([{ ...p0!, status: 'exited', exitReason: 'late writer' }]), 0);
      const [now] = await store.statesOf(['j1'], ['p0']);
      assert.equal(now!.status, 'done');
      assert.equal(now!.version, 2);
      assert.equal(now!.finishedAt, T);
      // a second insert of a person already there (version 0 again) is dropped too
      assert.equal(await store.save([state('p1', { entry: 9 })]), 0);
    });

    it('finds waits that are due, oldest first, up to a limit', async () => {
      const due = await store.due(['j1'], T + 10_000, 5);
      // p0 is done; p1…p10 have wake_at T+1 s … T+10 s
      assert.deepEqual(due.map((s) => s.personId), ['p1', 'p2', 'p3', 'p4', 'p5']);
      assert.deepEqual((await store.due(['j1'], T + 10_000, 100)).length, 10);
      assert.deepEqual(await store.due(['other'], T + 10_000, 100), []);
    });

    it('adds to the step counters and reports stats', async () => {
      await store.count(new Map([['j1', new Map([['w', { entered: 50, completed: 1, heldOut: 0 }], ['e', { entered: 1, completed: 1, heldOut: 0 }]])]]));
      await store.count(new Map([['j1', new Map([['w', { entered: 2, completed: 0, heldOut: 3 }]])]]));
      const s = await store.stats('j1');
      assert.deepEqual(s.steps.w, { entered: 52, completed: 1, heldOut: 3, waiting: 49 });
      assert.deepEqual(s.steps.e, { entered: 1, completed: 1, heldOut: 0, waiting: 0 });
      assert.deepEqual(s.people, { waiting: 49, done: 1, exited: 0, control: 0 });
    });
  });
}

contract('PGlite', () => openOltp({ dataDir: tmp }));
contract('Postgres server', async () => openOltp({ url: await createDatabase(pg.url(), `journeys_${process.pid}`) }));
