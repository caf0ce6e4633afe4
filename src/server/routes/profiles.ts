import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getActivity, getProfile, getTimeline } from '../../profiles/index.ts';
import { SearchInputError, searchUsers } from '../../profiles/search.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { shownTraits } from './privacy.ts';

const params = z.object({ userId: z.string().min(1).max(256) });
/** personal traits are masked unless an admin asks for them unmasked (audited) */
const profileQuery = z.object({ unmask: z.enum(['true', 'false']).default('false') });
const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});
const tagParams = z.object({ userId: z.string().min(1).max(256), code: z.string().min(1).max(100) });
const searchQuery = z.object({
  q: z.string().min(1).max(256).optional(),
  tag: z.string().min(1).max(100).optional(),
  value: z.string().max(500).optional(),
  trait: z.string().min(3).max(500).optional(),
  email: z.string().min(3).max(320).optional(),
  phone: z.string().min(3).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
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
  const search = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles', summary: 'Find users by id prefix, tag value, trait or email/phone', tag: 'profiles', auth: 'bearer', query: searchQuery });
  app.get(search.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(searchQuery, req.query, 'query');
    if (q.value !== undefined && !q.tag) throw new HttpError(400, 'invalid_request', 'query.value: needs query.tag', [{ path: 'query.value', message: 'needs query.tag' }]);
    try {
      return { users: await searchUsers(ctx.rt, q) };
    } catch (err) {
      if (err instanceof SearchInputError) throw new HttpError(400, 'invalid_request', `query.${err.message}`);
      throw err;
    }
  });

  const get = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId', summary: 'A user’s unified profile (personal traits masked; ?unmask=true for admins, audited)', tag: 'profiles', auth: 'bearer', params, query: profileQuery, response: profile });
  app.get(get.url, async (req) => {
    const role = await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    const { unmask } = parse(profileQuery, req.query, 'query');
    const p = await getProfile(ctx.rt, userId);
    if (!p) throw new HttpError(404, 'not_found', `no profile for userId '${userId}'`);
    return { ...p, traits: await shownTraits(ctx, req, role, p.userId, p.traits, unmask === 'true') };
  });

  const events = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/events', summary: 'A user’s timeline across devices, newest first', tag: 'profiles', auth: 'bearer', params, query: timelineQuery });
  app.get(events.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    const q = parse(timelineQuery, req.query, 'query');
    return { userId, events: await getTimeline(ctx.rt, userId, q.limit, q.before ? Date.parse(q.before) : undefined) };
  });
}

export function profileTagRoutes(app: FastifyInstance, ctx: AppContext) {
  const list = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/tags', summary: 'A user’s tags with names, paths and when each was computed', tag: 'profiles', auth: 'bearer', params });
  app.get(list.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    const person = await ctx.rt.identity.personOf(userId);
    const [{ values }, tags] = await Promise.all([ctx.rt.tags.valuesOf(person), ctx.rt.tags.taxonomy.list()]);
    const by = new Map(values.map((v) => [v.code, v]));
    return {
      userId: person,
      tags: tags.filter((t) => by.has(t.code)).map((t) => ({
        code: t.code, name_zh: t.name_zh, name_en: t.name_en, path: t.path, pathEn: t.pathEn, valueType: t.valueType, kind: t.kind,
        labels: t.labels ?? null, value: by.get(t.code)!.value, updatedAt: by.get(t.code)!.updatedAt,
      })),
    };
  });

  const why = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/tags/:code/why', summary: 'Why a user carries a tag value: the rule and the numbers behind it', tag: 'profiles', auth: 'bearer', params: tagParams });
  app.get(why.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId, code } = parse(tagParams, req.params, 'path');
    const defs = await ctx.rt.tags.taxonomy.definitions();
    if (!defs.has(code)) throw new HttpError(404, 'not_found', `no tag '${code}'`);
    const person = await ctx.rt.identity.personOf(userId);
    return ctx.rt.tags.explain(person, code);
  });

  const activity = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/activity', summary: 'A user’s events by weekday × hour (shop time zone)', tag: 'profiles', auth: 'bearer', params });
  app.get(activity.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    return { userId, timezone: ctx.rt.config.timezone, cells: await getActivity(ctx.rt, userId) };
  });
}
