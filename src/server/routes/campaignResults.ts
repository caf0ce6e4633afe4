import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** Campaign results: funnel, uplift vs control, winner, by segment. */
export function campaignResultRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
