import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { REVIEW_GROUPINGS, REVIEW_LANGS, reviews, timezones } from '../../../analytics/index.ts';
import { DEFAULT_MIN_REVIEWS, evaluateShopModels, trainShopModels } from '../../../analytics/sentiment/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const reviewsQuery = z.object({
  ...rangeFields,
  by: z.enum(REVIEW_GROUPINGS).default('category').describe('group reviews by category, brand or item'),
  categoryLevel: z.coerce.number().int().min(1).max(3).default(1).describe("with by=category: levels of the '/'-separated category path"),
  lang: z.enum(REVIEW_LANGS).default('all').describe('only reviews in this language (zh: text with a Han character, en: the others)'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('most groups listed'),
});

const cell = { scored: z.number().describe('reviews with text scored by the model'), positiveShare: z.number().nullable().describe('share of scored reviews read as positive; null when none') };
const evaluation = z.object({ set: z.string(), n: z.number(), correct: z.number(), positives: z.number(), accuracy: z.number(), majorityBaseline: z.number(), balancedAccuracy: z.number() });
const counts = z.object({ rated: z.number(), neutral: z.number(), positive: z.number(), negative: z.number() });
const model = z.object({ source: z.enum(['shop', 'default']), trainedOn: z.string(), trainedAt: z.string(), heldOutAccuracy: z.number().nullable() });

const reviewsResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones), days: z.number() }),
  by: z.enum(REVIEW_GROUPINGS),
  lang: z.enum(REVIEW_LANGS),
  models: z.object({ zh: model, en: model }).describe('the model scoring each language: the shop’s own (huaxiang sentiment train) or the default'),
  totals: z.object({
    reviews: z.number(), rated: z.number(), avgRating: z.number().nullable(), withText: z.number(),
    capped: z.boolean().describe('true when the range held more texts than `cap`: sentiment is then read on a stable sample of `cap` of them'),
    cap: z.number(), ...cell,
  }),
  ratings: z.array(z.object({ rating: z.number(), count: z.number() })).describe('1★ … 5★'),
  groups: z.array(z.object({ key: z.string(), label: z.string(), reviews: z.number(), rated: z.number(), avgRating: z.number().nullable(), ...cell })),
  trend: z.array(z.object({ week: z.string().describe('the Monday starting the week'), reviews: z.number(), rated: z.number(), avgRating: z.number().nullable(), ...cell })),
  groupTrend: z.array(z.object({ key: z.string(), label: z.string(), weeks: z.array(z.object({ week: z.string(), ...cell })) }))
    .describe('weekly sentiment of the first groups (most reviews first)'),
  terms: z.object({
    positive: z.array(z.object({ term: z.string(), lang: z.enum(['zh', 'en']), reviews: z.number(), weight: z.number() })),
    negative: z.array(z.object({ term: z.string(), lang: z.enum(['zh', 'en']), reviews: z.number(), weight: z.number() })),
  }).describe('words with a positive (negative) model weight of at least 0.1, with how many positive (negative) reviews use them; ranked by that count × |weight|'),
  aspects: z.array(z.object({ aspect: z.string(), name_zh: z.string(), name_en: z.string(), mentions: z.number(), positive: z.number(), positiveShare: z.number().nullable() })),
});

const trainBody = z.object({
  minReviews: z.number().int().min(1).max(10_000_000).default(DEFAULT_MIN_REVIEWS).describe('fewest 1–2★/4–5★ reviews of a language to train on'),
});
const trainResponse = z.object({
  results: z.array(z.object({
    lang: z.enum(['zh', 'en']), counts, trained: z.boolean(), reason: z.string().optional(),
    train: z.number().optional(), heldOut: z.number().optional(), shop: evaluation.optional(), default: evaluation.optional(), file: z.string().optional(),
  })),
});
const evalResponse = z.object({
  results: z.array(z.object({ lang: z.enum(['zh', 'en']), counts, source: z.enum(['shop', 'default']), set: z.string(), active: evaluation.optional(), default: evaluation.optional() })),
});

/** Reviews reports and the review-sentiment models (docs/analytics-reviews.md). */
export function reviewsRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/reviews',
    summary: 'Reviews: rating distribution, sentiment by category/brand/item and by week, positive and negative terms, aspects',
    tag: 'analytics',
    auth: 'bearer',
    query: reviewsQuery,
    response: reviewsResponse,
  });
  app.get(report.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(reviewsQuery, req.query, 'query');
    return reviews(ctx.rt.olap, { ...(await rangeOf(ctx, q)), by: q.by, categoryLevel: q.categoryLevel, lang: q.lang, groups: q.limit, dataDir: ctx.rt.workspace.dir });
  });

  const evalDoc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/reviews/sentiment',
    summary: "Accuracy of the sentiment models in effect on the shop's own star-rated reviews (the retrained model on its held-out 20%)",
    tag: 'analytics',
    auth: 'bearer',
    response: evalResponse,
  });
  app.get(evalDoc.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    return { results: await evaluateShopModels(ctx.rt.olap, ctx.rt.workspace.dir) };
  });

  const trainDoc = ctx.docs.add({
    method: 'POST',
    url: '/api/v1/analytics/reviews/sentiment/train',
    summary: "Retrain the sentiment models on the shop's own star-rated reviews (4–5★ positive, 1–2★ negative, 3★ left out; 20% held out by review id)",
    tag: 'analytics',
    auth: 'bearer',
    body: trainBody,
    response: trainResponse,
  });
  app.post(trainDoc.url, async (req) => {
    await ctx.authorize(req, 'admin');
    const b = parse(trainBody, req.body ?? {}, 'body');
    return { results: await trainShopModels(ctx.rt.olap, ctx.rt.workspace.dir, { minReviews: b.minReviews }) };
  });
}
