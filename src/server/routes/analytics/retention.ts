import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Retention reports (docs/analytics-retention.md). */
export function retentionRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
