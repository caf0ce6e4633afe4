import { randomBytes } from 'node:crypto';
import type { OltpStore } from '../../store/oltp/index.ts';
import type { Journey, JourneyDefinition, JourneyStatus } from './definition.ts';

export class JourneyNotFoundError extends Error {}
export class JourneyExistsError extends Error {}
export class JourneyTransitionError extends Error {
  constructor(
    readonly from: JourneyStatus,
    readonly to: JourneyStatus,
    message = `a ${from} journey cannot become ${to}`,
  ) {
    super(message);
  }
}

/** One person's place in one journey (a journey_states row). Times are epoch milliseconds. */
export interface PersonState {
  journeyId: string;
  personId: string;
  userId: string;
  entry: number;
  arm: 'journey' | 'control';
  locale: 'zh-CN' | 'en';
  stepId: string | null;
  /** `active` exists only in memory, while a split or send step is being worked out */
  status: 'active' | 'waiting' | 'done' | 'exited';
  wakeAt: number | null;
  awaiting: string | null;
  enteredAt: number;
  stepAt: number;
  finishedAt: number | null;
  exitReason: string | null;
  /** the stored version (0: not stored yet); a write succeeds only over this version */
  version: number;
}

export interface StepCount {
  entered: number;
  completed: number;
  heldOut: number;
}

interface JourneyRow {
  id: string;
  name: string;
  status: JourneyStatus;
  definition: JourneyDefinition | string;
  created_by: string;
  last_daily: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

interface StateRow {
  journey_id: string;
  person_id: string;
  user_id: string;
  entry: number;
  arm: string;
  locale: string;
  step_id: string | null;
  status: string;
  wake_at: string | number | null;
  awaiting: string | null;
  entered_at: string | number;
  step_at: string | number;
  finished_at: string | number | null;
  exit_reason: string | null;
  version: number;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const ms = (v: string | number | null) => (v === null ? null : Number(v));

function toJourney(r: JourneyRow): Journey & { lastDaily: string | null } {
  const def = typeof r.definition === 'string' ? (JSON.parse(r.definition) as JourneyDefinition) : r.definition;
  return { id: r.id, ...def, name: r.name, status: r.status, createdBy: r.created_by, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), lastDaily: r.last_daily };
}

function toState(r: StateRow): PersonState {
  return {
    journeyId: r.journey_id, personId: r.person_id, userId: r.user_id, entry: r.entry, arm: r.arm === 'control' ? 'control' : 'journey',
    locale: r.locale === 'en' ? 'en' : 'zh-CN', stepId: r.step_id, status: r.status as PersonState['status'], wakeAt: ms(r.wake_at), awaiting: r.awaiting,
    enteredAt: ms(r.entered_at)!, stepAt: ms(r.step_at)!, finishedAt: ms(r.finished_at), exitReason: r.exit_reason, version: r.version,
  };
}

const TRANSITIONS: Record<JourneyStatus, JourneyStatus[]> = { draft: ['active'], active: ['paused'], paused: ['active'] };

/** Journeys and their per-person states in Postgres. Every batch operation is one statement. */
export class JourneyStore {
  constructor(private readonly db: OltpStore) {}

  async create(id: string | undefined, def: JourneyDefinition, by: string): Promise<Journey> {
    const jid = id ?? `j_${randomBytes(5).toString('hex')}`;
    const { name, ...rest } = def;
    const rows = await this.db.query<JourneyRow>(
      `INSERT INTO journeys (id, name, definition, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [jid, name, JSON.stringify(rest), by],
    );
    if (!rows[0]) throw new JourneyExistsError(`a journey '${jid}' exists already`);
    return strip(toJourney(rows[0]));
  }

  async get(id: string): Promise<Journey & { lastDaily: string | null }> {
    const rows = await this.db.query<JourneyRow>('SELECT * FROM journeys WHERE id = $1', [id]);
    if (!rows[0]) throw new JourneyNotFoundError(`no journey '${id}'`);
    return toJourney(rows[0]);
  }

  async list(status?: JourneyStatus): Promise<(Journey & { lastDaily: string | null })[]> {
    const rows = await this.db.query<JourneyRow>(
      status ? 'SELECT * FROM journeys WHERE status = $1 ORDER BY created_at, id' : 'SELECT * FROM journeys ORDER BY created_at, id',
      status ? [status] : [],
    );
    return rows.map(toJourney);
  }

  async transition(id: string, to: JourneyStatus): Promise<Journey> {
    const j = await this.get(id);
    if (!TRANSITIONS[j.status].includes(to)) throw new JourneyTransitionError(j.status, to);
    const rows = await this.db.query<JourneyRow>('UPDATE journeys SET status = $2, updated_at = now() WHERE id = $1 AND status = $3 RETURNING *', [id, to, j.status]);
    if (!rows[0]) throw new JourneyTransitionError(j.status, to);
    return strip(toJourney(rows[0]));
  }

  /** Replaces the definition of a draft or paused journey (an active one must be paused first). */
  async update(id: string, def: JourneyDefinition): Promise<Journey> {
    const { name, ...rest } = def;
    const rows = await this.db.query<JourneyRow>(
      `UPDATE journeys SET name = $2, definition = $3, updated_at = now() WHERE id = $1 AND status IN ('draft', 'paused') RETURNING *`,
      [id, name, JSON.stringify(rest)],
    );
    if (!rows[0]) {
      const j = await this.get(id);
      throw new JourneyTransitionError(j.status, j.status, `an ${j.status} journey cannot be changed; pause it first`);
    }
    return strip(toJourney(rows[0]));
  }

  async setLastDaily(id: string, date: string): Promise<void> {
    await this.db.query('UPDATE journeys SET last_daily = $2 WHERE id = $1', [id, date]);
  }

  /** Every state of these people in these journeys. */
  async statesOf(journeyIds: string[], personIds: string[]): Promise<PersonState[]> {
    if (!journeyIds.length || !personIds.length) return [];
    const rows = await this.db.query<StateRow>('SELECT * FROM journey_states WHERE journey_id = ANY($1::text[]) AND person_id = ANY($2::text[])', [journeyIds, personIds]);
    return rows.map(toState);
  }

  /** Waiting states whose wait has ended by `now`, oldest first. */
  async due(journeyIds: string[], now: number, limit: number): Promise<PersonState[]> {
    if (!journeyIds.length) return [];
    const rows = await this.db.query<StateRow>(
      `SELECT * FROM journey_states WHERE status = 'waiting' AND wake_at <= $1 AND journey_id = ANY($2::text[]) ORDER BY wake_at LIMIT $3`,
      [now, journeyIds, limit],
    );
    return rows.map(toState);
  }

  /**
   * Writes states in one statement: new ones inserted, stored ones updated only over the version they
   * were read at (a concurrent writer's change wins and this one is dropped). Returns how many were written.
   */
  async save(states: PersonState[]): Promise<number> {
    if (!states.length) return 0;
    const col = <T>(f: (s: PersonState) => T) => states.map(f);
    const rows = await this.db.query<{ n: string | number }>(
      `WITH w AS (
         INSERT INTO journey_states AS s (journey_id, person_id, user_id, entry, arm, locale, step_id, status, wake_at, awaiting, entered_at, step_at, finished_at, exit_reason, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[],
                              $11::int8[], $12::int8[], $13::int8[], $14::text[], $15::int[])
         ON CONFLICT (journey_id, person_id) DO UPDATE SET
           user_id = excluded.user_id, entry = excluded.entry, arm = excluded.arm, locale = excluded.locale, step_id = excluded.step_id,
           status = excluded.status, wake_at = excluded.wake_at, awaiting = excluded.awaiting, entered_at = excluded.entered_at,
           step_at = excluded.step_at, finished_at = excluded.finished_at, exit_reason = excluded.exit_reason, version = excluded.version
         WHERE s.version = excluded.version - 1
         RETURNING 1)
       SELECT count(*) AS n FROM w`,
      [
        col((s) => s.journeyId), col((s) => s.personId), col((s) => s.userId), col((s) => s.entry), col((s) => s.arm), col((s) => s.locale),
        col((s) => s.stepId), col((s) => s.status), col((s) => s.wakeAt), col((s) => s.awaiting), col((s) => s.enteredAt),
        col((s) => s.stepAt), col((s) => s.finishedAt), col((s) => s.exitReason), col((s) => s.version + 1),
      ],
    );
    return Number(rows[0]!.n);
  }

  /** Adds to the per-step counters in one statement. */
  async count(counts: Map<string, Map<string, StepCount>>): Promise<void> {
    const j: string[] = [], s: string[] = [], e: number[] = [], c: number[] = [], h: number[] = [];
    for (const [journey, steps] of counts) for (const [step, n] of steps) {
      j.push(journey), s.push(step), e.push(n.entered), c.push(n.completed), h.push(n.heldOut);
    }
    if (!j.length) return;
    await this.db.query(
      `INSERT INTO journey_step_counts AS t (journey_id, step_id, entered, completed, held_out)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
       ON CONFLICT (journey_id, step_id) DO UPDATE SET entered = t.entered + excluded.entered, completed = t.completed + excluded.completed, held_out = t.held_out + excluded.held_out`,
      [j, s, e, c, h],
    );
  }

  /** Per step: reached, left, waiting there now, held out (send steps); and the people by status. */
  async stats(journeyId: string): Promise<{ steps: Record<string, StepCount & { waiting: number }>; people: Record<'waiting' | 'done' | 'exited', number> & { control: number } }> {
    const [counts, waiting, people] = await Promise.all([
      this.db.query<{ step_id: string; entered: string | number; completed: string | number; held_out: string | number }>('SELECT step_id, entered, completed, held_out FROM journey_step_counts WHERE journey_id = $1', [journeyId]),
      this.db.query<{ step_id: string; n: string | number }>(`SELECT step_id, count(*) AS n FROM journey_states WHERE journey_id = $1 AND status = 'waiting' GROUP BY step_id`, [journeyId]),
      this.db.query<{ status: string; arm: string; n: string | number }>('SELECT status, arm, count(*) AS n FROM journey_states WHERE journey_id = $1 GROUP BY status, arm', [journeyId]),
    ]);
    const steps: Record<string, StepCount & { waiting: number }> = {};
    for (const r of counts) steps[r.step_id] = { entered: Number(r.entered), completed: Number(r.completed), heldOut: Number(r.held_out), waiting: 0 };
    for (const r of waiting) (steps[r.step_id] ??= { entered: 0, completed: 0, heldOut: 0, waiting: 0 }).waiting = Number(r.n);
    const out = { waiting: 0, done: 0, exited: 0, control: 0 };
    for (const r of people) {
      out[r.status as 'waiting' | 'done' | 'exited'] += Number(r.n);
      if (r.arm === 'control') out.control += Number(r.n);
    }
    return { steps, people: out };
  }
}

function strip(j: Journey & { lastDaily?: string | null }): Journey {
  const { lastDaily: _, ...rest } = j;
  return rest;
}
