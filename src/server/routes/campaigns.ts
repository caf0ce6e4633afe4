import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** Campaign definitions, status changes, audiences and the delivery log. */
export function campaignRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
