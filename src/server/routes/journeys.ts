import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** Journeys and their templates. */
export function journeyRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
