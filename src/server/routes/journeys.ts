import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  JOURNEY_TEMPLATES, JourneyExistsError, JourneyInputError, JourneyNotFoundError, JourneyTransitionError, journeyInput,
} from '../../campaigns/journeys/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import type { RouteDoc } from '../openapi.ts';
import { parse } from '../validate.ts';
import { actorOf, audit } from './privacy.ts';

const idParams = z.object({ id: z.string().min(1).max(100).refine((s) => !s.includes('\u0000'), 'must not contain NUL') });
const resultsQuery = z.object({
  goal: z.string().min(1).max(200).default('Order Completed'),
  windowDays: z.coerce.number().int().min(1).max(90).default(7),
});
const stepStats = z.object({ entered: z.number(), waiting: z.number(), completed: z.number(), heldOut: z.number() });
const journeyView = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'active', 'paused']),
  stats: z.record(z.string(), stepStats).optional(),
  people: z.object({ waiting: z.number(), done: z.number(), exited: z.number(), control: z.number() }),
});

/** Event-triggered journeys and their templates (docs/journeys.md). Reads: viewer; changes: marketer. */
export function journeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const J = () => ctx.rt.journeys;
  const doc = (d: Omit<RouteDoc, 'tag' | 'auth'>) => ctx.docs.add({ ...d, tag: 'journeys', auth: 'bearer' });
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof JourneyNotFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof JourneyExistsError) throw new HttpError(409, 'exists', err.message);
      if (err instanceof JourneyTransitionError) throw new HttpError(409, 'invalid_transition', err.message, [{ path: 'status', message: `${err.from} → ${err.to}` }]);
      if (err instanceof z.ZodError) {
        // a change is checked merged with the stored definition; its issues name the body's fields
        const details = err.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message }));
        throw new HttpError(400, 'invalid_request', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
      }
      if (err instanceof JourneyInputError) throw new HttpError(400, 'invalid_request', `body.${err.message}`, [{ path: `body.${err.path}`, message: err.message.slice(err.path.length + 2) }]);
      throw err;
    }
  };

  app.get(doc({ method: 'GET', url: '/api/v1/journeys/templates', summary: 'The classic journeys, ready to copy: abandoned cart, browse abandonment, cross-sell, win-back, onboarding, birthday' }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { templates: JOURNEY_TEMPLATES };
  });

  app.get(doc({ method: 'GET', url: '/api/v1/journeys', summary: 'Journeys with their people by status', response: z.object({ journeys: z.array(journeyView) }) }).url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { journeys: await J().list() };
  });

  const create = doc({ method: 'POST', url: '/api/v1/journeys', summary: 'Save a journey (a draft; activate it to start)', body: journeyInput });
  app.post(create.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(journeyInput, req.body, 'body');
    const j = await guard(() => J().create(b, actorOf(req, role).actor));
    await audit(ctx, req, role, 'journey.create', 'journey', j.id, { name: j.name });
    reply.code(201);
    return J().get(j.id);
  });

  const patchBody = z.looseObject({});
  const patch = doc({ method: 'PATCH', url: '/api/v1/journeys/:id', summary: 'Change a draft or paused journey: the fields given replace the stored ones (409 while active)', params: idParams, body: patchBody });
  app.patch(patch.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const p = parse(idParams, req.params, 'path');
    const b = parse(patchBody, req.body, 'body');
    if ('id' in b && b.id !== p.id) throw new HttpError(400, 'invalid_request', 'body.id: the id cannot be changed', [{ path: 'body.id', message: 'the id cannot be changed' }]);
    const j = await guard(() => J().update(p.id, b));
    await audit(ctx, req, role, 'journey.update', 'journey', j.id, { fields: Object.keys(b) });
    return J().get(j.id);
  });

  const one = doc({ method: 'GET', url: '/api/v1/journeys/:id', summary: 'A journey with per-step stats (entered, waiting, completed, held out) and its people by status', params: idParams, response: journeyView });
  app.get(one.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(idParams, req.params, 'path');
    return guard(() => J().get(p.id));
  });

  const results = doc({ method: 'GET', url: '/api/v1/journeys/:id/results', summary: 'Entries, conversions (goal event within windowDays of the entry) and GMV of the journey arm and the held-out, with the uplift and its 95% interval', params: idParams, query: resultsQuery });
  app.get(results.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const p = parse(idParams, req.params, 'path');
    const q = parse(resultsQuery, req.query, 'query');
    return guard(() => J().results(p.id, q.goal, q.windowDays));
  });

  for (const action of ['activate', 'pause'] as const) {
    const d = doc({ method: 'POST', url: `/api/v1/journeys/:id/${action}`, summary: action === 'activate' ? 'Start (or resume) taking entries and moving people' : 'Stop taking entries and moving people (waits keep their place)', params: idParams });
    app.post(d.url, async (req) => {
      const role = await ctx.authorize(req, 'marketer');
      const p = parse(idParams, req.params, 'path');
      await guard(() => (action === 'activate' ? J().activate(p.id) : J().pause(p.id)));
      await audit(ctx, req, role, `journey.${action}`, 'journey', p.id);
      return J().get(p.id);
    });
  }
}
