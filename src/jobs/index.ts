import os from 'node:os';

export { AdvisoryLockLeader, currentLeader, LEADER_LOCK, leadershipFor, SoleLeader, type Leadership } from './leader.ts';
export { JobRunner, type Job, type RunnerState, type Service, type Trigger } from './runner.ts';
export { leaderWork } from './schedule.ts';
export { readiness, type Readiness } from './readiness.ts';

/** This process's name among the nodes: HX_NODE_NAME, else host:pid. */
export function nodeName(configured?: string): string {
  return configured ?? `${os.hostname()}:${process.pid}`;
}
