import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** recommend API (docs/recommend.md). */
export function recommendRoutes(app: FastifyInstance, ctx: AppContext) {
  void app;
  void ctx;
}
