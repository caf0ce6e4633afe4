import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { writeWorld } from '../world/index.ts';
import { runImport } from '../world/importers/run.ts';
import { ChurnInputError, trainChurn } from '../analytics/index.ts';
import { printBuild } from './build.ts';
import { printRun } from './recommend.ts';
import { progressReporter } from './progress.ts';
import { startServer } from './serve.ts';

export interface DemoOptions {
  users: number;
  days: number;
  seed: string;
}

/**
 * The main job in one command: generate a shop, import it, build what is derived, serve the dashboard.
 * Running it again on the same data dir reuses the generated world, and the import adds nothing twice.
 */
export async function demoCommand(config: Config, o: DemoOptions): Promise<void> {
  const started = Date.now();
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const worldDir = path.join(config.dataDir, 'world');
  const stamp = path.join(worldDir, 'options.json');
  const wanted = JSON.stringify(o);
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== wanted) {
    say(`generating a shop: ${o.users} users × ${o.days} days (seed ${o.seed}) …`);
    fs.rmSync(worldDir, { recursive: true, force: true });
    const summary = await writeWorld({ users: o.users, days: o.days, seed: o.seed, out: worldDir });
    fs.writeFileSync(stamp, wanted);
    say(`  ${JSON.stringify(summary)}`);
  } else {
    say(`reusing the shop generated earlier in ${worldDir}`);
  }
  const server = await startServer(config, 'demo');
  try {
    for (const [file, format] of [
      [path.join(worldDir, 'catalog', 'items.jsonl'), 'items-jsonl'],
      [path.join(worldDir, 'events.jsonl'), 'segment-jsonl'],
    ] as const) {
      const bar = progressReporter(`import ${format}`);
      const r = await runImport(server.rt, file, format, {}, (d, t) => bar.update(d, t));
      bar.stop();
      say(
        `imported ${path.basename(path.dirname(file))}/${path.basename(file)}: ${r.imported} events, ${r.items} new items, ` +
          `${r.duplicates} duplicates skipped, ${r.rejected} rows rejected (the generator adds some dirt on purpose)`,
      );
    }
    // a bulk import does not pass the live listeners: points are earned for the imported events in one catch-up
    const points = await server.rt.loyalty.earn();
    say(`loyalty: ${points.people} people earned points, ${points.tierChanges} tier changes`);
    const rt = server.rt;
    printBuild(await rt.tags.build({ trigger: 'demo' }));
    rt.tags.schedule();
    // the models: recommendations, then the churn model that writes churn_risk (a tiny shop may be too small)
    printRun(await rt.recommend.train({ trigger: 'demo' }));
    try {
      const churn = await trainChurn({ olap: rt.olap, oltp: rt.oltp, timezone: config.timezone, definitions: () => rt.tags.taxonomy.definitions() }, { trigger: 'demo' });
      say(`trained the churn model: AUC ${churn.auc} (recency only ${churn.baselineAuc}); churn_risk for ${churn.scored.persons} people`);
    } catch (err) {
      if (!(err instanceof ChurnInputError)) throw err;
      say(`churn model skipped: ${err.message}`);
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  say('');
  say(`Huaxiang demo is ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(`  dashboard    ${server.url}/`);
  say(`  admin token  ${server.adminToken}`);
  say(`  write key    ${server.writeKey}`);
  say(`  data dir     ${config.dataDir}`);
  say('Press Ctrl+C to stop.');
  const stop = () => void server.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function generateCommand(o: DemoOptions & { out: string; future?: number }): Promise<void> {
  const started = Date.now();
  const summary = await writeWorld({ users: o.users, days: o.days, seed: o.seed, future: o.future, out: o.out });
  process.stdout.write(`wrote ${o.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n${JSON.stringify(summary, null, 2)}\n`);
}
