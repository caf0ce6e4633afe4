import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sessions, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const sessionsQuery = z.object({
  ...rangeFields,
  categoryLevel: z.coerce.number().int().min(1).max(3).default(1).describe("levels of the '/'-separated category path to group by"),
  limit: z.coerce.number().int().min(1).max(200).default(20).describe('longest lists of page types and categories'),
});
const group = z.object({
  name: z.string(), views: z.number(), sessions: z.number(), entries: z.number(), exits: z.number(), bounces: z.number(),
  bounceRate: z.number().describe('bounces / entries'), exitRate: z.number().describe('exits / views'), avgDwell: z.number().nullable().describe('seconds'),
});
const sessionsResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones) }),
  totals: z.object({
    sessions: z.number(), persons: z.number(), views: z.number(), depth: z.number().describe('views per session'),
    bounces: z.number(), bounceRate: z.number(), avgDwell: z.number().nullable().describe('seconds'), avgDuration: z.number().describe('seconds'),
  }),
  trend: z.array(z.object({ date: z.string(), sessions: z.number(), views: z.number(), depth: z.number(), bounceRate: z.number(), avgDwell: z.number().nullable(), avgDuration: z.number() })),
  pageTypes: z.array(group),
  categories: z.array(group),
  depthHistogram: z.array(z.object({ depth: z.string(), sessions: z.number() })),
});

/** Sessions reports (docs/analytics-sessions.md). */
export function sessionsRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/sessions',
    summary: 'Sessions and browsing: dwell time, browse depth, bounce rate, per day, page type and category',
    tag: 'analytics',
    auth: 'bearer',
    query: sessionsQuery,
    response: sessionsResponse,
  });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(sessionsQuery, req.query, 'query');
    return sessions(ctx.rt.olap, { ...(await rangeOf(ctx, q)), categoryLevel: q.categoryLevel, limit: q.limit });
  });
}
