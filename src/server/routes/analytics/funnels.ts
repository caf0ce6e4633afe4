import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  eventNames, funnel, FUNNEL_MAX_STEPS, FUNNEL_MIN_STEPS, funnelDropped, funnelStep, type FunnelStep,
} from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { withoutSmallGroups } from '../../../privacy/groups.ts';
import { noiseMarkerSchema, wantsNoise } from '../../../privacy/noise.ts';
import { noisyFunnel } from '../../../privacy/noisyReports.ts';
import { breakdownField, breakdownOf, invalid, rangeFields, rangeOf } from './common.ts';

const MAX_WINDOW_DAYS = 90;
/** a static segment holds at most this many ids (segments' own limit) */
const MAX_SEGMENT_IDS = 1_000_000;

const funnelFields = {
  steps: z.array(funnelStep).min(FUNNEL_MIN_STEPS).max(FUNNEL_MAX_STEPS).describe(`${FUNNEL_MIN_STEPS}–${FUNNEL_MAX_STEPS} steps in order`),
  windowMinutes: z.number().int().min(1).max(MAX_WINDOW_DAYS * 1440).optional().describe('conversion window in minutes (or windowDays)'),
  windowDays: z.number().int().min(1).max(MAX_WINDOW_DAYS).optional().describe('conversion window in days (default 1)'),
  order: z.enum(['loose', 'strict']).default('loose').describe('loose: other events may come between steps; strict: the steps must be consecutive events'),
  ...rangeFields,
  breakdown: breakdownField,
};
const funnelBody = z.strictObject({ ...funnelFields, noise: z.boolean().optional().describe('true: add differential-privacy noise to the counts, for an answer shared outside the team (docs/privacy.md)') });
const droppedBody = z.strictObject({
  ...funnelFields,
  step: z.number().int().min(1).max(FUNNEL_MAX_STEPS - 1).describe('the people who reached this step (1-based) but not the next'),
  group: z.string().max(2000).optional().describe('only those in this breakdown group (needs breakdown)'),
  name: z.string().min(1).max(200).refine((s) => !s.includes('\u0000'), 'must not contain NUL').describe('the new segment’s name'),
  description: z.string().max(2000).optional(),
});
const eventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

const stepResult = z.object({
  step: z.number(), event: z.string(), count: z.number().describe('people who reached the step'),
  conversionFromStart: z.number(), conversionFromPrevious: z.number(),
  dropped: z.number().describe('reached this step but not the next'), dropOffRate: z.number(),
  medianSeconds: z.number().nullable().describe('median time from the previous step'), p90Seconds: z.number().nullable(),
});
const funnelResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.string(), days: z.number() }),
  windowMs: z.number(),
  order: z.enum(['loose', 'strict']),
  steps: z.array(stepResult),
  groups: z.array(z.object({ group: z.string(), steps: z.array(stepResult) })).nullable(),
  suppressedGroups: z.number().describe('breakdown groups left out because fewer people than the minimum group size (HX_MIN_GROUP_SIZE) entered them'),
  otherGroups: z.number(),
  privacy: noiseMarkerSchema.optional(),
});

type FunnelInput = z.infer<typeof funnelBody>;

/** Checks what the schema cannot (window given twice, the range, the breakdown) and answers the query's parameters; 400s name `body.<field>`. */
async function funnelOf(ctx: AppContext, b: FunnelInput) {
  if (b.windowMinutes !== undefined && b.windowDays !== undefined) throw invalid('body.windowDays', 'give either windowMinutes or windowDays, not both');
  const range = await rangeOf(ctx, b, 'body');
  const breakdown = await breakdownOf(ctx, b.breakdown, 'breakdown', 'body');
  const windowMs = b.windowMinutes !== undefined ? b.windowMinutes * 60_000 : (b.windowDays ?? 1) * 86_400_000;
  return { from: range.from, to: range.to, tz: b.tz, steps: b.steps, windowMs, order: b.order, breakdown };
}

const describeWindow = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : `${ms / 60_000} min`);

/** Funnels reports (docs/analytics-funnels.md). */
export function funnelsRoutes(app: FastifyInstance, ctx: AppContext) {
  const events = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/events',
    summary: 'Event names people do (track events, page and screen names) with their counts, most frequent first',
    tag: 'analytics',
    auth: 'bearer',
    query: eventsQuery,
    response: z.object({ events: z.array(z.object({ event: z.string(), type: z.string(), count: z.number() })) }),
  });
  app.get(events.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(eventsQuery, req.query, 'query');
    return { events: await eventNames(ctx.rt.olap, q.limit) };
  });

  const report = ctx.docs.add({
    method: 'POST',
    url: '/api/v1/analytics/funnels',
    summary: 'A conversion funnel: people per step, conversion, drop-off, median and p90 time between steps, per breakdown group',
    tag: 'analytics',
    auth: 'bearer',
    body: funnelBody,
    response: funnelResponse,
  });
  app.post(report.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const b = parse(funnelBody, req.body, 'body');
    const p = await funnelOf(ctx, b);
    const f = await funnel(ctx.rt.olap, p);
    const { privacy } = ctx.rt.config;
    const shown = { ...f, ...withoutSmallGroups(f.groups, (g) => g.steps[0]?.count ?? 0, privacy.minGroupSize) };
    // noise after the minimum group size, which is decided on the exact counts
    return wantsNoise(b.noise, privacy.dp) ? noisyFunnel(shown, privacy.dp, privacy.minGroupSize, p.breakdown?.by === 'tag') : shown;
  });

  const dropped = ctx.docs.add({
    method: 'POST',
    url: '/api/v1/analytics/funnels/dropped-segment',
    summary: 'Save the people who reached a funnel step but not the next as a static segment',
    tag: 'analytics',
    auth: 'bearer',
    body: droppedBody,
  });
  app.post(dropped.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(droppedBody, req.body, 'body');
    if (b.step >= b.steps.length) throw invalid('body.step', `a ${b.steps.length}-step funnel has drop-offs after steps 1…${b.steps.length - 1}, got ${b.step}`);
    if (b.group !== undefined && !b.breakdown) throw invalid('body.group', 'a group needs a breakdown');
    const p = await funnelOf(ctx, b);
    const who = await funnelDropped(ctx.rt.olap, { ...p, step: b.step, group: b.group }, MAX_SEGMENT_IDS + 1);
    if (who.total > MAX_SEGMENT_IDS) throw invalid('body.step', `${who.total} people dropped here; a static segment holds at most ${MAX_SEGMENT_IDS}`);
    const label = (s: FunnelStep) => s.event + (s.where?.length ? ` (${s.where.length} filter${s.where.length > 1 ? 's' : ''})` : '');
    const description = b.description ?? `Reached step ${b.step} (${label(b.steps[b.step - 1]!)}) but not step ${b.step + 1} (${label(b.steps[b.step]!)}) of ${b.steps.map(label).join(' → ')}; ${p.from} … ${p.to} (exclusive, ${p.tz}), window ${describeWindow(p.windowMs)}, ${p.order} order${b.group !== undefined ? `, ${b.breakdown} = ${b.group}` : ''}`;
    const segment = await ctx.rt.segments.create({ name: b.name, description: description.slice(0, 2000), kind: 'static', ids: who.ids }, role);
    reply.code(201);
    return { segment, dropped: who.total };
  });
}
