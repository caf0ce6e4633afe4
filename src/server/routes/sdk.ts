import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** The browser SDK at a stable path. */
export function sdkRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
