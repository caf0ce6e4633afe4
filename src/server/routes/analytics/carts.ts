import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';

/** Carts reports (docs/analytics-carts.md). */
export function cartsRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
