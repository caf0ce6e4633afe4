import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Sessions reports (docs/analytics-sessions.md). */
export function sessionsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
