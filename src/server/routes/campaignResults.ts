import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { campaignResults, decideWinner, type GroupBy } from '../../campaigns/results.ts';
import { assignmentsOf } from '../../campaigns/results/assignments.ts';
import { CampaignNotFoundError, type StoredCampaign } from '../../campaigns/store.ts';
import { SegmentNotFoundError } from '../../segments/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const params = z.object({ id: z.string().min(1).max(64) });

const BY = /^(segment:[A-Za-z0-9_-]{1,100}(,[A-Za-z0-9_-]{1,100}){0,19}|tag:[a-z0-9_]{1,100})$/;
const resultsQuery = z.object({
  by: z.string().max(2100).regex(BY, 'must be segment:<id>[,<id>…] (at most 20) or tag:<code>').optional()
    .transform((s): GroupBy | undefined => {
      if (!s) return undefined;
      const [kind, rest] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
      return kind === 'segment' ? { kind: 'segment', ids: [...new Set(rest.split(','))] } : { kind: 'tag', code: rest };
    }),
});
const assignmentsQuery = z.object({
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});

const uplift = z.object({ absolute: z.number(), ci: z.tuple([z.number(), z.number()]), relative: z.number().nullable(), pValue: z.number(), significant: z.boolean() });
const arm = z.object({
  arm: z.string(), audience: z.number(), sent: z.number(), delivered: z.number(), opened: z.number(), clicked: z.number(),
  suppressed: z.number(), failed: z.number(), converted: z.number(), orders: z.number(), gmv: z.number(),
  ctr: z.number(), cvr: z.number(), gmvPerPerson: z.number(), uplift: uplift.nullable(), gmvUplift: uplift.nullable(),
});
const resultsResponse = z.object({
  campaign: z.string(),
  goal: z.object({ event: z.string(), windowDays: z.number(), category: z.string().optional() }),
  control: z.literal('control'),
  winner: z.string().nullable(),
  arms: z.array(arm),
  groups: z.array(z.object({ key: z.string(), arms: z.array(arm) })).optional(),
});
const assignmentsResponse = z.object({
  campaign: z.string(),
  goal: z.object({ event: z.string(), windowDays: z.number(), category: z.string().optional() }),
  assignments: z.array(z.object({ runId: z.string(), personId: z.string(), userId: z.string(), arm: z.string(), assignedAt: z.string() })),
  next: z.string().nullable(),
});

/**
 * Campaign results (docs/campaigns-results.md): the funnel, conversions and GMV per arm with each
 * variant's uplift over the control, the automatic winner, results by segment or tag; and the campaign's
 * assignments for outside receivers such as the strategy sandbox (docs/sandbox.md).
 */
export function campaignResultRoutes(app: FastifyInstance, ctx: AppContext): void {
  const rt = ctx.rt;
  const store = rt.campaigns.store;
  const campaignOf = async (id: string): Promise<StoredCampaign> => {
    try {
      return await store.get(id);
    } catch (err) {
      if (err instanceof CampaignNotFoundError) throw new HttpError(404, 'not_found', `path.id: no campaign '${id}'`, [{ path: 'path.id', message: 'unknown campaign' }]);
      throw err;
    }
  };

  const results = ctx.docs.add({
    method: 'GET', url: '/api/v1/campaigns/:id/results', tag: 'campaigns', auth: 'bearer', params, query: resultsQuery, response: resultsResponse,
    summary: 'Per arm: audience, sent, delivered, opened, clicked, converted, GMV, CTR, CVR, and each variant’s uplift over the control with its 95% interval and p-value; applies the automatic winner rule; ?by=segment:<id>,<id> or tag:<code> splits by group',
  });
  app.get(results.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { id } = parse(params, req.params, 'path');
    const q = parse(resultsQuery, req.query, 'query');
    let c = await campaignOf(id);
    if (q.by?.kind === 'segment') {
      for (const s of q.by.ids) {
        await rt.segments.store.get(s).catch((err) => {
          if (err instanceof SegmentNotFoundError) throw new HttpError(400, 'invalid_request', `query.by: unknown segment '${s}'`, [{ path: 'query.by', message: `unknown segment '${s}'` }]);
          throw err;
        });
      }
    }
    if (q.by?.kind === 'tag' && !(await rt.tags.taxonomy.definitions()).has(q.by.code)) {
      throw new HttpError(400, 'invalid_request', `query.by: unknown tag '${q.by.code}'`, [{ path: 'query.by', message: `unknown tag '${q.by.code}'` }]);
    }
    if (!c.winner && c.experiment.autoWinner) {
      const d = await decideWinner({ olap: rt.olap, oltp: rt.oltp, store }, id, 'system');
      if (d.winner) c = { ...c, winner: d.winner };
    }
    return campaignResults({ olap: rt.olap, oltp: rt.oltp }, c, { by: q.by });
  });

  const assignments = ctx.docs.add({
    method: 'GET', url: '/api/v1/campaigns/:id/assignments', tag: 'campaigns', auth: 'bearer', params, query: assignmentsQuery, response: assignmentsResponse,
    summary: 'Who the campaign assigned to which arm (control included) and when — each person’s first assignment, in person order; page with ?after=<next>',
  });
  app.get(assignments.url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const { id } = parse(params, req.params, 'path');
    const q = parse(assignmentsQuery, req.query, 'query');
    const c = await campaignOf(id);
    const rows = await assignmentsOf(rt.olap, id, { after: q.after, limit: q.limit });
    return {
      campaign: id,
      goal: c.goal,
      assignments: rows,
      next: rows.length === q.limit ? rows[rows.length - 1]!.personId : null,
    };
  });
}
