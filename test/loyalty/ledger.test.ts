import { after, before } from 'node:test';
import { openOltp } from '../../src/store/oltp/index.ts';
import { createDatabase, testPostgres } from '../support/postgres.ts';
import { ledgerContract } from './ledger.contract.ts';

ledgerContract('PGlite', () => openOltp({ dataDir: ':memory:' }));

// the test runner's Postgres server, else one started for this file
const pg = testPostgres();
ledgerContract('Postgres server', async () => openOltp({ url: await createDatabase(pg.url(), `loyalty_${process.pid}`) }));
