import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** Tracking (opens, clicks), unsubscribe, the in-app inbox and content preview. */
export function messagingRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
