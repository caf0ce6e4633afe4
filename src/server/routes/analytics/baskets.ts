import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BASKET_DEFAULTS, BASKET_LEVELS, RULE_SORTS, basketRules, boughtTogether } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const share = (what: string, dflt: number) => z.coerce.number().min(0).max(1).default(dflt).describe(`${what}, 0…1 (default ${dflt})`);
const level = z.enum(BASKET_LEVELS).default('item').describe('mine items (product ids) or categories (each line’s category)');
const range = {
  ...rangeFields,
  from: rangeFields.from.describe('first day, inclusive; with no from, to or days every order is mined'),
};

const rulesQuery = z.object({
  ...range,
  level,
  minSupport: share('share of orders an itemset must appear in', BASKET_DEFAULTS.minSupport),
  minConfidence: share('least confidence of a rule', BASKET_DEFAULTS.minConfidence),
  minLift: z.coerce.number().min(0).max(1e6).default(BASKET_DEFAULTS.minLift).describe('least lift of a rule (default 1)'),
  top: z.coerce.number().int().min(1).max(1000).default(BASKET_DEFAULTS.top).describe('rules returned, best first (default 100)'),
  sort: z.enum(RULE_SORTS).default(BASKET_DEFAULTS.sort).describe('order of the rules: lift, confidence or support'),
  maxBasketItems: z.coerce.number().int().min(2).max(500).default(BASKET_DEFAULTS.maxBasketItems)
    .describe('orders with more distinct keys add no pairs or triples (default 50)'),
});

const togetherQuery = z.object({
  ...range,
  level,
  limit: z.coerce.number().int().min(1).max(100).default(10).describe('companions returned (default 10)'),
  minCount: z.coerce.number().int().min(1).max(1_000_000).default(2).describe('least orders shared with the key (default 2)'),
});
const keyParams = z.object({ itemId: z.string().min(1).max(500).describe('a product id, or a category with level=category') });

const rule = z.object({
  antecedent: z.array(z.string()), consequent: z.string(), count: z.number(), support: z.number(), confidence: z.number(), lift: z.number(),
});
const rulesResponse = z.object({
  level: z.enum(BASKET_LEVELS),
  orders: z.number().describe('orders mined (with at least one key at the level)'),
  skippedOrders: z.number().describe('orders over maxBasketItems: counted in supports of single keys, no pairs or triples'),
  minCount: z.number().describe('minSupport as a count of orders'),
  thresholds: z.object({ minSupport: z.number(), minConfidence: z.number(), minLift: z.number(), maxBasketItems: z.number() }),
  frequent: z.object({ items: z.number(), pairs: z.number(), triples: z.number() }),
  rules: z.array(rule),
  topPairs: z.array(z.object({ items: z.tuple([z.string(), z.string()]), count: z.number(), support: z.number(), lift: z.number() })),
  names: z.record(z.string(), z.string()),
  seconds: z.number(),
});
const togetherResponse = z.object({
  key: z.string(), level: z.enum(BASKET_LEVELS), orders: z.number(), withKey: z.number(),
  together: z.array(z.object({ key: z.string(), name: z.string(), count: z.number(), confidence: z.number(), lift: z.number() })),
});

/** Whole history unless a range is asked for. */
async function rangeIf(ctx: AppContext, q: z.infer<typeof rulesQuery> | z.infer<typeof togetherQuery>) {
  if (q.from === undefined && q.to === undefined && q.days === undefined) return { tz: q.tz };
  return rangeOf(ctx, q);
}

/** Baskets reports (docs/analytics-baskets.md). */
export function basketsRoutes(app: FastifyInstance, ctx: AppContext) {
  const rules = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/baskets/rules',
    summary: 'Association rules (A → B, {A, B} → C) over items or categories of completed orders, with support, confidence and lift',
    tag: 'analytics',
    auth: 'bearer',
    query: rulesQuery,
    response: rulesResponse,
  });
  app.get(rules.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(rulesQuery, req.query, 'query');
    return basketRules(ctx.rt.olap, {
      level: q.level, minSupport: q.minSupport, minConfidence: q.minConfidence, minLift: q.minLift, top: q.top, sort: q.sort,
      maxBasketItems: q.maxBasketItems, ...(await rangeIf(ctx, q)),
    });
  });

  const together = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/baskets/bought-together/:itemId',
    summary: 'Frequently bought together: what shares the most orders with an item (or a category)',
    tag: 'analytics',
    auth: 'bearer',
    params: keyParams,
    query: togetherQuery,
    response: togetherResponse,
  });
  app.get(together.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { itemId } = parse(keyParams, req.params, 'path');
    const q = parse(togetherQuery, req.query, 'query');
    return boughtTogether(ctx.rt.olap, itemId, { level: q.level, limit: q.limit, minCount: q.minCount, ...(await rangeIf(ctx, q)) });
  });
}
