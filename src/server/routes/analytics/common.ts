/**
 * What the analytics routes share: the date-range query fields and their resolution, and the breakdown
 * parameter (src/analytics/breakdown.ts) checked against the tag catalog and the segments. Both answer a
 * precise 400 naming the query field.
 */
import { z } from 'zod';
import { defaultTimezone, latestEventDate, resolveRange, timezones, type Timezone } from '../../../analytics/index.ts';
import { parseBreakdown, type Breakdown } from '../../../analytics/breakdown.ts';
import type { AppContext } from '../../app.ts';
import { HttpError } from '../../errors.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');

/** `from`, `to` (exclusive) and `tz`, as every dated report takes them; spread into a report's query schema. */
export const rangeFields = {
  from: date.optional().describe('first day, inclusive (default: 30 days before `to`)'),
  to: date.optional().describe('day after the last, exclusive (default: the day after the latest event)'),
  days: z.coerce.number().int().min(1).max(1096).optional().describe('when `from` is absent: the range is the `days` days before `to` (default 30)'),
  tz: z.enum(timezones).default(defaultTimezone).describe('reporting timezone: days start at midnight here'),
};

/** The breakdown query field: device | channel | city_tier | tag:<code> | segment:<id>[,<id>…]. */
export const breakdownField = z
  .string()
  .max(2000)
  .optional()
  .describe('break the report down by device, channel, city_tier, tag:<code> or segment:<id>[,<id>…]');

export const invalid = (path: string, message: string) => new HttpError(400, 'invalid_request', `${path}: ${message}`, [{ path, message }]);

/** Where a report's parameters came from: 400s name `<source>.<field>`. */
export type ParamSource = 'query' | 'body';

/** Resolves from/to/tz into a checked range (defaults from the latest event), or throws a 400 naming the field. */
export async function rangeOf(ctx: AppContext, q: { from?: string; to?: string; days?: number; tz: Timezone }, source: ParamSource = 'query'): Promise<{ from: string; to: string; tz: Timezone }> {
  if (q.from !== undefined && q.days !== undefined) throw invalid(`${source}.days`, 'give either from or days, not both');
  const latest = q.to === undefined ? await latestEventDate(ctx.rt.olap, q.tz) : null;
  const range = resolveRange(q, latest, Date.now(), q.days);
  if (!range.ok) throw invalid(`${source}.${range.field}`, range.message);
  return { from: range.from, to: range.to, tz: q.tz };
}

/** Parses the breakdown field (undefined when absent), or throws a 400 naming `<source>.<field>`. */
export async function breakdownOf(ctx: AppContext, text: string | undefined, field = 'breakdown', source: ParamSource = 'query'): Promise<Breakdown | undefined> {
  if (text === undefined || text === '') return undefined;
  const defs = await ctx.rt.tags.taxonomy.definitions();
  const segments = new Set((await ctx.rt.segments.store.list()).map((s) => s.id));
  const r = parseBreakdown(text, defs, (id) => segments.has(id));
  if (!r.ok) throw invalid(`${source}.${field}`, r.message);
  return r.breakdown;
}
