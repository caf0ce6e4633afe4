import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Baskets reports (docs/analytics-baskets.md). */
export function basketsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
