import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { entryExitPages, MAX_DEPTH, paths, timezones } from '../../../analytics/index.ts';
import type { AppContext } from '../../app.ts';
import { parse } from '../../validate.ts';
import { rangeFields, rangeOf } from './common.ts';

const pathsQuery = z.object({
  ...rangeFields,
  anchor: z.string().min(1).max(500).describe("the event name (anchorType=event) or page name or path (anchorType=page) the paths start or end at"),
  anchorType: z.enum(['event', 'page']).default('event').describe('event: a track event by name; page: a page/screen view by name or path'),
  direction: z.enum(['after', 'before']).default('after').describe('the steps after the anchor, or the steps leading to it'),
  depth: z.coerce.number().int().min(1).max(MAX_DEPTH).default(4).describe(`steps away from the anchor, 1…${MAX_DEPTH}`),
  top: z.coerce.number().int().min(1).max(100).default(10).describe('how many full paths to list'),
  nodesPerStep: z.coerce.number().int().min(2).max(30).default(8).describe('names per step in the Sankey; the rest merge into (other)'),
  include: z.enum(['all', 'views']).default('all').describe('all: track events and views; views: page/screen, product and list views only (and the anchor)'),
});
const node = z.object({ id: z.string().describe('`<step>:<name>`'), step: z.number().describe('0 is the anchor; 1… after it, −1… before it'), name: z.string(), sessions: z.number() });
const pathsResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones) }),
  anchor: z.string(),
  anchorType: z.enum(['event', 'page']),
  direction: z.enum(['after', 'before']),
  depth: z.number(),
  sessions: z.number().describe('sessions in which the anchor occurs'),
  distinctPaths: z.number(),
  nodes: z.array(node),
  links: z.array(z.object({ source: z.string(), target: z.string(), sessions: z.number() })),
  top: z.array(z.object({ steps: z.array(z.string()), sessions: z.number(), share: z.number().describe('of the sessions with the anchor') })),
  truncated: z.boolean().describe('the rarest sequences beyond 20,000 distinct ones were left out of the Sankey'),
});

const entriesQuery = z.object({ ...rangeFields, limit: z.coerce.number().int().min(1).max(200).default(20).describe('longest lists') });
const page = z.object({ page: z.string(), views: z.number(), entries: z.number(), exits: z.number(), bounces: z.number(), entryShare: z.number(), exitRate: z.number(), bounceRate: z.number() });
const entriesResponse = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.enum(timezones) }),
  sessions: z.number().describe('sessions with at least one view'),
  entries: z.array(page),
  exits: z.array(page),
});

/** Paths reports (docs/analytics-paths.md). */
export function pathsRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/paths',
    summary: 'The most common paths after or before an event or page, within sessions: Sankey nodes and links, and the top full paths',
    tag: 'analytics',
    auth: 'bearer',
    query: pathsQuery,
    response: pathsResponse,
  });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(pathsQuery, req.query, 'query');
    return paths(ctx.rt.olap, { ...(await rangeOf(ctx, q)), anchor: q.anchor, anchorType: q.anchorType, direction: q.direction, depth: q.depth, top: q.top, nodesPerStep: q.nodesPerStep, include: q.include });
  });

  const entries = ctx.docs.add({
    method: 'GET',
    url: '/api/v1/analytics/paths/entries',
    summary: 'Entry and exit pages: where sessions begin and end, with exit and bounce rates',
    tag: 'analytics',
    auth: 'bearer',
    query: entriesQuery,
    response: entriesResponse,
  });
  app.get(entries.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(entriesQuery, req.query, 'query');
    return entryExitPages(ctx.rt.olap, { ...(await rangeOf(ctx, q)), limit: q.limit });
  });
}
