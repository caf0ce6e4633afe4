import { Counter, Histogram } from 'prom-client';
import type { EventRow } from '../../events/index.ts';
import { RuleInputError } from '../../segments/index.ts';
import type { CampaignEngine } from '../engine.ts';
import type { OutgoingMessage } from '../types.ts';
import { localClock, monthDaysOn, peopleWithDateOn } from './dates.ts';
import { journeyInput, type Journey, type JourneyDefinition, type JourneyInput } from './definition.ts';
import { EventView, matches } from './match.ts';
import { journeyResults, type JourneyResults } from './results.ts';
import { CompiledJourney, inProgress, Pass } from './pass.ts';
import { keyOf, settle } from './settle.ts';
import { JourneyStore, type PersonState } from './store.ts';

export type SendFn = (msgs: OutgoingMessage[]) => Promise<{ queued: number; suppressed: number }>;

/** A definition the stores refuse (a segment that does not exist, a condition that does not compile); `path` names the field. */
export class JourneyInputError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const localeOf = (l: string): PersonState['locale'] => (l.toLowerCase().startsWith('en') ? 'en' : 'zh-CN');

/**
 * Event-triggered journeys (docs/journeys.md). Triggers arrive from the ingestion writer (stored events)
 * and from segment membership changes; a timer pass moves people whose wait has ended; a daily pass
 * enters people on their date trait. All work runs one batch at a time, each batch a handful of
 * statements whatever its size: one read of the states involved, one query per split step, one
 * enqueue per round of sends, one write of the states, one of the counters.
 */
export class JourneyEngine {
  readonly store: JourneyStore;
  /** the engine's clock (epoch ms); tests set their own */
  now: () => number = Date.now;
  /** how messages leave: the campaign delivery pipeline (guard rails, dedup, delivery) */
  send: SendFn;
  /** events older than this (their timestamp against the clock) start and move nothing: imported history starts no journeys */
  maxEventAgeMs = 3_600_000;
  /** people per batch (trigger events, due waits) */
  batchSize = 5000;
  /** how often the timer pass runs when scheduled */
  tickMs = 5000;

  private journeys = new Map<string, CompiledJourney>();
  /** event names any active journey listens for (entry, until, exit) */
  private listening = new Set<string>();
  private pendingRows: EventRow[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private draining = false;
  private timer: NodeJS.Timeout | null = null;
  private loadedAt = 0;
  private reloading = false;
  /** how old the list of active journeys the triggers see may get */
  reloadMs = 10_000;
  private readonly latency: Histogram;
  private readonly triggers: Counter;

  constructor(readonly campaigns: CampaignEngine) {
    this.store = new JourneyStore(campaigns.deps.oltp);
    this.send = (msgs) => this.campaigns.enqueue(msgs);
    const registers = [campaigns.deps.registry];
    this.latency = new Histogram({ name: 'hx_journey_trigger_to_enqueue_seconds', help: 'From a trigger event stored to its journey message queued', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers });
    this.triggers = new Counter({ name: 'hx_journey_trigger_events_total', help: 'Stored events a journey listened for', registers });
  }

  private get d() {
    return this.campaigns.deps;
  }

  async init(): Promise<void> {
    await this.reload();
  }

  /** starts the journey clock (on the elected leader: src/jobs/schedule.ts); triggers are handled on every node */
  schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch((err) => this.d.log.warn({ err }, 'journey timer pass failed')), this.tickMs);
    this.timer.unref();
  }

  /** stops the clock and waits for the work under way; schedule() starts it again */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer), (this.timer = null);
    await this.idle();
  }

  /** Resolves once every trigger handed over so far has been handled. */
  async idle(): Promise<void> {
    while (this.pendingRows.length || this.draining) await this.chain.catch(() => undefined);
    await this.chain.catch(() => undefined);
  }

  /** Reads the active journeys again (after a change here or on another node). */
  async reload(): Promise<void> {
    this.loadedAt = Date.now();
    const active = await this.store.list('active');
    this.journeys = new Map(active.map((j) => [j.id, new CompiledJourney(j)]));
    const names = new Set<string>();
    for (const j of active) {
      if (j.entry.kind === 'event') names.add(j.entry.event);
      for (const e of j.exitOn) names.add(e.event);
      for (const s of j.steps) if (s.type === 'wait' && s.until) names.add(s.until.event);
    }
    this.listening = names;
  }

  // ---- definitions

  /** Checks references the schema cannot (segments exist, split conditions compile) and saves a draft. */
  async create(input: JourneyInput, by: string): Promise<Journey> {
    const j = journeyInput.parse(input);
    const { id, ...def } = j;
    await this.check(def);
    return this.store.create(id, def, by);
  }

  /**
   * Changes a draft or paused journey: the given top-level fields replace the stored ones and the whole is
   * checked again. People waiting at a step that no longer exists leave the journey when they next move.
   */
  async update(id: string, patch: Partial<JourneyInput>): Promise<Journey> {
    const { id: _, status: _s, createdBy: _c, createdAt: _ca, updatedAt: _u, lastDaily: _l, ...current } = await this.store.get(id);
    const j = journeyInput.parse({ ...current, ...patch, id });
    const { id: _i, ...def } = j;
    await this.check(def);
    return this.store.update(id, def);
  }

  async activate(id: string): Promise<Journey> {
    const j = await this.serial(async () => {
      const out = await this.store.transition(id, 'active');
      await this.reload();
      return out;
    });
    return j;
  }

  async pause(id: string): Promise<Journey> {
    return this.serial(async () => {
      const out = await this.store.transition(id, 'paused');
      await this.reload();
      return out;
    });
  }

  private async check(def: JourneyDefinition): Promise<void> {
    if (def.entry.kind === 'segment') {
      await this.d.segments.store.get(def.entry.segmentId).catch(() => {
        throw new JourneyInputError(`entry.segmentId: no segment '${def.entry.kind === 'segment' ? def.entry.segmentId : ''}'`, 'entry.segmentId');
      });
    }
    for (const [i, s] of def.steps.entries()) {
      if (s.type !== 'split') continue;
      try {
        await this.d.segments.preview(s.condition, 1);
      } catch (err) {
        if (err instanceof RuleInputError) throw new JourneyInputError(`steps.${i}.condition: ${err.message}`, `steps.${i}.condition`);
        throw err;
      }
    }
  }

  // ---- triggers

  /** The writer's hook: stored events. Cheap when no active journey listens for them. */
  triggered(rows: EventRow[]): void {
    // journeys activated or paused through another node are seen within reloadMs
    if (Date.now() - this.loadedAt > this.reloadMs && !this.reloading) {
      this.reloading = true;
      void this.serial(() => this.reload()).catch((err) => this.d.log.warn({ err }, 'journey reload failed')).finally(() => (this.reloading = false));
    }
    if (this.listening.size === 0) return;
    const oldest = this.now() - this.maxEventAgeMs;
    const wanted = rows.filter((r) => r.type === 'track' && this.listening.has(r.event) && r.timestamp >= oldest);
    if (!wanted.length) return;
    this.triggers.inc(wanted.length);
    for (const r of wanted) this.pendingRows.push(r);
    if (!this.draining) {
      this.draining = true;
      void this.serial(() => this.drain()).catch((err) => this.d.log.error({ err }, 'journey trigger batch failed'));
    }
  }

  /** The segments' hook: people who entered a segment enter the journeys that start there. */
  segmentChanged(segmentId: string, change: { entered: string[] }): void {
    if (!change.entered.length) return;
    const js = [...this.journeys.values()].filter((j) => j.def.entry.kind === 'segment' && j.def.entry.segmentId === segmentId);
    if (!js.length) return;
    void this.serial(async () => {
      for (let i = 0; i < change.entered.length; i += this.batchSize) {
        const persons = change.entered.slice(i, i + this.batchSize);
        await this.enterPeople(js, persons.map((p) => ({ personId: p, userId: p })));
      }
    }).catch((err) => this.d.log.error({ err, segmentId }, 'journey segment entry failed'));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pendingRows.length) {
        const rows = this.pendingRows.splice(0, this.batchSize);
        await this.handleEvents(rows);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Runs `fn` after every earlier batch: one batch at a time, so no two passes move the same person. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.catch(() => undefined).then(fn);
    this.chain = next;
    return next;
  }

  private async handleEvents(rows: EventRow[]): Promise<void> {
    const js = [...this.journeys.values()];
    if (!js.length) return;
    const pass = new Pass(this.now());
    const personOf = await this.persons([...new Set(rows.map((r) => r.distinct_id))]);
    const persons = [...new Set(personOf.values())];
    const states = new Map((await this.store.statesOf(js.map((j) => j.def.id), persons)).map((s) => [keyOf(s.journeyId, s.personId), s]));
    const ordered = [...rows].sort((a, b) => a.timestamp - b.timestamp);
    for (const row of ordered) {
      const e = new EventView(row);
      const personId = personOf.get(row.distinct_id)!;
      for (const j of js) {
        const key = keyOf(j.def.id, personId);
        const s = states.get(key);
        if (s && inProgress(s)) {
          // a wait's own event takes the wait's branch; any other exit event ends the journey
          const step = j.step(s.stepId);
          if (s.status === 'waiting' && step?.type === 'wait' && step.until && matches(step.until, e)) {
            pass.triggeredAt.set(key, row.received_at);
            pass.move(j, s, step.onEvent);
            continue;
          }
          const exit = j.def.exitOn.find((m) => matches(m, e));
          if (exit) pass.exit(s, `event: ${exit.event}`);
        } else if (j.def.entry.kind === 'event' && matches(j.def.entry, e) && pass.mayEnter(j, s)) {
          states.set(key, pass.enter(j, personId, row.user_id || personId, localeOf(row.locale), s));
          pass.triggeredAt.set(key, row.received_at);
        }
      }
    }
    await this.settle(pass);
  }

  /** The person behind each distinct id (one lookup for the batch). */
  private async persons(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.d.oltp.query<{ distinct_id: string; person_id: string }>('SELECT distinct_id, person_id FROM identities WHERE distinct_id = ANY($1::text[])', [ids]);
    const out = new Map(ids.map((id) => [id, id]));
    for (const r of rows) out.set(r.distinct_id, r.person_id);
    return out;
  }

  private async enterPeople(js: CompiledJourney[], people: { personId: string; userId: string }[]): Promise<number> {
    const pass = new Pass(this.now());
    const states = new Map((await this.store.statesOf(js.map((j) => j.def.id), people.map((p) => p.personId))).map((s) => [keyOf(s.journeyId, s.personId), s]));
    for (const j of js) for (const p of people) {
      const s = states.get(keyOf(j.def.id, p.personId));
      if (pass.mayEnter(j, s)) pass.enter(j, p.personId, p.userId, 'zh-CN', s);
    }
    await this.settle(pass);
    return pass.entries.length;
  }

  // ---- the timer

  /**
   * One timer pass: daily date entries that are due, then every wait that has ended by now (its
   * timeout exit), in batches. Returns how many people moved.
   */
  async tick(): Promise<{ entered: number; woken: number }> {
    return this.serial(async () => {
      await this.reload();
      const entered = await this.dailyEntries();
      let woken = 0;
      for (;;) {
        const due = await this.store.due([...this.journeys.keys()], this.now(), this.batchSize);
        if (!due.length) break;
        const pass = new Pass(this.now());
        for (const s of due) {
          const j = this.journeys.get(s.journeyId)!;
          const step = j.step(s.stepId);
          if (step?.type === 'wait') pass.move(j, s, step.next);
          else pass.exit(s, `step '${s.stepId}' no longer exists`);
        }
        await this.settle(pass);
        woken += due.length;
        if (due.length < this.batchSize) break;
      }
      return { entered, woken };
    });
  }

  private async dailyEntries(): Promise<number> {
    let n = 0;
    for (const j of this.journeys.values()) {
      const entry = j.def.entry;
      if (entry.kind !== 'date') continue;
      const now = localClock(this.now(), this.d.config.timezone);
      const [h, m] = entry.at.split(':').map(Number) as [number, number];
      const last = (await this.store.get(j.def.id)).lastDaily;
      if (now.minutes < h * 60 + m || (last !== null && last >= now.date)) continue;
      const people = await peopleWithDateOn(this.d.olap, entry.trait, monthDaysOn(now.date));
      for (let i = 0; i < people.length; i += this.batchSize) {
        n += await this.enterPeople([j], people.slice(i, i + this.batchSize).map((p) => ({ personId: p, userId: p })));
      }
      await this.store.setLastDaily(j.def.id, now.date);
    }
    return n;
  }

  /** Works out every pending split and send of a pass, then writes it (settle.ts). */
  private settle(pass: Pass): Promise<void> {
    return settle(
      { journeys: this.journeys, store: this.store, olap: this.d.olap, latency: this.latency, send: (msgs) => this.send(msgs), matching: (rule, persons) => this.d.segments.matching(rule, persons) },
      pass,
    );
  }

  // ---- reading

  /** A journey with per-step stats (reached, left, waiting there now, held out) and its people by status. */
  async get(id: string) {
    const { lastDaily: _, ...j } = await this.store.get(id);
    const { steps, people } = await this.store.stats(id);
    return { ...j, stats: steps, people };
  }

  /** Conversions and GMV of the journey's entries against the held-out, with the uplift (results.ts). */
  async results(id: string, goal: string, windowDays: number): Promise<JourneyResults> {
    await this.store.get(id);
    return journeyResults(this.d.olap, id, goal, windowDays);
  }

  async list() {
    return Promise.all((await this.store.list()).map(async ({ lastDaily: _, ...j }) => ({ ...j, people: (await this.store.stats(j.id)).people })));
  }
}
