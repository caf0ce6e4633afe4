import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CONFIDENCES, ChurnInputError, addDays, defaultTimezone, isDate, latestChurnRun, latestEventDate, repurchase, timezones, trainChurn,
  type ChurnReport,
} from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { HttpError } from '../../errors.ts';
import { parse } from '../../validate.ts';
import { invalid } from './common.ts';

const repurchaseQuery = z.object({
  from: z.string().refine(isDate, 'must be a date as YYYY-MM-DD').optional()
    .describe('first day of the week (default: the day after the latest event); orders before it are the history'),
  tz: z.enum(timezones).default(defaultTimezone).describe('reporting timezone: days start at midnight here'),
  limit: z.coerce.number().int().min(1).max(5000).default(200).describe('people listed, soonest due first (default 200); counts cover everyone'),
  minConfidence: z.enum(CONFIDENCES).default('low').describe('only people at least this confident (low | medium | high)'),
});

const trainBody = z.strictObject({
  asOf: z.iso.datetime({ offset: true }).optional().describe('the scoring moment T (default: the latest event’s time); training uses T − horizonDays'),
  horizonDays: z.number().int().min(7).max(180).optional().describe('a person churns when inactive for this many days after a cut (default 30)'),
  activeDays: z.number().int().min(7).max(365).optional().describe('people active in this many days before a cut are trained on and scored (default 60)'),
});

const dueCategory = z.object({ category: z.string(), orderDays: z.number(), medianGapDays: z.number(), lastOrder: z.string(), dueDate: z.string(), dueInWeek: z.boolean() });
const repurchaseResponse = z.object({
  week: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones) }),
  withCycle: z.number().describe('people with at least two order days before the week'),
  due: z.number().describe('people whose due date (last order day + median gap) falls in the week'),
  overdue: z.number().describe('people whose due date fell before the week'),
  byConfidence: z.object({ low: z.number(), medium: z.number(), high: z.number() }),
  byDay: z.array(z.object({ date: z.string(), count: z.number() })),
  categories: z.array(z.object({ category: z.string(), persons: z.number() })),
  boughtInWeek: z.number().describe('of the people due, those who ordered in the week'),
  people: z.array(z.object({
    personId: z.string(), orderDays: z.number(), lastOrder: z.string(), medianGapDays: z.number(), dueDate: z.string(),
    confidence: z.enum(CONFIDENCES), categories: z.array(dueCategory),
  })),
});

const calibrationBin = z.object({ decile: z.number(), n: z.number(), predicted: z.number(), observed: z.number() });
const churnResponse = z.object({
  id: z.string(),
  model: z.literal('logistic'),
  trigger: z.string(),
  params: z.object({ horizonDays: z.number(), activeDays: z.number(), holdout: z.number(), l2: z.number() }),
  asOf: z.string().describe('the scoring moment T'),
  trainAsOf: z.string().describe('the training cut T − horizonDays'),
  label: z.string(),
  training: z.object({ persons: z.number(), churned: z.number(), churnRate: z.number(), holdout: z.number() }),
  auc: z.number().nullable().describe('AUC on the held-out 30% of the people at the cut'),
  baselineAuc: z.number().nullable().describe('AUC of days since last active on the same people'),
  calibration: z.array(calibrationBin).describe('held-out people in ten groups by predicted risk: mean predicted vs observed churn'),
  features: z.array(z.object({ feature: z.string(), label_zh: z.string(), label_en: z.string(), weight: z.number() })).describe('coefficients on standardised features, strongest first'),
  scored: z.object({
    persons: z.number(), meanRisk: z.number(), high: z.number().describe('people with risk ≥ 0.5'),
    distribution: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  }),
  seconds: z.number(),
  timings: z.record(z.string(), z.number()),
  startedAt: z.string(),
  finishedAt: z.string(),
});

/** Predictions reports (docs/analytics-predictions.md). */
export function predictionsRoutes(app: FastifyInstance, ctx: AppContext) {
  const { olap, oltp, log, tags, config } = ctx.rt;
  // one training at a time per process
  let training: Promise<ChurnReport> | null = null;

  const due = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/predictions/repurchase',
    summary: 'Who is due to buy again in a week, by each person’s median gap between order days (and per category)',
    tag: 'analytics',
    auth: 'bearer',
    query: repurchaseQuery,
    response: repurchaseResponse,
  });
  app.get(due.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(repurchaseQuery, req.query, 'query');
    let from = q.from;
    if (from === undefined) {
      const latest = await latestEventDate(olap, q.tz);
      from = latest ? addDays(latest, 1) : new Date().toISOString().slice(0, 10);
    }
    return repurchase(olap, { from, tz: q.tz, limit: q.limit, minConfidence: q.minConfidence });
  });

  const train = ctx.docs.add({
    method: 'POST',
    url: '/api/v1/analytics/predictions/churn/train',
    summary: 'Train the churn model now (features at T − H, labels from (T − H, T]), score everyone active at T into churn_risk, and return the report',
    tag: 'analytics',
    auth: 'bearer',
    body: trainBody,
    response: churnResponse,
  });
  app.post(train.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(trainBody, req.body ?? {}, 'body');
    if (training) throw new HttpError(409, 'busy', 'a churn model is already being trained');
    try {
      training = trainChurn(
        { olap, oltp, log, timezone: config.timezone, definitions: () => tags.taxonomy.definitions() },
        { asOf: b.asOf ? new Date(b.asOf) : undefined, horizonDays: b.horizonDays, activeDays: b.activeDays, trigger: 'api' },
      );
      return await training;
    } catch (err) {
      if (err instanceof ChurnInputError) throw invalid(`body.${err.field}`, err.message.replace(`${err.field}: `, ''));
      throw err;
    } finally {
      training = null;
    }
  });

  const latest = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/predictions/churn',
    summary: 'The latest churn model: AUC against the recency-only baseline, calibration, top features, risk distribution',
    tag: 'analytics',
    auth: 'bearer',
    response: churnResponse,
  });
  app.get(latest.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const r = await latestChurnRun(oltp);
    if (!r) throw new HttpError(404, 'not_found', 'no churn model yet: POST /api/v1/analytics/predictions/churn/train');
    return r.report;
  });
}
