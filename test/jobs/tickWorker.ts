// A worker process for the fail-over test: the real leader election (advisory lock on the Postgres server
// in HX_DATABASE_URL) and the real job runner, with one job, `test.tick`, every 500 ms, that records each
// run in job_test_log. Prints `elected <epoch ms>` / `demoted <epoch ms>` as its leadership changes.
//   node --import tsx test/jobs/tickWorker.ts NODE_NAME
import pino from 'pino';
import { AdvisoryLockLeader, JobRunner } from '../../src/jobs/index.ts';
import { openOltp } from '../../src/store/oltp/index.ts';

const url = process.env.HX_DATABASE_URL;
const node = process.argv[2];
if (!url || !node) throw new Error('usage: HX_DATABASE_URL=postgres://… tickWorker.ts NODE_NAME');
const log = pino({ level: 'warn' }, pino.destination(2));
const oltp = await openOltp({ url });
const leadership = new AdvisoryLockLeader({ url, node, log, retryMs: 1000 });
leadership.onChange((leader) => process.stdout.write(`${leader ? 'elected' : 'demoted'} ${Date.now()}\n`));
const runner = new JobRunner({ oltp, leadership, log, tickMs: 50 });
runner.add({
  name: 'test.tick',
  everyMs: 500,
  run: async (_trigger, slot) => {
    await oltp.query('INSERT INTO job_test_log (job, slot, node) VALUES ($1, $2, $3)', ['test.tick', slot, node]);
    // long enough that a kill often lands in the middle of a run
    await new Promise((r) => setTimeout(r, 200));
  },
});
runner.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner.stop().then(() => oltp.close()).then(() => process.exit(0));
});
