import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cartReport, CART_DEFAULTS, latestEventMs, recoverablePeople, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const windowHours = z.coerce.number().int().min(1).max(720).default(CART_DEFAULTS.windowHours)
  .describe('a cart ends after this many hours without an add/remove; an order within them is its purchase');
const recoverDays = z.coerce.number().int().min(1).max(90).default(CART_DEFAULTS.recoverDays)
  .describe('abandoned carts started this many days before the latest event (or less) count as recoverable');

const cartsQuery = z.object({
  ...rangeFields,
  windowHours,
  limit: z.coerce.number().int().min(1).max(200).default(CART_DEFAULTS.limit).describe('abandoned items listed'),
  recoverDays,
});
const noNul = (s: string) => !s.includes('\u0000');
const recoverableBody = z.strictObject({
  name: z.string().min(1).max(200).refine(noNul, 'must not contain NUL').optional().describe('segment name (default: "Abandoned carts, last N days (date)")'),
  description: z.string().max(2000).optional(),
  windowHours,
  recoverDays,
  consent: z.enum(['given', 'not_refused']).default('given')
    .describe('given: only people whose latest consent.marketing is true; not_refused: also people who never said (but not those who said false)'),
});

const cartsResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones), days: z.number() }),
  settings: z.object({ windowHours: z.number(), recoverDays: z.number() }),
  asOf: z.string().nullable().describe('the newest event: carts whose window has not passed by then are open'),
  totals: z.object({
    viewers: z.number().describe('persons who viewed a product in range'),
    viewersAdded: z.number().describe('of them, persons who also added one in range'),
    adders: z.number().describe('persons who added a product in range'),
    addToCartRate: z.number().describe('viewersAdded / viewers, 0…1'),
    carts: z.number().describe('carts whose first add is in range'),
    purchased: z.number(),
    abandoned: z.number(),
    open: z.number(),
    emptied: z.number(),
    abandonmentRate: z.number().describe('abandoned / (abandoned + purchased), 0…1'),
    value: z.number().describe('net value of all carts (added less removed)'),
    purchasedValue: z.number(),
    abandonedValue: z.number(),
    medianMinutesToPurchase: z.number().nullable().describe('from a purchased cart’s first add to the order'),
  }),
  timeToPurchase: z.array(z.object({ fromMinutes: z.number(), toMinutes: z.number().nullable(), carts: z.number() })),
  daily: z.array(z.object({ date: z.string(), carts: z.number(), purchased: z.number(), abandoned: z.number() })),
  abandonedItems: z.array(z.object({ productId: z.string(), title: z.string(), titleEn: z.string(), carts: z.number(), quantity: z.number(), value: z.number() })),
  recoverable: z.object({ days: z.number(), people: z.number(), value: z.number() }),
});

/** Carts reports (docs/analytics-carts.md). */
export function cartsRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/carts',
    summary: 'Carts started in [from, to): add-to-cart rate, abandonment and its value, time to purchase, most abandoned items, recoverable people',
    tag: 'analytics',
    auth: 'bearer',
    query: cartsQuery,
    response: cartsResponse,
  });
  app.get(report.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(cartsQuery, req.query, 'query');
    const r = await rangeOf(ctx, q);
    return cartReport(ctx.rt.olap, { ...r, windowHours: q.windowHours, limit: q.limit, recoverDays: q.recoverDays });
  });

  const save = ctx.docs.add({
    method: 'POST',
    url: '/api/v1/analytics/carts/recoverable-segment',
    summary: 'Save the people with a recent abandoned cart, no order since and marketing consent as a static segment',
    tag: 'analytics',
    auth: 'bearer',
    body: recoverableBody,
  });
  app.post(save.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(recoverableBody, req.body ?? {}, 'body');
    const latestMs = await latestEventMs(ctx.rt.olap);
    const people = await recoverablePeople(ctx.rt.olap, { windowHours: b.windowHours, recoverDays: b.recoverDays, consent: b.consent, latestMs });
    const asOf = new Date(latestMs || Date.now()).toISOString().slice(0, 10);
    const segment = await ctx.rt.segments.create({
      name: b.name ?? `Abandoned carts, last ${b.recoverDays} days (${asOf})`,
      description: b.description ?? `People with a cart abandoned (no order within ${b.windowHours} h) started in the last ${b.recoverDays} days, no order since, marketing consent: ${b.consent}.`,
      kind: 'static',
      ids: people.map((p) => p.person),
    }, role);
    reply.code(201);
    return { segment, people: people.length, value: Math.round(people.reduce((a, p) => a + p.value, 0) * 100) / 100 };
  });
}
