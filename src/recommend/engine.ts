import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { timedBuild } from '../metrics.ts';
import type { Logger } from 'pino';
import type { IdentityGraph } from '../identity/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { Lang } from './explain.ts';
import { FeedbackMemory, type Feedback } from './feedbackMemory.ts';
import { PersonResolver } from './personResolver.ts';
import type { PreparationProgress } from './prepare.ts';
import { rank, type Models, type Ranked, type Scene, type UserState } from './rank.ts';
import { ServingMemory, type ServingModels } from './servingMemory.ts';
import { trainModels, type TrainStats } from './train.ts';
import type { Profile } from './types.ts';

/**
 * The recommendation engine on the runtime: holds the trained models and, per person, a short serving
 * state (recent items, last views, profile tags, ALS vector) in memory, so a request touches no store.
 *
 * - Training (`train`) reads ClickHouse and fits every model as of now; the new models replace the old in
 *   one assignment. It runs at server start when there is no model yet, on a schedule, on
 *   `huaxiang build --only models` and `POST /api/v1/recommendations/train`.
 * - A person's serving state is built on first request — from the trained interactions, or for someone
 *   newer than the models with one primary-key read of their events — and kept in an LRU (`cacheSize`).
 *   After each training the people active in the last `prepareDays` days get theirs, with their home-scene
 *   candidates, before they ask (./prepare.ts), in the background.
 * - As events are stored (the writer's onStored hook) the engine reads the new product events of exactly
 *   those people, updates their state and the item-CF neighbour lists in place; after the live tag
 *   refresh their profile tags are read again (both in ./servingMemory.ts). Feedback ("not interested",
 *   dislike) applies at once (./feedbackMemory.ts). Ids resolve to persons through ./personResolver.ts.
 */
export interface RecommendOptions {
  trainEveryMinutes?: number;
  cacheSize?: number;
  /** how many of the most recently served people keep their blended candidates (./servingMemory.ts) */
  candidateCacheSize?: number;
  /** after a training, prepare the people active in the last this many days (./prepare.ts); 0: off */
  prepareDays?: number;
  /** how long stored events are gathered before the state is updated (ms) */
  liveDelayMs?: number;
  /**
   * personalise only for people whose consent_personalization tag is true (the platform's rule for every
   * personalisation output); true by default
   */
  requireConsent?: boolean;
}

export interface RecommendDeps {
  olap: OlapStore;
  oltp: OltpStore;
  identity: IdentityGraph;
  log: Logger;
  /** for hx_build_seconds{job="recommend"} */
  registry?: Registry;
}

export interface RecommendRequest {
  scene?: Scene;
  limit?: number;
  /** product on the page (scene product) or basket items (scene cart) */
  itemIds?: string[];
  diversity?: number;
  explore?: number;
  maxPerCategory?: number;
  include?: string[];
  exclude?: string[];
  lang?: Lang;
  /** a strategy other than the blend (online experiments compare them) */
  strategy?: Strategy;
}

/** what an experiment arm may serve: the blend, or one model alone without profile re-ranking */
export const STRATEGIES = ['blend', 'popularity', 'item-cf', 'als'] as const;
export type Strategy = (typeof STRATEGIES)[number];
const ONLY = { itemcf: 0, als: 0, content: 0, session: 0, together: 0, popular: 0, trending: 0 };
const STRATEGY_WEIGHTS: Record<Exclude<Strategy, 'blend'>, Parameters<typeof rank>[2]['weights']> = {
  popularity: { ...ONLY, popular: 1 },
  'item-cf': { ...ONLY, itemcf: 1 },
  als: { ...ONLY, als: 1 },
};

export interface RecommendedItem {
  itemId: string;
  score: number;
  reason: string;
  source: string;
  title: string;
  category: string;
  brand: string;
  price: number | null;
  /** the item the reason names, when there is one */
  becauseOf?: string;
}

export interface Recommendation {
  recommendationId: string;
  userId?: string;
  scene: Scene;
  items: RecommendedItem[];
  modelAsOf: string;
}

export interface TrainRun extends TrainStats {
  id: string;
  trigger: string;
  startedAt: string;
}

export class UnknownItemError extends Error {
  constructor(readonly itemId: string) {
    super(`item '${itemId}' is not in the catalog`);
  }
}

interface Live extends ServingModels {
  run: TrainRun;
}

export class RecommendEngine {
  private live: Live | null = null;
  private training: Promise<TrainRun> | null = null;
  private preparing: Promise<void> = Promise.resolve();
  private readonly serving: ServingMemory;
  private readonly feedback: FeedbackMemory;
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly deps: RecommendDeps,
    private readonly opts: RecommendOptions = {},
  ) {
    this.serving = new ServingMemory(deps, { current: () => this.live, ready: () => this.ready() }, opts);
    this.feedback = new FeedbackMemory(deps.oltp);
  }

  /** Loads the recorded feedback. */
  async init(): Promise<void> {
    await this.feedback.load();
  }

  get models(): Models | null {
    return this.live?.models ?? null;
  }

  /** Serving: a first training at start when there are events, then one every N minutes. */
  schedule(): void {
    void this.hasEvents()
      .then((yes) => (yes && !this.live ? this.train({ trigger: 'startup' }) : undefined))
      .catch((err) => this.deps.log.warn({ err }, 'startup recommendation training failed'));
    const every = this.opts.trainEveryMinutes ?? 360;
    if (every > 0) {
      this.timer = setInterval(() => void this.train({ trigger: 'schedule' }).catch((err) => this.deps.log.warn({ err }, 'scheduled recommendation training failed')), every * 60_000);
      this.timer.unref();
    }
  }

  /** Trains every model as of `asOf` (now); one training at a time — a second call joins the first. */
  train(o: { asOf?: Date; trigger: string; profiles?: Map<string, Profile> }): Promise<TrainRun> {
    if (this.training) return this.training;
    this.training = timedBuild(this.deps.registry, 'recommend', () => this.doTrain(o)).finally(() => (this.training = null));
    return this.training;
  }

  private async doTrain(o: { asOf?: Date; trigger: string; profiles?: Map<string, Profile> }): Promise<TrainRun> {
    const startedAt = new Date();
    const id = `rec_${startedAt.getTime().toString(36)}_${randomUUID().slice(0, 8)}`;
    try {
      const { models, profiles, stats } = await trainModels(this.deps.olap, { asOf: o.asOf?.getTime(), profiles: o.profiles });
      const persons = await PersonResolver.read(this.deps.olap, this.deps.identity, models.x.persons);
      const run: TrainRun = { ...stats, id, trigger: o.trigger, startedAt: startedAt.toISOString() };
      await this.deps.oltp.query(
        `INSERT INTO model_runs (id, model, trigger, params, features, persons, seconds, started_at, candidates) VALUES ($1, 'recommend', $2, $3, '[]', $4, $5, $6, $7)`,
        [id, o.trigger, JSON.stringify({ asOf: stats.asOf }), stats.persons, stats.seconds, startedAt.toISOString(), JSON.stringify({ timings: stats.timings, items: stats.items, interactions: stats.interactions, profiles: stats.profiles, boughtTogetherPairs: stats.boughtTogetherPairs })],
      );
      this.live = { models, profiles, persons, run };
      this.serving.reset();
      const live = this.live;
      this.preparing = this.serving.prepare(live).catch((err) => this.deps.log.warn({ err }, 'preparing recommendation candidates failed'));
      this.lastError = null;
      this.deps.log.info({ id, seconds: stats.seconds, persons: stats.persons, items: stats.items }, 'recommendation models trained');
      return run;
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
  }

  /** the models, training them first when there are none yet */
  async ready(): Promise<Live> {
    if (!this.live) await this.train({ trigger: 'on-demand' });
    return this.live!;
  }

  async runs(limit = 20): Promise<(TrainRun & { finishedAt: string })[]> {
    const rows = await this.deps.oltp.query<{ id: string; trigger: string; params: { asOf: string }; persons: number; seconds: number; started_at: Date | string; finished_at: Date | string; candidates: Record<string, unknown> }>(
      `SELECT id, trigger, params, persons, seconds, started_at, finished_at, candidates FROM model_runs WHERE model = 'recommend' ORDER BY finished_at DESC LIMIT $1`, [limit]);
    return rows.map((r) => ({
      id: r.id, trigger: r.trigger, asOf: r.params.asOf, persons: Number(r.persons), seconds: Number(r.seconds),
      startedAt: new Date(r.started_at).toISOString(), finishedAt: new Date(r.finished_at).toISOString(),
      ...(r.candidates as unknown as Pick<TrainStats, 'items' | 'interactions' | 'profiles' | 'boughtTogetherPairs' | 'timings'>),
    }));
  }

  status(): { trained: boolean; training: boolean; run: TrainRun | null; trainEveryMinutes: number; cachedPeople: number; cachedCandidates: number; preparation: PreparationProgress | null; lastError: string | null } {
    return {
      trained: !!this.live, training: !!this.training, run: this.live?.run ?? null, trainEveryMinutes: this.opts.trainEveryMinutes ?? 360,
      cachedPeople: this.serving.size, cachedCandidates: this.serving.candidatesKept, preparation: this.serving.preparation, lastError: this.lastError,
    };
  }

  /** resolves once the preparation after the last training has ended (tests, benchmarks) */
  prepared(): Promise<void> {
    return this.preparing;
  }

  // ---------------------------------------------------------------- serving

  async forUser(userId: string, req: RecommendRequest = {}): Promise<Recommendation> {
    const live = await this.ready();
    const user = await this.userState(userId);
    if (req.strategy && req.strategy !== 'blend') {
      // a single model as an experiment's arm: no profile re-ranking; the popular list is everyone's
      const plain: UserState = { ...user, profile: undefined };
      return this.answer(live, plain, { ...req, diversity: req.diversity ?? 0, explore: req.explore ?? 0 }, userId, STRATEGY_WEIGHTS[req.strategy]);
    }
    return this.answer(live, user, req, userId);
  }

  /** the person an id belongs to (experiments split people, not devices) */
  async personOf(userId: string): Promise<string> {
    return (await this.ready()).persons.personOf(userId);
  }

  /** items like this one (the product page without a person, or with one when `userId` is given) */
  async similar(itemId: string, req: RecommendRequest & { userId?: string } = {}): Promise<Recommendation> {
    const live = await this.ready();
    const user = req.userId ? await this.userState(req.userId) : null;
    return this.answer(live, user, { ...req, scene: req.scene ?? 'product', itemIds: [itemId] }, req.userId);
  }

  /** frequently bought together with this item: co-purchase only, filtered (stock, feedback) */
  async boughtTogether(itemId: string, req: RecommendRequest & { userId?: string } = {}): Promise<Recommendation> {
    const live = await this.ready();
    const user = req.userId ? await this.userState(req.userId) : null;
    return this.answer(live, user, { diversity: 0, explore: 0, ...req, scene: 'cart', itemIds: [itemId] }, req.userId, { together: 1, itemcf: 0, content: 0, als: 0, popular: 0 }, false);
  }

  /** for a basket (scene cart by default) */
  async basket(itemIds: string[], req: RecommendRequest & { userId?: string } = {}): Promise<Recommendation> {
    const live = await this.ready();
    const user = req.userId ? await this.userState(req.userId) : null;
    return this.answer(live, user, { ...req, scene: req.scene ?? 'cart', itemIds }, req.userId);
  }

  private answer(live: Live, user: UserState | null, req: RecommendRequest, userId?: string, weights?: Parameters<typeof rank>[2]['weights'], fill = true): Recommendation {
    const m = live.models;
    const anchors = (req.itemIds ?? []).map((id) => {
      const i = m.catalog.index.get(id);
      if (i === undefined) throw new UnknownItemError(id);
      return i;
    });
    const fb = user ? this.feedback.of(user.person) : undefined;
    const scene = req.scene ?? 'home';
    const ranked = rank(m, user, {
      scene, limit: req.limit ?? 20, anchors, diversity: req.diversity, explore: req.explore, maxPerCategory: req.maxPerCategory,
      include: req.include, exclude: req.exclude, lang: req.lang, dislikedItems: fb?.items, dislikedCategories: fb?.categories, weights, fill,
      seed: user ? `${user.person}:${new Date().toISOString().slice(0, 10)}` : undefined, feedbackVersion: fb?.version ?? 0,
    });
    if (user) this.serving.served(user);
    return { recommendationId: randomUUID(), userId, scene, items: ranked.map((r) => this.present(m, r)), modelAsOf: new Date(m.asOf).toISOString() };
  }

  private present(m: Models, r: Ranked): RecommendedItem {
    const c = m.catalog;
    const via = r.evidence.via;
    const out: RecommendedItem = {
      itemId: c.ids[r.item]!, score: r.score, reason: r.reason, source: r.evidence.source, title: c.title[r.item] || c.titleEn[r.item] || '',
      category: c.category[r.item]!, brand: c.brand[r.item]!, price: Number.isNaN(c.price[r.item]!) ? null : c.price[r.item]!,
    };
    if (via !== undefined) out.becauseOf = c.ids[via];
    return out;
  }

  /** the serving state of the person behind `userId` (./servingMemory.ts) */
  userState(userId: string): Promise<UserState> {
    return this.serving.of(userId);
  }

  // ---------------------------------------------------------------- feedback and live updates

  /** "not interested" / dislike: recorded, and obeyed from the next request on */
  async recordFeedback(userId: string, f: Feedback): Promise<{ person: string }> {
    const person = this.live ? await this.live.persons.personOf(userId) : await this.deps.identity.personOf(userId);
    await this.feedback.record(person, f);
    return { person };
  }

  /** the writer stored events of these distinct ids */
  changed(distinctIds: readonly string[]): void {
    this.serving.changed(distinctIds);
  }

  /** resolves once every change reported so far is applied (tests, shutdown) */
  settled(): Promise<void> {
    return this.serving.settled();
  }

  /** profile tags of these people changed (after the live tag refresh) */
  profilesChanged(persons: readonly string[]): Promise<void> {
    return this.serving.profilesChanged(persons);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.serving.stop();
    await this.training?.catch(() => undefined);
    await this.preparing;
  }

  private async hasEvents(): Promise<boolean> {
    const r = await this.deps.olap.query<{ n: number }>(`SELECT count() AS n FROM (SELECT 1 FROM ${this.deps.olap.db}.events LIMIT 1)`);
    return Number(r[0]!.n) > 0;
  }
}
