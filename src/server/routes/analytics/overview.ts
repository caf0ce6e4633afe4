import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defaultTimezone, latestEventDate, overview, resolveRange, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { HttpError } from '../../errors.ts';
import { parse } from '../../validate.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const overviewQuery = z.object({
  from: date.optional().describe('first day, inclusive (default: 30 days before `to`)'),
  to: date.optional().describe('day after the last, exclusive (default: the day after the latest event)'),
  tz: z.enum(timezones).default(defaultTimezone).describe('reporting timezone: days start at midnight here'),
});

const headline = z.object({
  users: z.number().describe('persons seen before `to`'),
  activeUsers: z.number().describe('persons with a track/page/screen event in the range'),
  newUsers: z.number().describe('persons first seen in the range'),
  buyers: z.number().describe('persons with an order in the range'),
  orders: z.number().describe('distinct completed orders'),
  gmv: z.number().describe('sum of order revenue'),
  aov: z.number().describe('GMV / orders'),
  conversion: z.number().describe('buyers / active users, 0…1'),
});
const overviewResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones), days: z.number() }),
  previousRange: z.object({ from: z.string(), to: z.string() }),
  currency: z.string(),
  current: headline,
  previous: headline,
  change: z.record(headline.keyof(), z.number().nullable()).describe('(current − previous) / previous; null when previous is 0'),
  trend: z.array(z.object({ date: z.string(), activeUsers: z.number(), orders: z.number(), gmv: z.number() })),
  topCategories: z.array(z.object({ category: z.string(), gmv: z.number(), orders: z.number() })),
  devices: z.array(z.object({ deviceType: z.string(), users: z.number(), orders: z.number(), gmv: z.number() })),
  channels: z.array(z.object({ channel: z.string(), activeUsers: z.number(), newUsers: z.number(), buyers: z.number(), orders: z.number(), gmv: z.number() })),
});

/** Behaviour analytics over the events store. */
export function overviewRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/overview',
    summary: 'Headline numbers, daily trend, top categories, device and channel split for [from, to), with the previous period',
    tag: 'analytics',
    auth: 'bearer',
    query: overviewQuery,
    response: overviewResponse,
  });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(overviewQuery, req.query, 'query');
    const latest = q.to === undefined ? await latestEventDate(ctx.rt.olap, q.tz) : null;
    const range = resolveRange(q, latest);
    if (!range.ok) {
      const path = `query.${range.field}`;
      throw new HttpError(400, 'invalid_request', `${path}: ${range.message}`, [{ path, message: range.message }]);
    }
    return overview(ctx.rt.olap, { from: range.from, to: range.to, tz: q.tz });
  });
}
