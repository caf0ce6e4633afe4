import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.ts';
import { AccessStore } from '../server/access.ts';
import type { AppContext } from '../server/app.ts';
import { errorHandler, HttpError, notFound } from '../server/errors.ts';
import { ApiDocs } from '../server/openapi.ts';
import { opsRoutes } from '../server/routes/ops.ts';

/**
 * What a worker serves: the operations endpoints only — /healthz, /readyz, /metrics and
 * /api/openapi.json (which then lists just these). No ingestion, admin API or dashboard: a worker runs the
 * scheduled jobs and is not put behind the load balancer.
 */
export function buildWorkerApp(rt: Runtime): FastifyInstance {
  const app: FastifyInstance = Fastify({ loggerInstance: rt.log.child({ component: 'http' }) as FastifyBaseLogger, genReqId: () => crypto.randomUUID() });
  const ctx: AppContext = {
    rt,
    access: new AccessStore(rt.oltp),
    docs: new ApiDocs(),
    async authorize() {
      throw new HttpError(404, 'not_found', 'a worker serves no API; send requests to an API node');
    },
  };
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFound);
  opsRoutes(app, ctx);
  return app;
}
