import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

/** Exports (CSV, JSONL, Parquet) and the read-only SQL console. */
export function dataOutRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
