import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AudienceError, ScheduleEndedError, CampaignExistsError, CampaignLockedError, CampaignNotFoundError, InvalidTransitionError, MESSAGE_STATUSES,
  audienceSchema, campaignInput, campaignPatch, type By,
} from '../../campaigns/index.ts';
import type { Role } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import type { RouteDoc } from '../openapi.ts';
import { actorOf } from './privacy.ts';
import { parse } from '../validate.ts';

const idParams = z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only') });
const listQuery = z.object({ status: z.enum(['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled']).optional() });
const messagesQuery = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const countBody = z.strictObject({ audience: audienceSchema });
/** an uploaded list of up to a million user ids travels in the body */
const LIST_BODY_LIMIT = 64 * 1024 * 1024;
const actions = ['schedule', 'start', 'pause', 'resume', 'cancel'] as const;

const counts = z.object({ audience: z.number(), queued: z.number(), sent: z.number(), suppressed: z.number(), failed: z.number() });
const campaignOut = z.object({
  id: z.string(), name: z.string(), owner: z.string(), status: z.string(), channel: z.string(), audience: z.unknown(), goal: z.unknown(),
  variants: z.array(z.unknown()), experiment: z.unknown(), schedule: z.unknown(), budget: z.unknown(), sendTimeOptimisation: z.boolean(),
  winner: z.string().nullable(), nextRunAt: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
});

/** zod issues of a module-level parse (the store validates too) as a 400 naming `body.<field>`. */
function fromZod(err: z.ZodError): HttpError {
  const details = err.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message }));
  return new HttpError(400, 'invalid_request', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

/** Campaign definitions, status changes, audiences and the delivery log (docs/campaigns.md). Reads: viewer; changes: marketer. */
export function campaignRoutes(app: FastifyInstance, ctx: AppContext): void {
  const C = () => ctx.rt.campaigns;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CampaignNotFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof CampaignExistsError) throw new HttpError(409, 'exists', err.message);
      if (err instanceof InvalidTransitionError) throw new HttpError(409, 'invalid_transition', err.message, [{ path: 'status', message: `${err.from} → ${err.to}` }]);
      if (err instanceof CampaignLockedError) throw new HttpError(409, 'not_editable', err.message);
      if (err instanceof ScheduleEndedError) throw new HttpError(409, 'schedule_ended', err.message);
      if (err instanceof AudienceError) throw new HttpError(400, 'invalid_request', `body.${err.message}`, [{ path: `body.${err.field}`, message: err.message }]);
      if (err instanceof z.ZodError) throw fromZod(err);
      throw err;
    }
  };
  const doc = (d: Omit<RouteDoc, 'tag' | 'auth'>) => ctx.docs.add({ ...d, tag: 'campaigns', auth: 'bearer' });

  const list = doc({
    method: 'GET', url: '/api/v1/campaigns', summary: 'Campaigns, newest first, each with its message counts (audience, queued, sent, suppressed, failed)', query: listQuery,
    response: z.object({ campaigns: z.array(campaignOut.extend({ counts })) }),
  });
  app.get(list.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(listQuery, req.query, 'query');
    const campaigns = await C().store.list(q);
    const n = await C().counts(campaigns.map((c) => c.id));
    return { campaigns: campaigns.map((c) => ({ ...c, counts: n.get(c.id)! })) };
  });

  const create = doc({ method: 'POST', url: '/api/v1/campaigns', summary: 'Create a campaign (status draft); id optional', body: campaignInput, response: campaignOut });
  app.post(create.url, { bodyLimit: LIST_BODY_LIMIT }, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(campaignInput, req.body ?? {}, 'body');
    const c = await guard(() => C().store.create(b, actorOf(req, role)));
    reply.code(201);
    return c;
  });

  const count = doc({ method: 'POST', url: '/api/v1/campaigns/audience/count', summary: 'How many people an audience reaches now (and, for a list, how many ids are unknown)', body: countBody });
  app.post(count.url, { bodyLimit: LIST_BODY_LIMIT }, async (req) => {
    await ctx.authorize(req, 'viewer');
    const b = parse(countBody, req.body ?? {}, 'body');
    return guard(() => C().countAudience(b.audience));
  });

  const get = doc({ method: 'GET', url: '/api/v1/campaigns/:id', summary: 'One campaign with its message counts', params: idParams, response: campaignOut.extend({ counts }) });
  app.get(get.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(idParams, req.params, 'path');
    const c = await guard(() => C().store.get(p.id));
    return { ...c, counts: (await C().counts([c.id])).get(c.id)! };
  });

  const patch = doc({ method: 'PATCH', url: '/api/v1/campaigns/:id', summary: 'Change a campaign while draft, scheduled or paused (409 not_editable otherwise)', params: idParams, body: campaignPatch, response: campaignOut });
  app.patch(patch.url, { bodyLimit: LIST_BODY_LIMIT }, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const p = parse(idParams, req.params, 'path');
    const b = parse(campaignPatch, req.body ?? {}, 'body');
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const only = Object.fromEntries(Object.entries(b).filter(([k]) => k in raw));
    return guard(() => C().store.update(p.id, only, actorOf(req, role)));
  });

  for (const action of actions) {
    const d = doc({
      method: 'POST', url: `/api/v1/campaigns/:id/${action}`, params: idParams, response: campaignOut,
      summary: {
        schedule: 'draft → scheduled: the first run at the schedule\'s time',
        start: 'Start a run now: resolve the audience, hold out the control, queue the treated (draft/scheduled → running); on a paused campaign, resume',
        pause: 'Pause: nothing more is sent until resume',
        resume: 'paused → running (a run under way) or scheduled',
        cancel: 'Cancel for good; queued messages are never sent',
      }[action],
    });
    app.post(d.url, async (req) => {
      const role = await ctx.authorize(req, 'marketer');
      const p = parse(idParams, req.params, 'path');
      const by: By = actorOf(req, role);
      return guard(async () => {
        switch (action) {
          case 'schedule': return C().scheduleCampaign(p.id, by);
          case 'start': {
            const c = await C().store.get(p.id);
            if (c.status === 'paused') return C().resume(p.id, by);
            const run = await C().startRun(p.id, by as { actor: string; role: string });
            return { ...(await C().store.get(p.id)), run };
          }
          case 'pause': return C().pause(p.id, by);
          case 'resume': return C().resume(p.id, by);
          case 'cancel': return C().cancel(p.id, by);
        }
      });
    });
  }

  const changes = doc({
    method: 'GET', url: '/api/v1/campaigns/:id/changes', summary: 'Every change of a campaign, newest first: who, what, before and after', params: idParams,
    response: z.object({ changes: z.array(z.object({ actor: z.string(), action: z.string(), before: z.unknown(), after: z.unknown(), at: z.string() })) }),
  });
  app.get(changes.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(idParams, req.params, 'path');
    return { changes: await guard(() => C().store.changes(p.id)) };
  });

  const messages = doc({ method: 'GET', url: '/api/v1/campaigns/:id/messages', summary: 'A campaign\'s messages, newest first: status, reason, attempts, times, last error', params: idParams, query: messagesQuery });
  app.get(messages.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(idParams, req.params, 'path');
    const q = parse(messagesQuery, req.query, 'query');
    return { messages: await guard(() => C().messages(p.id, q)) };
  });
}
