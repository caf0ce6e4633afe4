// Counts what a stopped server stored: run in its own process (the embedded engine serves one data
// directory per process). Usage: node bin/run-ts.js bench/lib/count.ts DATA_DIR [RUN_TAG]
// Prints one JSON line: {"events":…,"distinctMessageIds":…,"byPhase":{"b":…,"t":…},"deadLetters":…}
import path from 'node:path';
import { OlapStore } from '../../src/store/olap/index.ts';

const [dataDir, runTag = ''] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: count.ts DATA_DIR [RUN_TAG]\n');
  process.exit(2);
}
const olap = await OlapStore.open({ database: 'huaxiang', path: path.join(path.resolve(dataDir), 'clickhouse') });
try {
  const [totals] = await olap.query<{ events: number; ids: number }>(
    `SELECT count() AS events, uniqExact(message_id) AS ids FROM ${olap.db}.events WHERE startsWith(message_id, {tag:String})`,
    { tag: runTag },
  );
  const phases = await olap.query<{ phase: string; n: number }>(
    `SELECT splitByChar('.', message_id)[2] AS phase, count() AS n FROM ${olap.db}.events WHERE startsWith(message_id, {tag:String}) GROUP BY phase ORDER BY phase`,
    { tag: runTag },
  );
  const [dead] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${olap.db}.dead_letters`);
  const [all] = await olap.query<{ n: number }>(`SELECT count() AS n FROM ${olap.db}.events`);
  process.stdout.write(
    JSON.stringify({
      events: Number(totals!.events),
      distinctMessageIds: Number(totals!.ids),
      byPhase: Object.fromEntries(phases.map((p) => [p.phase, Number(p.n)])),
      allEvents: Number(all!.n),
      deadLetters: Number(dead!.n),
    }) + '\n',
  );
} finally {
  await olap.close();
}
