import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { activeUsers, BREAKDOWN_METRICS, metricBreakdown, overview, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { withoutSmallGroups } from '../../../privacy/groups.ts';
import { noiseMarkerSchema, wantsNoise } from '../../../privacy/noise.ts';
import { noisyMetricBreakdown } from '../../../privacy/noisyBreakdown.ts';
import { breakdownField, breakdownOf, invalid, rangeFields, rangeOf } from './common.ts';

const rangeQuery = z.object(rangeFields);
const rangeOut = z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones), days: z.number() });

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
  range: rangeOut,
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

const activeUsersResponse = z.object({
  range: rangeOut,
  days: z.array(z.object({
    date: z.string(),
    dau: z.number().describe('persons active that day'),
    wau: z.number().describe('persons active in the 7 days ending that day'),
    mau: z.number().describe('persons active in the 30 days ending that day'),
    stickiness: z.number().describe('DAU / MAU'),
    newUsers: z.number().describe('active that day and first seen that day'),
    returningUsers: z.number().describe('active that day and first seen before'),
  })),
  summary: z.object({
    avgDau: z.number(), wau: z.number().describe('on the last day'), mau: z.number().describe('on the last day'),
    stickiness: z.number().describe('mean of the daily DAU / MAU'), newUsers: z.number(), returningUsers: z.number(),
  }),
});

const breakdownQuery = z.object({
  ...rangeFields,
  metric: z.enum(BREAKDOWN_METRICS).default('gmv').describe('the headline metric to break down'),
  by: breakdownField,
  noise: z.enum(['true', 'false']).optional().describe('true: add differential-privacy noise, for an answer shared outside the team (docs/privacy.md)'),
});
const metricValue = { current: z.number(), previous: z.number(), change: z.number().nullable().describe('(current − previous) / previous; null when previous is 0') };
const breakdownResponse = z.object({
  range: rangeOut,
  previousRange: z.object({ from: z.string(), to: z.string() }),
  metric: z.enum(BREAKDOWN_METRICS),
  total: z.object(metricValue),
  groups: z.array(z.object({ group: z.string(), ...metricValue, share: z.number().nullable().describe("the group's share of the total (null for aov and conversion)"), people: z.number(), previousPeople: z.number() })),
  suppressedGroups: z.number().describe('groups left out because fewer people than the minimum group size (HX_MIN_GROUP_SIZE) were active in them'),
  privacy: noiseMarkerSchema.optional(),
});

/** The overview, active users (DAU/WAU/MAU) and any headline metric broken down (docs/analytics.md). */
export function overviewRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/overview',
    summary: 'Headline numbers, daily trend, top categories, device and channel split for [from, to), with the previous period',
    tag: 'analytics',
    auth: 'bearer',
    query: rangeQuery,
    response: overviewResponse,
  });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(rangeQuery, req.query, 'query');
    return overview(ctx.rt.olap, await rangeOf(ctx, q));
  });

  const active = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/active-users',
    summary: 'DAU, rolling WAU and MAU, stickiness, and new vs returning active users per day of [from, to)',
    tag: 'analytics',
    auth: 'bearer',
    query: rangeQuery,
    response: activeUsersResponse,
  });
  app.get(active.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(rangeQuery, req.query, 'query');
    return activeUsers(ctx.rt.olap, await rangeOf(ctx, q));
  });

  const bd = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/breakdown',
    summary: 'One headline metric per group of a breakdown (device, channel, city tier, tag, segments), current and previous period',
    tag: 'analytics',
    auth: 'bearer',
    query: breakdownQuery,
    response: breakdownResponse,
  });
  app.get(bd.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(breakdownQuery, req.query, 'query');
    if (!q.by) throw invalid('query.by', 'required: device, channel, city_tier, tag:<code> or segment:<id>[,<id>…]');
    const breakdown = (await breakdownOf(ctx, q.by, 'by'))!;
    const range = await rangeOf(ctx, q);
    const k = ctx.rt.config.privacy.minGroupSize;
    const { dp } = ctx.rt.config.privacy;
    // noisy: each person's orders and GMV clipped, the minimum group size checked on exact counts first
    if (wantsNoise(q.noise === undefined ? undefined : q.noise === 'true', dp)) return noisyMetricBreakdown(ctx.rt.olap, { ...range, metric: q.metric, breakdown, dp, minGroupSize: k });
    const r = await metricBreakdown(ctx.rt.olap, { ...range, metric: q.metric, breakdown });
    // a period in which a group has people must have at least the minimum of them (an empty period reveals nobody)
    return { ...r, ...withoutSmallGroups(r.groups, (g) => Math.min(...[g.people, g.previousPeople].filter((n) => n > 0), Infinity), k) };
  });
}
