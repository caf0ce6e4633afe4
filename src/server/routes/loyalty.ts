import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** loyalty API (docs/loyalty.md). */
export function loyaltyRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
