import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.ts';
import { overviewRoutes } from './overview.ts';
import { funnelsRoutes } from './funnels.ts';
import { retentionRoutes } from './retention.ts';
import { pathsRoutes } from './paths.ts';
import { sessionsRoutes } from './sessions.ts';
import { searchRoutes } from './search.ts';
import { cartsRoutes } from './carts.ts';
import { reviewsRoutes } from './reviews.ts';
import { basketsRoutes } from './baskets.ts';
import { predictionsRoutes } from './predictions.ts';

/** Behaviour analytics over the events store, one file per report area (docs/analytics.md). */
export function analyticsRoutes(app: FastifyInstance, ctx: AppContext) {
  overviewRoutes(app, ctx);
  funnelsRoutes(app, ctx);
  retentionRoutes(app, ctx);
  pathsRoutes(app, ctx);
  sessionsRoutes(app, ctx);
  searchRoutes(app, ctx);
  cartsRoutes(app, ctx);
  reviewsRoutes(app, ctx);
  basketsRoutes(app, ctx);
  predictionsRoutes(app, ctx);
}
