import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SENSITIVE, campaignExposure, explainTags, policyCheck, policyOf, recommendationExposure } from '../../privacy/fairness.ts';
import type { AppContext } from '../app.ts';
import { parse } from '../validate.ts';

const byQuery = z.object({ by: z.enum(['gender', 'age_band', 'city_tier']).default('city_tier').describe('the sensitive tag to group by') });
const recQuery = byQuery.extend({ perGroup: z.coerce.number().int().min(1).max(500).default(50).describe('people sampled per group') });

/** Algorithm transparency and fairness (docs/privacy.md, "Transparency and fairness"): readable by every role. */
export function transparencyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tags = ctx.docs.add({ method: 'GET', url: '/api/v1/transparency/tags', summary: 'Every tag in plain words: what it reads, its purpose, and the sensitive attributes it uses (directly or through other tags)', tag: 'transparency', auth: 'bearer' });
  app.get(tags.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { sensitive: SENSITIVE, tags: await explainTags(ctx.rt) };
  });

  const policy = ctx.docs.add({ method: 'GET', url: '/api/v1/transparency/policy', summary: 'The fairness policy check (the configured policy, HX_FAIRNESS_POLICY, or the default): sensitive attributes feeding tags of a forbidden purpose or the audiences of campaigns', tag: 'transparency', auth: 'bearer' });
  app.get(policy.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return policyCheck(ctx.rt, policyOf(ctx.rt.config));
  });

  const campaigns = ctx.docs.add({ method: 'GET', url: '/api/v1/transparency/exposure/campaigns', summary: 'Who each campaign reached, by a sensitive attribute, against the population', tag: 'transparency', auth: 'bearer', query: byQuery });
  app.get(campaigns.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(byQuery, req.query, 'query');
    return campaignExposure(ctx.rt, q.by);
  });

  const recs = ctx.docs.add({ method: 'GET', url: '/api/v1/transparency/exposure/recommendations', summary: 'What the recommendations show each group of a sensitive attribute (a sample per group)', tag: 'transparency', auth: 'bearer', query: recQuery });
  app.get(recs.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(recQuery, req.query, 'query');
    return recommendationExposure(ctx.rt, q.by, q.perGroup);
  });
}
