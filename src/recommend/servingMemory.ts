import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { IdentityGraph } from '../identity/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import { touchesOf } from './data.ts';
import { applyEvent, eventsOf, observe } from './liveEvents.ts';
import type { PersonResolver } from './personResolver.ts';
import { prepareInSlices, recentPeople, type PreparationProgress } from './prepare.ts';
import { loadProfiles } from './profile.ts';
import { prepareBlend, type Models, type UserState } from './rank.ts';
import type { Profile, Touch } from './types.ts';

/** What serving a person reads of the trained models. */
export interface ServingModels {
  models: Models;
  profiles: Map<string, Profile>;
  /** the person behind an id, as the identity map stood at training and as the graph answers since */
  persons: PersonResolver;
}

export interface ServingMemoryOptions {
  cacheSize?: number;
  /**
   * how many of those people also keep their blended candidates and final lists (the most recently served):
   * those are most of a state's memory (a few hundred scored items each), and only a person asking again
   * soon uses them
   */
  candidateCacheSize?: number;
  /** how long stored events are gathered before the state is updated (ms) */
  liveDelayMs?: number;
  /** personalise only for people whose consent_personalization tag is true */
  requireConsent?: boolean;
  /**
   * after a training, prepare the people active in the models' last this many days (./prepare.ts), as many
   * as keep candidates, the most recent first; 0 turns preparation off
   */
  prepareDays?: number;
}

const DAY = 86_400_000;
/**
 * how many people's states (and candidates) are kept by default: a shop's month of active people up to a
 * few hundred thousand, at about 8 KB of heap each (docs/recommend.md, "Serving")
 */
const CACHED_PEOPLE = 200_000;

/**
 * Per person, the short serving state (recent interests, last views, profile tags, ALS vector) kept in
 * memory so that a request touches no store, and kept current as events are stored.
 *
 * - A state is built on first request — from the trained interactions, or for someone newer than the models
 *   with one primary-key read of their events — and kept in an LRU (`cacheSize`).
 * - Events stored (`changed`, from the writer's onStored hook) are gathered for `liveDelayMs`; then the new
 *   product events of exactly those people are read once, and update their states and the item-CF
 *   neighbour lists in place (each event taken once by the lists, through a per-person mark).
 * - After the live tag refresh (`profilesChanged`) the people's profile tags are read again.
 *
 * `models` gives the models in service (null before the first training); `ready` waits for them.
 */
export class ServingMemory {
  private readonly users: LRUCache<string, UserState>;
  /** the states whose `candidates` are kept; leaving this LRU drops them (the rest of the state stays) */
  private readonly withCandidates: LRUCache<string, UserState>;
  private pending = new Set<string>();
  /** per person, the newest event the item-CF lists have taken (since the last training) */
  private modelMark = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: { olap: OlapStore; identity: IdentityGraph; log: Logger },
    private readonly models: { current(): ServingModels | null; ready(): Promise<ServingModels> },
    private readonly opts: ServingMemoryOptions = {},
  ) {
    this.users = new LRUCache({ max: opts.cacheSize ?? CACHED_PEOPLE });
    this.withCandidates = new LRUCache({ max: opts.candidateCacheSize ?? CACHED_PEOPLE, dispose: (state) => void (state.candidates = undefined) });
  }

  /** the last preparation after a training, null before the first */
  preparation: PreparationProgress | null = null;

  /**
   * After a training: the states and home-scene candidates of the people active in the models' last
   * `prepareDays` days, built before they ask (./prepare.ts) — as many as keep candidates, the most recent
   * first. Stops when newer models replace `live`.
   */
  async prepare(live: ServingModels): Promise<void> {
    const days = this.opts.prepareDays ?? 30;
    const max = Math.min(this.users.max, this.withCandidates.max);
    if (days <= 0) return;
    const m = live.models;
    const rows = recentPeople(m.x, m.asOf - days * DAY, max);
    const progress: PreparationProgress = { total: rows.length, done: 0, startedAt: new Date().toISOString() };
    this.preparation = progress;
    await prepareInSlices(rows, (u) => {
      const person = m.x.persons[u]!;
      const state = this.users.get(person) ?? this.keep(this.trainedState(live, person, u));
      if (!state.candidates) prepareBlend(m, state);
      this.served(state);
    }, () => !this.stopped && this.models.current() === live, progress);
  }

  /** how many people's blended candidates are kept */
  get candidatesKept(): number {
    return this.withCandidates.size;
  }

  /** After a request was ranked for this state: its candidates are kept while it is among the most recently served. */
  served(state: UserState): void {
    if (state.candidates) this.withCandidates.set(state.person, state);
  }

  /** how many people's states are held */
  get size(): number {
    return this.users.size;
  }

  /** New models are in service: every state is built again from them. */
  reset(): void {
    this.users.clear();
    this.withCandidates.clear();
    this.modelMark.clear();
  }

  /** the serving state of the person behind `userId`: from the LRU, the trained data, or one read of their events */
  async of(userId: string): Promise<UserState> {
    const live = await this.models.ready();
    const person = await live.persons.personOf(userId);
    const cached = this.users.get(person);
    if (cached) return cached;
    const m = live.models;
    const u = m.x.personIndex.get(person) ?? -1;
    if (u >= 0) return this.keep(this.trainedState(live, person, u));
    const history = await this.readHistory(person, m);
    const profile = live.profiles.get(person) ?? (await loadProfiles(this.deps.olap, [person])).get(person);
    return this.keep(this.build(person, -1, history, profile));
  }

  /** the state of a person in the trained data (row `u`), cut from the trained interactions */
  private trainedState(live: ServingModels, person: string, u: number): UserState {
    return this.build(person, u, touchesOf(live.models.x, u), live.profiles.get(person));
  }

  private build(person: string, u: number, history: Touch[], profile: Profile | undefined): UserState {
    return { person, u, history, views: history.slice(0, 5), profile, personal: this.personal(profile) };
  }

  private keep(state: UserState): UserState {
    this.users.set(state.person, state);
    return state;
  }

  /** one person's interest per item since the models' window began, newest first (a new person) */
  private async readHistory(person: string, m: Models): Promise<Touch[]> {
    const { anonymousIds, userIds } = await this.deps.identity.idsOf(person);
    const events = await eventsOf(this.deps.olap, [person, ...anonymousIds, ...userIds], m.asOf - 180 * 86_400_000);
    const state: UserState = { person, u: -1, history: [], views: [] };
    for (const e of events) applyEvent(m, state, e);
    return state.history;
  }

  private personal(p: Profile | undefined): boolean {
    return this.opts.requireConsent === false || p?.consent === true;
  }

  /** the writer stored events of these distinct ids */
  changed(distinctIds: readonly string[]): void {
    const live = this.models.current();
    if (this.stopped || !live) return;
    for (const id of distinctIds) {
      this.pending.add(id);
      live.persons.forget(id);
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.applyPending()).catch((err) => this.deps.log.warn({ err }, 'live recommendation update failed'));
    }, this.opts.liveDelayMs ?? 200);
    this.flushTimer.unref();
  }

  /** resolves once every change reported so far is applied (tests, shutdown) */
  async settled(): Promise<void> {
    while (this.flushTimer || this.pending.size) {
      await new Promise((r) => setTimeout(r, 20));
      await this.flushing;
    }
    await this.flushing;
  }

  private async applyPending(): Promise<void> {
    const live = this.models.current();
    if (!live || this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending.clear();
    const persons = [...new Set(await Promise.all(ids.map((d) => live.persons.personOf(d))))];
    const states = await Promise.all(persons.map((p) => this.of(p)));
    const asOf = live.models.asOf;
    const since = Math.min(...states.map((s) => Math.min(s.watermark ?? asOf, this.modelMark.get(s.person) ?? asOf)));
    const events = await eventsOf(this.deps.olap, ids, since - 1);
    const byPerson = new Map(states.map((s) => [s.person, s]));
    for (const e of events) {
      const s = byPerson.get(e.person);
      if (!s) continue;
      // the neighbour lists take each event once (a state read from the store may already hold it)
      if (e.ts > (this.modelMark.get(s.person) ?? asOf)) {
        observe(live.models, s, e);
        this.modelMark.set(s.person, e.ts);
      }
      if (e.ts > (s.watermark ?? asOf)) applyEvent(live.models, s, e);
    }
    if (this.modelMark.size > 1_000_000) this.modelMark.clear();
  }

  /** profile tags of these people changed (after the live tag refresh) */
  async profilesChanged(persons: readonly string[]): Promise<void> {
    const live = this.models.current();
    if (!live || persons.length === 0) return;
    const fresh = await loadProfiles(this.deps.olap, persons);
    for (const [p, prof] of fresh) {
      live.profiles.set(p, prof);
      const s = this.users.peek(p);
      if (s) {
        s.profile = prof;
        s.personal = this.personal(prof);
        s.candidates = undefined;
      }
    }
  }

  /** Stops taking changes and waits for the update under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.pending.clear();
    await this.flushing.catch(() => undefined);
  }
}
