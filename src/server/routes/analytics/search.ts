import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Search reports (docs/analytics-search.md). */
export function searchRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
