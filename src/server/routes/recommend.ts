import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runPipeline } from '../../ingest/index.ts';
import { ExperimentExistsError, ExperimentStore, assignArm, experimentResults } from '../../experiments/index.ts';
import { STRATEGIES, UnknownItemError, evaluate, type EvalReport, type Recommendation, type Strategy } from '../../recommend/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const scenes = ['home', 'product', 'cart', 'email'] as const;
/** a comma-separated list in a query string */
const list = (max: number) => z.string().max(4000).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.string().min(1).max(500)).max(max));

const common = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  diversity: z.coerce.number().min(0).max(1).optional(),
  explore: z.coerce.number().min(0).max(0.5).optional(),
  maxPerCategory: z.coerce.number().int().min(1).max(100).optional(),
  include: list(50).optional(),
  exclude: list(50).optional(),
  lang: z.enum(['zh', 'en']).default('zh'),
};
const userQuery = z.object({ ...common, scene: z.enum(scenes).default('home'), itemIds: list(50).optional(), experiment: z.string().min(1).max(100).optional() });
const itemQuery = z.object({ ...common, userId: z.string().min(1).max(256).optional() });
const userParams = z.object({ userId: z.string().min(1).max(256) });
const itemParams = z.object({ itemId: z.string().min(1).max(256) });
const basketBody = z.strictObject({
  itemIds: z.array(z.string().min(1).max(256)).min(1).max(100),
  userId: z.string().min(1).max(256).optional(),
  scene: z.enum(scenes).default('cart'),
  limit: z.number().int().min(1).max(100).default(20),
  diversity: z.number().min(0).max(1).optional(),
  explore: z.number().min(0).max(0.5).optional(),
  include: z.array(z.string().min(1).max(500)).max(50).optional(),
  exclude: z.array(z.string().min(1).max(500)).max(50).optional(),
  lang: z.enum(['zh', 'en']).default('zh'),
});
const feedbackBody = z.strictObject({
  userId: z.string().min(1).max(256),
  kind: z.enum(['dislike', 'not_interested']),
  itemId: z.string().min(1).max(256).optional(),
  category: z.string().min(1).max(500).optional(),
});
const eventsBody = z.strictObject({
  events: z.array(z.strictObject({
    type: z.enum(['impression', 'click']),
    /** the experiment and arm the answer carried (`experiment` in it), copied into the events */
    experimentId: z.string().min(1).max(100).optional(),
    arm: z.string().min(1).max(100).optional(),
    /** makes a retried report idempotent (generated when absent) */
    messageId: z.string().min(1).max(200).optional(),
    recommendationId: z.string().min(1).max(100),
    userId: z.string().min(1).max(256),
    scene: z.enum(scenes).optional(),
    /** impression: the items shown, in order; click: the one item clicked */
    itemIds: z.array(z.string().min(1).max(256)).min(1).max(100),
    position: z.number().int().min(1).max(100).optional(),
    timestamp: z.iso.datetime({ offset: true }).optional(),
  })).min(1).max(500),
});
const trainBody = z.strictObject({ asOf: z.iso.datetime({ offset: true }).optional() });
const evaluateBody = z.strictObject({
  holdoutDays: z.number().int().min(1).max(180).default(14),
  maxUsers: z.number().int().min(1).max(20_000).default(2000),
  fairness: z.boolean().default(false),
});

const item = z.object({
  itemId: z.string(), score: z.number(), reason: z.string(), source: z.string(), title: z.string(), category: z.string(), brand: z.string(),
  price: z.number().nullable(), becauseOf: z.string().optional(),
});
const answer = z.object({
  recommendationId: z.string(), userId: z.string().optional(), scene: z.enum(scenes), items: z.array(item), modelAsOf: z.string(),
  experiment: z.object({ id: z.string(), arm: z.string(), strategy: z.string() }).optional(),
});
const experimentBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, - and _'),
  name: z.string().min(1).max(200),
  arms: z.array(z.strictObject({ name: z.string().min(1).max(100), weight: z.number().positive().max(1000), strategy: z.enum(STRATEGIES) })).min(2).max(10)
    .refine((a) => new Set(a.map((x) => x.name)).size === a.length, 'arm names must differ'),
  windowDays: z.number().int().min(1).max(90).default(7),
});
const experimentParams = z.object({ id: z.string().min(1).max(100) });

/**
 * Recommendations (docs/recommend.md): for a person, similar items, bought together, for a basket;
 * feedback; impressions and clicks recorded as events. Reading needs viewer; writing, marketer; training, analyst.
 */
export function recommendRoutes(app: FastifyInstance, ctx: AppContext) {
  const engine = ctx.rt.recommend;
  const experiments = new ExperimentStore(ctx.rt.oltp);
  const unknownItem = (err: unknown, where: string): never => {
    if (err instanceof UnknownItemError) throw new HttpError(404, 'not_found', `${where}: ${err.message}`, [{ path: where, message: err.message }]);
    throw err;
  };

  const forUser = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/users/:userId', summary: 'Recommendations for a person, each with a reason (scene home, product, cart or email)', tag: 'recommendations', auth: 'bearer', params: userParams, query: userQuery, response: answer });
  app.get(forUser.url, async (req): Promise<Recommendation & { experiment?: { id: string; arm: string; strategy: string } }> => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(userParams, req.params, 'path');
    const q = parse(userQuery, req.query, 'query');
    if ((q.scene === 'product' || q.scene === 'cart') && !q.itemIds?.length) {
      throw new HttpError(400, 'invalid_request', `query.itemIds: scene ${q.scene} needs the product or basket items`, [{ path: 'query.itemIds', message: `scene ${q.scene} needs the product or basket items` }]);
    }
    if (q.experiment) {
      const x = await experiments.get(q.experiment);
      if (!x || x.kind !== 'recommendations') throw new HttpError(404, 'not_found', `query.experiment: no recommendation experiment '${q.experiment}'`, [{ path: 'query.experiment', message: 'unknown experiment' }]);
      // a stopped experiment serves its control to everyone and records nothing as exposure
      if (!x.stoppedAt) {
        const person = await engine.personOf(userId);
        const arm = x.arms.find((a) => a.name === assignArm(x.id, person, x.arms))!;
        const strategy = (arm.strategy ?? 'blend') as Strategy;
        const r = await engine.forUser(userId, { ...q, strategy }).catch((err) => unknownItem(err, 'query.itemIds'));
        return { ...r, experiment: { id: x.id, arm: arm.name, strategy } };
      }
      return engine.forUser(userId, { ...q, strategy: (x.arms[0]!.strategy ?? 'blend') as Strategy }).catch((err) => unknownItem(err, 'query.itemIds'));
    }
    return engine.forUser(userId, q).catch((err) => unknownItem(err, 'query.itemIds'));
  });

  const similar = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/items/:itemId/similar', summary: 'Items similar to this one (co-viewed, content, next views); personalised when userId is given', tag: 'recommendations', auth: 'bearer', params: itemParams, query: itemQuery, response: answer });
  app.get(similar.url, async (req): Promise<Recommendation> => {
    await ctx.authorize(req, 'viewer');
    const { itemId } = parse(itemParams, req.params, 'path');
    const q = parse(itemQuery, req.query, 'query');
    return engine.similar(itemId, q).catch((err) => unknownItem(err, 'path.itemId'));
  });

  const together = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/items/:itemId/bought-together', summary: 'Items frequently bought together with this one (order baskets: confidence shrunk by lift)', tag: 'recommendations', auth: 'bearer', params: itemParams, query: itemQuery, response: answer });
  app.get(together.url, async (req): Promise<Recommendation> => {
    await ctx.authorize(req, 'viewer');
    const { itemId } = parse(itemParams, req.params, 'path');
    const q = parse(itemQuery, req.query, 'query');
    return engine.boughtTogether(itemId, q).catch((err) => unknownItem(err, 'path.itemId'));
  });

  const basket = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/basket', summary: 'Recommendations for a basket (bought together first)', tag: 'recommendations', auth: 'bearer', body: basketBody, response: answer });
  app.post(basket.url, async (req): Promise<Recommendation> => {
    await ctx.authorize(req, 'viewer');
    const b = parse(basketBody, req.body ?? {}, 'body');
    return engine.basket(b.itemIds, b).catch((err) => unknownItem(err, 'body.itemIds'));
  });

  const feedback = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/feedback', summary: '"Not interested" or dislike for an item or a category; obeyed from the next request', tag: 'recommendations', auth: 'bearer', body: feedbackBody });
  app.post(feedback.url, async (req, reply) => {
    await ctx.authorize(req, 'marketer');
    const b = parse(feedbackBody, req.body ?? {}, 'body');
    if (!b.itemId && !b.category) throw new HttpError(400, 'invalid_request', 'body.itemId: give itemId or category', [{ path: 'body.itemId', message: 'give itemId or category' }]);
    const r = await engine.recordFeedback(b.userId, b);
    return reply.status(201).send({ userId: b.userId, personId: r.person, kind: b.kind, itemId: b.itemId ?? null, category: b.category ?? null });
  });

  const events = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/events', summary: 'Record impressions (Product List Viewed) and clicks (Product Clicked) of recommendations as events', tag: 'recommendations', auth: 'bearer', body: eventsBody });
  app.post(events.url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const b = parse(eventsBody, req.body ?? {}, 'body');
    const messages = b.events.map((e, n) => recommendationEvent(e, e.messageId ?? `${req.id}-${n}`));
    const out = runPipeline(
      { messages, receivedAt: Date.now(), requestId: req.id, source: 'recommendations', writeKeyId: 'api', maxMessageBytes: ctx.rt.config.ingest.maxMessageBytes, maxFutureMs: ctx.rt.config.ingest.maxFutureMs },
      ctx.rt.keyring,
    );
    if (out.rejected.length) {
      throw new HttpError(400, 'invalid_request', out.rejected.map((r) => `body.events.${r.index}: ${r.message}`).join('; '), out.rejected.map((r) => ({ path: `body.events.${r.index}${r.path ? `.${r.path}` : ''}`, message: r.message })));
    }
    const w = await ctx.rt.writer.submit(out.rows, out.dead);
    return { recorded: w.stored, duplicates: w.duplicates };
  });

  const train = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/train', summary: 'Train every recommendation model now (a running training is joined)', tag: 'recommendations', auth: 'bearer', body: trainBody });
  app.post(train.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(trainBody, req.body ?? {}, 'body');
    return engine.train({ asOf: b.asOf ? new Date(b.asOf) : undefined, trigger: 'api' });
  });

  const createExperiment = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/experiments', summary: 'Start an experiment: arms (the first is the control) split people by a stable hash, each serving a strategy', tag: 'recommendations', auth: 'bearer', body: experimentBody });
  app.post(createExperiment.url, async (req, reply) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(experimentBody, req.body ?? {}, 'body');
    try {
      return reply.status(201).send(await experiments.create({ ...b, kind: 'recommendations' }));
    } catch (err) {
      if (err instanceof ExperimentExistsError) throw new HttpError(409, 'conflict', `body.id: ${err.message}`, [{ path: 'body.id', message: err.message }]);
      throw err;
    }
  });

  const results = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/experiments/:id/results', summary: 'Clicks, cart adds, orders and GMV per arm from the recorded impressions, with each arm’s uplift over the control and its 95% interval', tag: 'recommendations', auth: 'bearer', params: experimentParams });
  app.get(results.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { id } = parse(experimentParams, req.params, 'path');
    const x = await experiments.get(id);
    if (!x) throw new HttpError(404, 'not_found', `no experiment '${id}'`);
    return experimentResults(ctx.rt.olap, x);
  });

  const stopExperiment = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/experiments/:id/stop', summary: 'Stop an experiment: everyone gets the control from now on', tag: 'recommendations', auth: 'bearer', params: experimentParams });
  app.post(stopExperiment.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const { id } = parse(experimentParams, req.params, 'path');
    const x = await experiments.stop(id);
    if (!x) throw new HttpError(404, 'not_found', `no experiment '${id}'`);
    return x;
  });

  // offline evaluation on the server's own data (the dashboard's report): one at a time, the last kept in memory
  let evaluating: Promise<EvalReport> | null = null;
  let lastReport: EvalReport | null = null;
  const runEval = ctx.docs.add({ method: 'POST', url: '/api/v1/recommendations/evaluate', summary: 'Offline evaluation now: every model trained before a cut N days before the last order, scored on the purchases after it', tag: 'recommendations', auth: 'bearer', body: evaluateBody });
  app.post(runEval.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(evaluateBody, req.body ?? {}, 'body');
    if (evaluating) throw new HttpError(409, 'busy', 'an evaluation is already running');
    const [r] = await ctx.rt.olap.query<{ last: string | null }>(`SELECT toUnixTimestamp64Milli(max(timestamp)) AS last FROM ${ctx.rt.olap.db}.events WHERE event = 'Order Completed'`);
    const last = Number(r?.last ?? 0);
    if (!last) throw new HttpError(409, 'no_data', 'there are no orders to evaluate against yet');
    try {
      evaluating = evaluate(ctx.rt, { cut: new Date(last - b.holdoutDays * 86_400_000), ks: [10, 20], maxUsers: b.maxUsers, fairness: b.fairness });
      lastReport = await evaluating;
      return lastReport;
    } finally {
      evaluating = null;
    }
  });

  const lastEval = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/evaluation', summary: 'The last offline evaluation run on this server', tag: 'recommendations', auth: 'bearer' });
  app.get(lastEval.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    if (!lastReport) throw new HttpError(404, 'not_found', 'no evaluation yet: POST /api/v1/recommendations/evaluate');
    return lastReport;
  });

  const status = ctx.docs.add({ method: 'GET', url: '/api/v1/recommendations/status', summary: 'Model training status, the last runs and the schedule', tag: 'recommendations', auth: 'bearer' });
  app.get(status.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { ...engine.status(), runs: await engine.runs(10) };
  });
}

/**
 * Impressions are Segment e-commerce `Product List Viewed` events and clicks `Product Clicked`, with
 * `list_id` = the recommendationId and `recommendation_id` set, so they flow through ingestion like any
 * event (identity, dedupe by messageId) and an SDK may send the same events itself.
 */
function recommendationEvent(e: z.infer<typeof eventsBody>['events'][number], messageId: string): Record<string, unknown> {
  const base = { type: 'track', messageId, userId: e.userId, timestamp: e.timestamp ?? new Date().toISOString() };
  const exp = e.experimentId ? { experiment_id: e.experimentId, experiment_arm: e.arm ?? '' } : {};
  if (e.type === 'impression') {
    return {
      ...base, event: 'Product List Viewed',
      properties: { list_id: e.recommendationId, recommendation_id: e.recommendationId, category: `recommendations:${e.scene ?? 'home'}`, products: e.itemIds.map((id, i) => ({ product_id: id, position: i + 1 })), ...exp },
    };
  }
  return {
    ...base, event: 'Product Clicked',
    properties: { product_id: e.itemIds[0], list_id: e.recommendationId, recommendation_id: e.recommendationId, position: e.position ?? null, category: `recommendations:${e.scene ?? 'home'}`, ...exp },
  };
}
