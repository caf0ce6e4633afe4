import { createHash } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { HttpError } from './errors.ts';
import { SESSION_COOKIE } from './sessions.ts';

type Area = 'api' | 'ingest' | 'other';

/** /api/* is the admin API (secret keys); /v1/* is ingestion and the shop-facing inbox (write keys). */
function areaOf(req: FastifyRequest): Area {
  const url = req.url;
  if (url.startsWith('/api/') && !url.startsWith('/api/openapi.json')) return 'api';
  if (url.startsWith('/v1/')) return 'ingest';
  return 'other';
}

/**
 * Browser and rate rules (docs/api-keys.md):
 * - CORS: ingestion (`/v1/*`) and the SDK answer any origin — browser SDKs post from the shop's pages with a
 *   public write key and no cookies; the admin API answers only the origins in `http.corsOrigins`.
 * - Rate limits per key: each secret key (Bearer) or write key (Basic) has its own budget per minute,
 *   `http.apiRatePerMinute` on /api/*, `http.ingestRatePerMinute` on /v1/*; requests without a key count
 *   against their IP. Over budget → 429 with Retry-After. Budgets are per node.
 */
export async function registerLimits(app: FastifyInstance, config: Config['http']): Promise<void> {
  const allowed = new Set(config.corsOrigins);
  await app.register(cors, {
    delegator: (req, cb) => {
      const area = areaOf(req);
      if (area === 'api') {
        const origin = req.headers.origin;
        const ok = allowed.has('*') || (origin !== undefined && allowed.has(origin));
        cb(null, { origin: ok ? (origin ?? false) : false, methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 });
        return;
      }
      cb(null, { origin: '*', methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'], maxAge: 86_400 });
    },
  });
  const budget: Record<Area, number> = { api: config.apiRatePerMinute, ingest: config.ingestRatePerMinute, other: 0 };
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: 60_000,
    max: (req) => budget[areaOf(req)] || Number.MAX_SAFE_INTEGER,
    allowList: (req) => req.method === 'OPTIONS' || budget[areaOf(req)] === 0,
    // per key, per dashboard session (its cookie), else per client address
    keyGenerator: (req) => {
      const credential = req.headers.authorization ?? sessionCookieOf(req.headers.cookie);
      return credential ? `${areaOf(req)}:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}` : `${areaOf(req)}:ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, 'rate_limited', `more than ${ctx.max} requests a minute for this key; retry in ${ctx.after}`, [], { 'Retry-After': String(Math.ceil(ctx.ttl / 1000)) }),
  });
}

/** The dashboard session's id from a Cookie header (read before the cookie plugin has parsed it). */
function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(header);
  return m ? `session:${m[1]}` : undefined;
}
