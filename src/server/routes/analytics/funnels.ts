import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Funnels reports (docs/analytics-funnels.md). */
export function funnelsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
