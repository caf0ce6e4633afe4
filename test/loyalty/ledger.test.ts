import { after, before } from 'node:test';
import { openOltp } from '../../src/store/oltp/index.ts';
import { createDatabase, startPostgres, type PgServer } from '../support/postgres.ts';
import { ledgerContract } from './ledger.contract.ts';

ledgerContract('PGlite', () => openOltp({ dataDir: ':memory:' }));

// A real Postgres server: the one the test runner started (HX_TEST_PG_URL), else one started here.
let server: PgServer | undefined;
let serverUrl = process.env.HX_TEST_PG_URL;
before(async () => {
  if (!serverUrl) {
    server = await startPostgres();
    serverUrl = server.url;
  }
});
after(async () => server?.stop());
ledgerContract('Postgres server', async () => openOltp({ url: await createDatabase(serverUrl!, `loyalty_${process.pid}`) }));
