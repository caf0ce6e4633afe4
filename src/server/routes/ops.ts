import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app.ts';
import { readiness } from '../../jobs/readiness.ts';

const version = '0.1.0';

/** Health, metrics and the API description. */
export function opsRoutes(app: FastifyInstance, ctx: AppContext) {
  const health = z.object({ status: z.enum(['ok', 'degraded']), olap: z.string(), oltp: z.string(), queueRows: z.number() });
  ctx.docs.add({ method: 'GET', url: '/healthz', summary: 'Liveness and store reachability', tag: 'ops', auth: 'none', response: health });
  app.get('/healthz', async (_req, reply) => {
    const [olap, oltp] = await Promise.all([
      ctx.rt.olap.query('SELECT 1').then(() => 'ok', (e: Error) => e.message),
      ctx.rt.oltp.query('SELECT 1').then(() => 'ok', (e: Error) => e.message),
    ]);
    const status = olap === 'ok' && oltp === 'ok' ? 'ok' : 'degraded';
    return reply.status(status === 'ok' ? 200 : 503).send({ status, olap, oltp, queueRows: ctx.rt.writer.depth });
  });

  const ready = z.object({
    ready: z.boolean(),
    role: z.enum(['api', 'worker', 'all']),
    node: z.string(),
    checks: z.object({ olap: z.string(), oltp: z.string(), migrations: z.string(), jobs: z.string() }),
    leader: z.boolean(),
    leaderNode: z.string().nullable(),
  });
  ctx.docs.add({ method: 'GET', url: '/readyz', summary: 'Readiness: stores answer, migrations applied, a worker\'s job runner up (503 until then)', tag: 'ops', auth: 'none', response: ready });
  app.get('/readyz', async (_req, reply) => {
    const r = await readiness(ctx.rt);
    return reply.status(r.ready ? 200 : 503).send(r);
  });

  ctx.docs.add({ method: 'GET', url: '/metrics', summary: 'Prometheus metrics', tag: 'ops', auth: 'none' });
  app.get('/metrics', async (_req, reply) => {
    return reply.type(ctx.rt.registry.contentType).send(await ctx.rt.registry.metrics());
  });

  ctx.docs.add({ method: 'GET', url: '/api/openapi.json', summary: 'This API, as OpenAPI 3.1', tag: 'ops', auth: 'none' });
  app.get('/api/openapi.json', async () => ctx.docs.document(version));
}
