import type { OltpStore } from '../store/oltp/index.ts';
import type { Arm } from './assign.ts';

export interface ExperimentArm extends Arm {
  /** what the arm does, read by the module that runs the experiment (e.g. a recommendation strategy) */
  strategy?: string;
}

export interface Experiment {
  id: string;
  name: string;
  kind: string;
  /** the first arm is the control */
  arms: ExperimentArm[];
  windowDays: number;
  createdAt: string;
  stoppedAt: string | null;
}

interface Row {
  id: string;
  name: string;
  kind: string;
  arms: ExperimentArm[];
  window_days: number;
  created_at: Date | string;
  stopped_at: Date | string | null;
}

const view = (r: Row): Experiment => ({
  id: r.id, name: r.name, kind: r.kind, arms: r.arms, windowDays: Number(r.window_days),
  createdAt: new Date(r.created_at).toISOString(), stoppedAt: r.stopped_at === null ? null : new Date(r.stopped_at).toISOString(),
});

export class ExperimentExistsError extends Error {}

/** Experiment definitions in Postgres, with a small in-process cache (definitions change rarely). */
export class ExperimentStore {
  private cache = new Map<string, Experiment | null>();
  constructor(private readonly db: OltpStore) {}

  async create(e: { id: string; name: string; kind: string; arms: ExperimentArm[]; windowDays?: number }): Promise<Experiment> {
    const rows = await this.db.query<Row>(
      `INSERT INTO experiments (id, name, kind, arms, window_days) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [e.id, e.name, e.kind, JSON.stringify(e.arms), e.windowDays ?? 7],
    );
    if (!rows[0]) throw new ExperimentExistsError(`experiment '${e.id}' exists already`);
    const x = view(rows[0]);
    this.cache.set(x.id, x);
    return x;
  }

  async get(id: string): Promise<Experiment | null> {
    if (this.cache.has(id)) return this.cache.get(id)!;
    const rows = await this.db.query<Row>('SELECT * FROM experiments WHERE id = $1', [id]);
    const x = rows[0] ? view(rows[0]) : null;
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(id, x);
    return x;
  }

  async list(kind?: string): Promise<Experiment[]> {
    const rows = await this.db.query<Row>(kind ? 'SELECT * FROM experiments WHERE kind = $1 ORDER BY created_at DESC' : 'SELECT * FROM experiments ORDER BY created_at DESC', kind ? [kind] : []);
    return rows.map(view);
  }

  async stop(id: string): Promise<Experiment | null> {
    const rows = await this.db.query<Row>('UPDATE experiments SET stopped_at = coalesce(stopped_at, now()) WHERE id = $1 RETURNING *', [id]);
    this.cache.delete(id);
    return rows[0] ? view(rows[0]) : null;
  }
}
