import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OltpStore } from '../store/oltp/index.ts';
import type { Leadership } from './leader.ts';

export type Trigger = 'startup' | 'schedule';

/**
 * Scheduled work shared by the whole deployment (tag builds, segment re-evaluation, loyalty maintenance,
 * retention). Time is cut into slots of `everyMs` counted from the Unix epoch, the same on every node,
 * so "the 14:00 run of tags.build" names one thing everywhere.
 */
export interface Job {
  name: string;
  /** the period; 0: no periodic runs (only the start-up run, if any) */
  everyMs: number;
  /** a run when this node becomes leader, after this delay (the engines' start-up catch-up) */
  atStartMs?: number;
  run(trigger: Trigger, slot: number): Promise<unknown>;
}

/** Long-running leader-only work (outbox senders, the campaign clock): started on election, stopped on demotion. */
export interface Service {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

export interface RunnerState {
  /** the runner was started (for a worker: readiness) */
  up: boolean;
  leader: boolean;
  node: string;
  running: string[];
}

/**
 * Runs jobs on the leader only. Before a run starts, its (job, slot) row is inserted into `job_runs`
 * on the leader's own session under the leadership fence, in one statement; the unique key makes the
 * insert the claim. A slot claimed once is never run again — by this node or by the next leader after a
 * fail-over — so a run cut short by a crash is not repeated: the next slot runs as usual (at most once
 * per slot, by design).
 */
export class JobRunner {
  private readonly jobs: Job[] = [];
  private readonly services: Service[] = [];
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly lastSlot = new Map<string, number>();
  private readonly startDue = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private servicesUp = false;
  private electedAt = 0;
  private up = false;
  private readonly metrics?: { leader: Gauge; runs: Counter; seconds: Histogram };

  constructor(
    private readonly d: { oltp: OltpStore; leadership: Leadership; log: Logger; tickMs?: number; registry?: Registry },
  ) {
    if (d.registry) {
      const registers = [d.registry];
      this.metrics = {
        leader: new Gauge({ name: 'hx_job_leader', help: '1 while this node is the leader that runs the scheduled jobs', registers }),
        runs: new Counter({ name: 'hx_job_runs_total', help: 'job runs this node claimed and ran, by job and outcome', labelNames: ['job', 'status'], registers }),
        seconds: new Histogram({ name: 'hx_job_run_seconds', help: 'duration of job runs on this node', labelNames: ['job'], buckets: [0.1, 1, 5, 15, 60, 300, 900, 3600], registers }),
      };
      this.metrics.leader.set(0);
    }
    d.leadership.onChange((leader) => {
      this.metrics?.leader.set(leader ? 1 : 0);
      if (leader) this.lead();
      else void this.follow();
    });
  }

  get node(): string {
    return this.d.leadership.node;
  }

  add(job: Job): this {
    if (this.jobs.some((j) => j.name === job.name)) throw new Error(`job ${job.name} added twice`);
    if (!(job.everyMs >= 0)) throw new Error(`job ${job.name}: everyMs must be ≥ 0`);
    this.jobs.push(job);
    return this;
  }

  addService(service: Service): this {
    this.services.push(service);
    return this;
  }

  /** Starts campaigning for the lead; jobs and services start when this node is elected. */
  start(): void {
    this.up = true;
    this.d.leadership.start();
  }

  state(): RunnerState {
    return { up: this.up, leader: this.d.leadership.leader, node: this.node, running: [...this.inflight.keys()] };
  }

  /** Claims `job`'s `slot` for this node; true when this node got it (it must then run it). */
  async claim(job: string, slot: number, trigger: Trigger): Promise<boolean> {
    const { session, fence } = this.d.leadership;
    const rows = await session.query<{ job: string }>(
      `INSERT INTO job_runs (job, slot, trigger, node) SELECT $1, $2, $3, $4 WHERE ${fence}
       ON CONFLICT (job, slot) DO NOTHING RETURNING job`,
      [job, slot, trigger, this.node],
    );
    return rows.length === 1;
  }

  private lead(): void {
    this.electedAt = Date.now();
    this.lastSlot.clear();
    this.startDue.clear();
    for (const j of this.jobs) {
      // periodic runs begin with the slot after the one this node was elected in; the slot it was elected
      // in belongs to the start-up run (if the job has one and nobody ran that slot yet)
      if (j.everyMs > 0) this.lastSlot.set(j.name, Math.floor(this.electedAt / j.everyMs));
      if (j.atStartMs !== undefined) this.startDue.set(j.name, this.electedAt + j.atStartMs);
    }
    for (const s of this.services) {
      try {
        s.start();
      } catch (err) {
        this.d.log.warn({ err, service: s.name }, 'service failed to start');
      }
    }
    this.servicesUp = true;
    this.timer = setInterval(() => this.tick(), this.d.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  private async follow(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.inflight.size > 0) this.d.log.warn({ running: [...this.inflight.keys()] }, 'lost the lead while jobs run; they finish here, nothing new starts');
    await this.stopServices();
  }

  private async stopServices(): Promise<void> {
    if (!this.servicesUp) return;
    this.servicesUp = false;
    await Promise.allSettled(this.services.map((s) => s.stop()));
  }

  private tick(): void {
    if (!this.d.leadership.leader) return;
    const now = Date.now();
    for (const j of this.jobs) {
      if (this.inflight.has(j.name)) continue;
      const due = this.startDue.get(j.name);
      if (due !== undefined && now >= due) {
        this.startDue.delete(j.name);
        // a start-up-only job's slot is the election (a new leader may run it again; such jobs check state)
        const slot = j.everyMs > 0 ? Math.floor(now / j.everyMs) : Math.floor(this.electedAt / 1000);
        this.launch(j, slot, 'startup');
        continue;
      }
      if (j.everyMs <= 0) continue;
      const slot = Math.floor(now / j.everyMs);
      if (slot > (this.lastSlot.get(j.name) ?? -1)) {
        this.lastSlot.set(j.name, slot);
        this.launch(j, slot, 'schedule');
      }
    }
  }

  private launch(j: Job, slot: number, trigger: Trigger): void {
    const p = (async () => {
      if (!(await this.claim(j.name, slot, trigger))) return;
      const started = Date.now();
      let error: string | null = null;
      try {
        await j.run(trigger, slot);
      } catch (err) {
        error = (err as Error).message ?? String(err);
        this.d.log.warn({ err, job: j.name, slot }, 'scheduled job failed');
      }
      await this.d.oltp
        .query(`UPDATE job_runs SET finished_at = now(), status = $3, error = $4 WHERE job = $1 AND slot = $2`, [j.name, slot, error ? 'failed' : 'done', error])
        .catch((err) => this.d.log.warn({ err, job: j.name, slot }, 'could not record the end of a job run'));
      this.metrics?.runs.inc({ job: j.name, status: error ? 'failed' : 'done' });
      this.metrics?.seconds.observe({ job: j.name }, (Date.now() - started) / 1000);
      this.d.log.debug({ job: j.name, slot, trigger, ms: Date.now() - started }, 'job ran');
    })()
      .catch((err) => this.d.log.warn({ err: (err as Error).message, job: j.name, slot }, 'could not claim a job slot'))
      .finally(() => this.inflight.delete(j.name));
    this.inflight.set(j.name, p);
  }

  /** Stops scheduling, lets running jobs finish, stops services and gives the lead up. */
  async stop(): Promise<void> {
    this.up = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inflight.values()]);
    await this.stopServices();
    await this.d.leadership.stop();
  }
}
