import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getProfile, getTimeline } from '../../profiles/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const params = z.object({ userId: z.string().min(1).max(256) });
const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});
const profile = z.object({
  userId: z.string(),
  anonymousIds: z.array(z.string()),
  aliases: z.array(z.string()),
  traits: z.record(z.string(), z.unknown()),
  tags: z.record(z.string(), z.unknown()),
  segments: z.array(z.string()),
  eventCounts: z.record(z.string(), z.number()),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  updatedAt: z.string(),
});

export function profileRoutes(app: FastifyInstance, ctx: AppContext) {
  const get = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId', summary: 'A user’s unified profile', tag: 'profiles', auth: 'bearer', params, response: profile });
  app.get(get.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    const p = await getProfile(ctx.rt, userId);
    if (!p) throw new HttpError(404, 'not_found', `no profile for userId '${userId}'`);
    return p;
  });

  const events = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/events', summary: 'A user’s timeline across devices, newest first', tag: 'profiles', auth: 'bearer', params, query: timelineQuery });
  app.get(events.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    const q = parse(timelineQuery, req.query, 'query');
    return { userId, events: await getTimeline(ctx.rt, userId, q.limit, q.before ? Date.parse(q.before) : undefined) };
  });
}
