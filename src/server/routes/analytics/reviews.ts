import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Reviews reports (docs/analytics-reviews.md). */
export function reviewsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
