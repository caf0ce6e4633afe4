import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { searchReport, searchZeroResults, SEARCH_DEFAULTS, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const searchQuery = z.object({
  ...rangeFields,
  clickMinutes: z.coerce.number().int().min(1).max(1440).default(SEARCH_DEFAULTS.clickMinutes)
    .describe('a product view/click within this many minutes after a search (and before the next) is a click-through'),
  windowHours: z.coerce.number().int().min(1).max(720).default(SEARCH_DEFAULTS.windowHours)
    .describe('an order within this many hours after a search, containing a product viewed from it, is a purchase'),
  limit: z.coerce.number().int().min(1).max(200).default(SEARCH_DEFAULTS.limit).describe('keywords in the table, most searched first'),
  trendKeywords: z.coerce.number().int().min(0).max(20).default(SEARCH_DEFAULTS.trendKeywords).describe('keywords with a daily trend (the most searched)'),
});
const zeroQuery = z.object({
  ...rangeFields,
  limit: z.coerce.number().int().min(1).max(200).default(SEARCH_DEFAULTS.limit).describe('keywords listed, most zero-result searches first'),
});

const range = z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones), days: z.number() });
const figures = {
  searches: z.number().describe('searches with a non-blank query'),
  searchers: z.number().describe('distinct persons who searched'),
  clicked: z.number().describe('searches followed by a product view/click within clickMinutes, before the next search'),
  ctr: z.number().describe('clicked / searches, 0…1'),
  purchased: z.number().describe('searches followed within windowHours by an order containing a product viewed from them'),
  conversion: z.number().describe('purchased / searches, 0…1'),
  ordered: z.number().describe('searches followed within windowHours by any order'),
  orderRate: z.number().describe('ordered / searches, 0…1'),
};
const searchResponse = z.object({
  range,
  settings: z.object({ clickMinutes: z.number(), windowHours: z.number() }),
  totals: z.object({ ...figures, keywords: z.number().describe('distinct keywords'), blank: z.number().describe('searches with a blank query, in no other figure') }),
  keywords: z.array(z.object({ keyword: z.string(), ...figures })),
  terms: z.array(z.object({ term: z.string(), searches: z.number(), queries: z.number() })).describe('words of the keywords (jieba for Chinese), weighted by searches'),
  daily: z.array(z.object({ date: z.string(), ...figures })),
  trends: z.array(z.object({ keyword: z.string(), points: z.array(z.object({ date: z.string(), searches: z.number() })) })),
});
const zeroResponse = z.object({
  range,
  searches: z.number(),
  withResultCount: z.number().describe('searches that reported a result count (result_count, results_count or num_results)'),
  zeroResults: z.number(),
  zeroResultRate: z.number().nullable().describe('zeroResults / withResultCount; null when no search reported a count'),
  keywords: z.array(z.object({ keyword: z.string(), searches: z.number(), withResultCount: z.number(), zeroResults: z.number() })),
});

/** Search reports (docs/analytics-search.md). */
export function searchRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/search',
    summary: 'Searches in [from, to): top keywords with click-through and purchase conversion, jieba terms, daily totals and keyword trends',
    tag: 'analytics',
    auth: 'bearer',
    query: searchQuery,
    response: searchResponse,
  });
  app.get(report.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(searchQuery, req.query, 'query');
    const r = await rangeOf(ctx, q);
    return searchReport(ctx.rt.olap, { ...r, clickMinutes: q.clickMinutes, windowHours: q.windowHours, limit: q.limit, trendKeywords: q.trendKeywords });
  });

  const zero = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/search/zero-results',
    summary: 'Searches in [from, to) that reported no results, by keyword (reads the events’ properties: slower than the main report)',
    tag: 'analytics',
    auth: 'bearer',
    query: zeroQuery,
    response: zeroResponse,
  });
  app.get(zero.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(zeroQuery, req.query, 'query');
    const r = await rangeOf(ctx, q);
    return searchZeroResults(ctx.rt.olap, { ...r, limit: q.limit });
  });
}
