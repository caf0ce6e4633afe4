import { z } from 'zod';
import { segmentRule } from '../../segments/index.ts';
import { CHANNELS, type Content } from '../types.ts';

/**
 * The journey definition language (docs/journeys.md): an entry (an event, entering a segment, or a
 * daily date trait), a small graph of steps (wait, split, send, exit), global exit events, a re-entry
 * policy and a holdout share. Checked here once; the engine walks only checked definitions.
 */

const noNul = (s: string) => !s.includes('\u0000');
const name = (max: number) => z.string().trim().min(1).max(max).refine(noNul, 'must not contain NUL');
export const journeyId = z.string().regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'an id is 2–63 characters of a-z, 0-9, _ and -, starting with a letter or digit');
const stepId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'a step id is 1–63 characters of A-Z, a-z, 0-9, _ and -');
const eventName = name(200);

/** Event columns a condition may read; any other property is `properties.<name>`. */
export const EVENT_FIELDS = ['category', 'brand', 'product_id', 'order_id', 'price', 'quantity', 'revenue', 'discount', 'coupon', 'currency', 'query', 'rating', 'page_path', 'utm_source', 'utm_medium', 'utm_campaign', 'device_type', 'locale'] as const;

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

/** One condition on the triggering event: `{ field: 'category', op: 'eq', value: 'apparel' }`. */
export const eventCondition = z
  .strictObject({
    field: z.string().refine((f) => (EVENT_FIELDS as readonly string[]).includes(f) || /^properties\.[A-Za-z0-9_$.]{1,100}$/.test(f), {
      message: `unknown field; use one of ${EVENT_FIELDS.join(', ')} or properties.<name>`,
    }),
    op: z.enum(['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists']),
    value: z.union([scalar, z.array(scalar).min(1).max(1000)]).optional(),
  })
  .superRefine((c, ctx) => {
    const none = c.op === 'exists' || c.op === 'notExists';
    const list = c.op === 'in' || c.op === 'nin';
    if (none && c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' takes no value` });
    if (!none && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a value` });
    if (list && c.value !== undefined && !Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a list` });
    if (!list && Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' takes one value, not a list` });
  });
export type EventCondition = z.infer<typeof eventCondition>;

/** An event (by name) with optional conditions on its fields, all of which must hold. */
export const eventMatch = z.strictObject({ event: eventName, where: z.array(eventCondition).max(20).optional() });
export type EventMatch = z.infer<typeof eventMatch>;

export const duration = z
  .strictObject({
    minutes: z.number().int().min(0).max(525_600).optional(),
    hours: z.number().int().min(0).max(8760).optional(),
    days: z.number().int().min(0).max(365).optional(),
  })
  .refine((d) => (d.minutes ?? 0) + (d.hours ?? 0) + (d.days ?? 0) > 0, 'give minutes, hours or days');
export type Duration = z.infer<typeof duration>;
export const durationMs = (d: Duration): number => ((d.minutes ?? 0) * 60 + (d.hours ?? 0) * 3600 + (d.days ?? 0) * 86400) * 1000;

const localized = z.strictObject({ 'zh-CN': z.string().max(20_000).optional(), en: z.string().max(20_000).optional() });

/** Message content, as the campaigns' Content type (src/campaigns/types.ts). */
export const contentSchema: z.ZodType<Content> = z.strictObject({
  subject: localized.optional(),
  body: localized.refine((b) => Boolean(b['zh-CN'] || b.en), 'give the body in zh-CN or en'),
  url: z.url().max(2000).optional(),
  recommendations: z.number().int().min(0).max(20).optional(),
  coupon: z.strictObject({ value: z.number().positive().max(100_000), category: z.string().min(1).max(100).optional(), validDays: z.number().int().min(1).max(365) }).optional(),
});

export const entrySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('event'), event: eventName, where: z.array(eventCondition).max(20).optional() }),
  z.strictObject({ kind: z.literal('segment'), segmentId: name(100) }),
  /** every day at `at` (shop time zone): the people whose date trait (YYYY-MM-DD) falls on today's month and day */
  z.strictObject({ kind: z.literal('date'), trait: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a trait name').default('birthday'), at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM').default('09:00') }),
]);
export type Entry = z.infer<typeof entrySchema>;

export const stepSchema = z.discriminatedUnion('type', [
  /**
   * Waits `duration`, then goes to `next`. With `until`, the wait ends early when the person does that
   * event, going to `onEvent`; `duration` is then the timeout and `next` the timeout exit.
   */
  z.strictObject({ id: stepId, type: z.literal('wait'), duration, until: eventMatch.optional(), onEvent: stepId.optional(), next: stepId }),
  /** a condition in the segment rule language (traits, tags, past events) evaluated for the person when reached */
  z.strictObject({ id: stepId, type: z.literal('split'), condition: segmentRule, yes: stepId, no: stepId }),
  /** a message through the campaign delivery pipeline (guard rails, dedup, delivery); then `next`, or the end */
  z.strictObject({ id: stepId, type: z.literal('send'), channel: z.enum(CHANNELS), content: contentSchema, next: stepId.optional() }),
  z.strictObject({ id: stepId, type: z.literal('exit') }),
]);
export type Step = z.infer<typeof stepSchema>;

export const reentrySchema = z.discriminatedUnion('policy', [
  z.strictObject({ policy: z.literal('never') }),
  z.strictObject({ policy: z.literal('always') }),
  /** again once `cooldown` has passed since the person's last entry */
  z.strictObject({ policy: z.literal('cooldown'), cooldown: duration }),
]);
export type Reentry = z.infer<typeof reentrySchema>;

const shape = {
  name: name(200),
  description: z.string().max(2000).optional(),
  entry: entrySchema,
  /** the first step (default: the first in `steps`) */
  start: stepId.optional(),
  steps: z.array(stepSchema).min(1).max(100),
  /** events that end the journey for the person wherever they are (e.g. Order Completed for an abandoned cart) */
  exitOn: z.array(eventMatch).max(20).default([]),
  reentry: reentrySchema.default({ policy: 'never' }),
  /** share of entrants held out (recorded, walked, never sent) to measure uplift; stable hash per person */
  holdout: z.number().min(0).max(0.5).default(0.1),
};

/** Cross-checks: unique step ids, every reference resolves, a wait-until names its event exit, no cycles. */
function checkGraph(j: { start?: string; steps: Step[] }, ctx: z.RefinementCtx): void {
  const ids = new Map<string, number>();
  j.steps.forEach((s, i) => {
    if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id '${s.id}' is used twice` });
    else ids.set(s.id, i);
  });
  if (j.start !== undefined && !ids.has(j.start)) ctx.addIssue({ code: 'custom', path: ['start'], message: `no step '${j.start}'` });
  j.steps.forEach((s, i) => {
    for (const [key, target] of Object.entries(edgesOf(s))) {
      if (!ids.has(target)) ctx.addIssue({ code: 'custom', path: ['steps', i, key], message: `no step '${target}'` });
      else if (target === s.id) ctx.addIssue({ code: 'custom', path: ['steps', i, key], message: 'a step cannot lead to itself' });
    }
    if (s.type === 'wait' && s.until && !s.onEvent) ctx.addIssue({ code: 'custom', path: ['steps', i, 'onEvent'], message: 'a wait with until needs onEvent (the step after the event)' });
    if (s.type === 'wait' && !s.until && s.onEvent) ctx.addIssue({ code: 'custom', path: ['steps', i, 'until'], message: 'onEvent needs until (the event that ends the wait)' });
  });
  // a cycle could loop a person forever; journeys are acyclic (repeat with re-entry instead)
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): string | null => {
    if (state.get(id) === 2) return null;
    if (state.get(id) === 1) return id;
    state.set(id, 1);
    const s = j.steps[ids.get(id)!]!;
    for (const t of Object.values(edgesOf(s))) if (ids.has(t) && t !== id) {
      const c = visit(t);
      if (c) return c;
    }
    state.set(id, 2);
    return null;
  };
  for (const s of j.steps) {
    const c = visit(s.id);
    if (c) {
      ctx.addIssue({ code: 'custom', path: ['steps', ids.get(c)!, 'id'], message: `step '${c}' is part of a cycle; journeys are acyclic` });
      break;
    }
  }
}

/** The steps a step may lead to, by field name. */
export function edgesOf(s: Step): Record<string, string> {
  switch (s.type) {
    case 'wait':
      return { next: s.next, ...(s.onEvent ? { onEvent: s.onEvent } : {}) };
    case 'split':
      return { yes: s.yes, no: s.no };
    case 'send':
      return s.next ? { next: s.next } : {};
    case 'exit':
      return {};
  }
}

/** A journey as created or changed through the API. */
export const journeyInput = z.strictObject({ id: journeyId.optional(), ...shape }).superRefine(checkGraph);
export type JourneyInput = z.input<typeof journeyInput>;
export type JourneyDefinition = Omit<z.infer<typeof journeyInput>, 'id'>;

export const JOURNEY_STATUSES = ['draft', 'active', 'paused'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

export interface Journey extends JourneyDefinition {
  id: string;
  status: JourneyStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The step a person starts at. */
export const startOf = (j: JourneyDefinition): string => j.start ?? j.steps[0]!.id;
