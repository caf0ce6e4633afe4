import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsDir as olapMigrationsDir, readMigrations } from '../store/olap/migrate.ts';
import type { Runtime } from '../runtime.ts';
import { currentLeader } from './leader.ts';

const oltpMigrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'store', 'oltp', 'migrations');

export interface Readiness {
  ready: boolean;
  role: 'api' | 'worker' | 'all';
  node: string;
  checks: {
    olap: string;
    oltp: string;
    /** 'ok', or the migrations this code has that the store has not recorded */
    migrations: string;
    /** workers: 'ok' when the job runner is up (leader or waiting to take over); others: 'not used' */
    jobs: string;
  };
  /** this node runs the scheduled jobs now */
  leader: boolean;
  /** the node holding the leader lock (a Postgres server; with embedded PGlite, this node) */
  leaderNode: string | null;
}

/**
 * Ready to take traffic (or, for a worker, to run jobs): both stores answer, every migration this code
 * carries is recorded in both, and a worker's job runner is up. Liveness is /healthz's business.
 */
export async function readiness(rt: Runtime): Promise<Readiness> {
  const answer = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.message);
  const [olap, oltp] = await Promise.all([answer(rt.olap.query('SELECT 1')), answer(rt.oltp.query('SELECT 1'))]);
  const missing: string[] = [];
  if (olap === 'ok') {
    const done = new Set((await rt.olap.query<{ version: number }>(`SELECT DISTINCT version FROM ${rt.olap.db}.schema_migrations`)).map((r) => Number(r.version)));
    for (const m of readMigrations(olapMigrationsDir)) if (!done.has(m.version)) missing.push(`olap ${m.name}`);
  }
  if (oltp === 'ok') {
    const done = new Set((await rt.oltp.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    for (const m of readMigrations(oltpMigrationsDir)) if (!done.has(m.version)) missing.push(`oltp ${m.name}`);
  }
  const migrations = olap !== 'ok' || oltp !== 'ok' ? 'unknown' : missing.length ? `pending: ${missing.join(', ')}` : 'ok';
  const role = rt.config.role;
  const state = rt.jobs.state();
  const jobs = role === 'api' ? 'not used' : state.up ? 'ok' : 'the job runner is not running';
  const leaderNode = oltp !== 'ok' ? null : rt.oltp.kind === 'pglite' ? (state.leader ? state.node : null) : await currentLeader(rt.oltp, rt.workspace.leaderLock).catch(() => null);
  const ready = olap === 'ok' && oltp === 'ok' && migrations === 'ok' && (role !== 'worker' || state.up);
  return { ready, role, node: state.node, checks: { olap, oltp, migrations, jobs }, leader: state.leader, leaderNode };
}
