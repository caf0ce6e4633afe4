import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOltp } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';
import { oltpContract } from './oltp.contract.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-oltp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

oltpContract('PGlite (on disk)', () => openOltp({ dataDir: tmp }));

// the test runner's Postgres server, else one started for this file
const pg = testPostgres();
oltpContract('Postgres server', async () => openOltp({ url: await createDatabase(pg.url(), `contract_${process.pid}`) }));

describe('PGlite persistence', () => {
  it('keeps data across reopen and does not re-run migrations', async () => {
    const dir = path.join(tmp, 'reopen');
    const a = await openOltp({ dataDir: dir });
    await a.query(`INSERT INTO write_keys (id, name, key_hash) VALUES ('p1', 'n', 'h')`);
    await a.close();
    const b = await openOltp({ dataDir: dir });
    assert.deepEqual(await b.query(`SELECT id FROM write_keys`), [{ id: 'p1' }]);
    const files = fs.readdirSync(new URL('../../src/store/oltp/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
    assert.equal((await b.query('SELECT * FROM schema_migrations')).length, files.length);
    await b.close();
  });
});
