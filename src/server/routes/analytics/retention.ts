import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { granularities, retention, RETENTION_MAX_PERIODS } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { withoutSmallGroups } from '../../../privacy/groups.ts';
import { noiseMarkerSchema, wantsNoise } from '../../../privacy/noise.ts';
import { noisyRetention } from '../../../privacy/noisyReports.ts';
import { breakdownField, breakdownOf, invalid, rangeFields, rangeOf } from './common.ts';

const eventName = z.string().min(1).max(200).refine((s) => !s.includes('\u0000'), 'must not contain NUL');
const retentionQuery = z.object({
  ...rangeFields,
  granularity: z.enum(granularities).default('week').describe('cohorts and periods by day, week (Monday–Sunday) or month'),
  periods: z.coerce.number().int().min(1).max(RETENTION_MAX_PERIODS).optional().describe('periods after the cohort’s own (default: 14 days, 12 weeks or 6 months)'),
  mode: z.enum(['n-day', 'unbounded']).default('n-day').describe('n-day: returned in period k; unbounded: in period k or later'),
  cohortEvent: eventName.optional().describe('the event that puts a person in a cohort (default: any behaviour)'),
  cohortMode: z.enum(['first', 'any']).default('first').describe('first: the period of the first-ever cohort event; any: every period with one'),
  returnEvent: eventName.optional().describe('the event that counts as coming back (default: any behaviour)'),
  segment: z.string().min(1).max(100).optional().describe('only members of this segment'),
  breakdown: breakdownField,
  noise: z.enum(['true', 'false']).optional().describe('true: add differential-privacy noise, for an answer shared outside the team (docs/privacy.md)'),
});

const curve = z.object({ retained: z.array(z.number()), sizes: z.array(z.number()), rates: z.array(z.number().nullable()) });
const retentionResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.string() }),
  granularity: z.enum(granularities),
  periods: z.number(),
  mode: z.enum(['n-day', 'unbounded']),
  cohortMode: z.enum(['first', 'any']),
  cohortEvent: z.string().nullable(),
  returnEvent: z.string().nullable(),
  cohorts: z.array(z.object({ start: z.string(), size: z.number(), retained: z.array(z.number().nullable()), rates: z.array(z.number().nullable()) })),
  average: curve,
  groups: z.array(z.object({ group: z.string(), size: z.number(), curve })).nullable(),
  suppressedGroups: z.number().describe('breakdown groups left out because smaller than the minimum group size (HX_MIN_GROUP_SIZE)'),
  privacy: noiseMarkerSchema.optional(),
});

const defaultPeriods = { day: 14, week: 12, month: 6 } as const;
const periodDays = { day: 1, week: 7, month: 31 } as const;

/** Retention reports (docs/analytics-retention.md). */
export function retentionRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/retention',
    summary: 'Cohort retention: people by the period of their cohort event, and the share who returned in each later period',
    tag: 'analytics',
    auth: 'bearer',
    query: retentionQuery,
    response: retentionResponse,
  });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(retentionQuery, req.query, 'query');
    const periods = q.periods ?? defaultPeriods[q.granularity];
    // without from/days: the cohorts of the last periods+1 periods
    const days = q.days ?? (q.from === undefined ? Math.min(1096, (periods + 1) * periodDays[q.granularity]) : undefined);
    const range = await rangeOf(ctx, { ...q, days: q.from === undefined ? days : q.days });
    if (q.segment !== undefined && !(await ctx.rt.segments.store.list()).some((s) => s.id === q.segment)) throw invalid('query.segment', `unknown segment '${q.segment}'`);
    const breakdown = await breakdownOf(ctx, q.breakdown);
    const r = await retention(ctx.rt.olap, {
      ...range,
      granularity: q.granularity,
      periods,
      mode: q.mode,
      cohortEvent: q.cohortEvent ?? null,
      cohortMode: q.cohortMode,
      returnEvent: q.returnEvent ?? null,
      segment: q.segment,
      breakdown,
    });
    const { privacy } = ctx.rt.config;
    const shown = { ...r, ...withoutSmallGroups(r.groups, (g) => g.size, privacy.minGroupSize) };
    // noise after the minimum group size, which is decided on the exact counts
    return wantsNoise(q.noise === undefined ? undefined : q.noise === 'true', privacy.dp)
      ? noisyRetention(shown, privacy.dp, privacy.minGroupSize, { disjointGroups: breakdown?.by === 'tag', oneCohortPerPerson: q.cohortMode === 'first' })
      : shown;
  });
}
