import { decideWinner } from '../campaigns/results.ts';
import type { Runtime } from '../runtime.ts';
import type { Job, Service } from './runner.ts';

const MINUTE = 60_000;

/**
 * The deployment-wide scheduled work of the engines, as leader jobs and services. These replace the
 * engines' own `schedule()` timers on a server, with the same periods and start-up runs:
 *
 * | job | period | at election |
 * |---|---|---|
 * | tags.build | HX_TAG_BUILD_MINUTES (60) | a first build when none exists and there are events |
 * | segments.evaluate | segments.evaluateEveryMinutes (15) | — |
 * | loyalty.maintain | 60 min | after 1 s |
 * | privacy.retention | 24 h | after 60 s (serve only) |
 * | campaigns.winners | 5 min | — (running campaigns with an automatic winner rule and none chosen yet) |
 *
 * Services: the segment webhook sender and the campaign and journey clocks.
 * Recommendation training is not here: its models live in the memory of each node that serves them.
 */
export function leaderWork(rt: Runtime, command: string): { jobs: Job[]; services: Service[] } {
  const jobs: Job[] = [];
  // `demo` imports first and then calls tags.schedule() itself
  if (command !== 'demo') {
    jobs.push({
      name: 'tags.build',
      everyMs: rt.config.tags.buildEveryMinutes * MINUTE,
      atStartMs: 0,
      run: async (trigger) => {
        if (trigger === 'schedule') return rt.tags.build({ trigger: 'schedule' });
        if ((await rt.tags.builds(1)).length === 0 && (await hasEvents(rt))) return rt.tags.build({ trigger: 'startup' });
      },
    });
  }
  jobs.push({ name: 'segments.evaluate', everyMs: rt.config.segments.evaluateEveryMinutes * MINUTE, run: () => rt.segments.evaluateAll('schedule') });
  jobs.push({ name: 'campaigns.winners', everyMs: 5 * MINUTE, run: () => decideWinners(rt) });
  jobs.push({ name: 'loyalty.maintain', everyMs: 60 * MINUTE, atStartMs: 1000, run: () => rt.loyalty.maintain() });
  if (command === 'serve') {
    jobs.push({
      name: 'privacy.retention',
      everyMs: 24 * 60 * MINUTE,
      atStartMs: MINUTE,
      run: async () => rt.log.info({ removed: (await rt.privacy.retention.enforce()).removed }, 'retention enforced'),
    });
  }
  const services: Service[] = [
    { name: 'segments.webhooks', start: () => rt.segments.webhooks.start(), stop: () => rt.segments.webhooks.stop() },
    // schedule() after stop() must start them again: a node can lose the lead and win it back
    { name: 'campaigns', start: () => rt.campaigns.schedule(), stop: () => rt.campaigns.stop() },
    { name: 'journeys', start: () => rt.journeys.schedule(), stop: () => rt.journeys.stop() },
  ];
  return { jobs, services };
}

/** The automatic winner rule of every running campaign that has one and no winner yet (src/campaigns/results/winner.ts). */
export async function decideWinners(rt: Pick<Runtime, 'olap' | 'oltp' | 'campaigns' | 'log'>): Promise<string[]> {
  const decided: string[] = [];
  for (const c of await rt.campaigns.store.list({ status: 'running' })) {
    if (!c.experiment.autoWinner || c.winner) continue;
    const d = await decideWinner({ olap: rt.olap, oltp: rt.oltp, store: rt.campaigns.store }, c.id, 'system').catch((err: unknown) => {
      rt.log.warn({ err, campaign: c.id }, 'automatic winner check failed');
      return null;
    });
    if (d?.winner) decided.push(c.id);
  }
  return decided;
}

async function hasEvents(rt: Runtime): Promise<boolean> {
  const [r] = await rt.olap.query<{ n: number }>(`SELECT count() AS n FROM (SELECT 1 FROM ${rt.olap.db}.events LIMIT 1)`);
  return Number(r?.n ?? 0) > 0;
}
