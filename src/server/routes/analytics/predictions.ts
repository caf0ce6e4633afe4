import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Predictions reports (docs/analytics-predictions.md). */
export function predictionsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
