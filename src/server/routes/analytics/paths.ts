import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Paths reports (docs/analytics-paths.md). */
export function pathsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
