/**
 * The people a serving bench asks for: a stable sample (by hash) of the people with product events in
 * the last `days` days of the data, as a shop's traffic would bring them — signed-in customers and
 * anonymous visitors alike, resolved to their person as the models see them. Prints a JSON array.
 *
 *   node bin/run-ts.js bench/recommend/people.ts --data DIR [--n 5000] [--days 30]
 *
 * Opens only the ClickHouse store of the data dir (no server may hold it).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConfig } from '../../src/config.ts';
import { PERSON, personJoin } from '../../src/recommend/data.ts';
import { BEHAVIOURS } from '../../src/recommend/types.ts';
import { OlapStore } from '../../src/store/olap/index.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, n: { type: 'string' }, days: { type: 'string' } } });
if (!values.data) throw new Error('--data DIR is required');
const config = testConfig({ dataDir: values.data });
const olap = await OlapStore.open({ database: config.clickhouse.database, path: path.join(values.data, 'clickhouse') });
const db = olap.db;
const rows = await olap.query<{ person: string }>(
  `SELECT person FROM (
     SELECT ${PERSON} AS person
     FROM ${db}.events AS e ${personJoin(db)}
     WHERE e.event IN {events:Array(String)}
       AND e.timestamp >= (SELECT max(timestamp) FROM ${db}.events) - toIntervalDay({days:UInt32})
     GROUP BY person
   )
   ORDER BY cityHash64(person), person LIMIT {n:UInt32}`,
  { events: BEHAVIOURS, days: Number(values.days ?? 30), n: Number(values.n ?? 5000) },
);
await olap.client.close();
// exit once the list is written (a pipe takes large writes asynchronously); the engine's threads would keep the process up
process.stdout.write(`${JSON.stringify(rows.map((r) => r.person))}\n`, () => process.exit(0));
