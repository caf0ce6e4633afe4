import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ClusterInputError, latestClusterRun, runClustering, type ClusterRun } from '../../segments/cluster/index.ts';
import { LookalikeInputError, lookalike } from '../../segments/lookalike/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const clustersBody = z.strictObject({
  kMin: z.number().int().min(2).max(20).optional(),
  kMax: z.number().int().min(2).max(20).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});
const lookalikeBody = z.strictObject({
  seedIds: z.array(z.string().min(1).max(256)).min(1).max(100_000).optional(),
  seedTag: z.strictObject({ code: z.string().min(1).max(100), value: z.union([z.string().max(500), z.number(), z.boolean()]).transform(String) }).optional(),
  top: z.number().int().min(1).max(10_000).optional(),
  threshold: z.number().min(0).max(1).optional(),
});

const bad = (field: string, message: string) => new HttpError(400, 'invalid_request', message, [{ path: `body.${field}`, message }]);

/** Clustering and lookalikes (docs/segments-ml.md). Running a model needs analyst; reading the last run, viewer. */
export function modelRoutes(app: FastifyInstance, ctx: AppContext) {
  const { olap, oltp, log, tags } = ctx.rt;
  // one clustering at a time per process: a second request waits for nothing and is told so
  let running: Promise<ClusterRun> | null = null;

  const run = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/clusters', summary: 'Cluster consenting people by shopping style now (k by silhouette) and return the run', tag: 'segments', auth: 'bearer', body: clustersBody });
  app.post(run.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(clustersBody, req.body ?? {}, 'body');
    if (running) throw new HttpError(409, 'busy', 'a clustering run is already in progress');
    try {
      running = runClustering({ olap, oltp, log }, { ...b, trigger: 'api' });
      return await running;
    } catch (err) {
      if (err instanceof ClusterInputError) throw bad(err.field, `body.${err.message}`);
      throw err;
    } finally {
      running = null;
    }
  });

  const latest = ctx.docs.add({ method: 'GET', url: '/api/v1/segments/clusters', summary: 'The latest clustering run: k, silhouette, clusters with names and distinguishing tags', tag: 'segments', auth: 'bearer' });
  app.get(latest.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const r = await latestClusterRun(oltp);
    if (!r) throw new HttpError(404, 'not_found', 'no clustering run yet: POST /api/v1/segments/clusters');
    return r;
  });

  const look = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/lookalike', summary: 'Score everyone by likeness to a seed set (seedIds or seedTag); top N or above a threshold', tag: 'segments', auth: 'bearer', body: lookalikeBody });
  app.post(look.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(lookalikeBody, req.body ?? {}, 'body');
    if (!b.seedIds && !b.seedTag) throw bad('seedIds', 'body.seedIds: give seedIds or seedTag');
    if (b.seedIds && b.seedTag) throw bad('seedTag', 'body.seedTag: give seedIds or seedTag, not both');
    try {
      return await lookalike({ olap, definitions: () => tags.taxonomy.definitions() }, b);
    } catch (err) {
      if (err instanceof LookalikeInputError) throw bad(err.field, `body.${err.message}`);
      throw err;
    }
  });
}
