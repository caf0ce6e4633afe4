import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import type { Runtime } from '../runtime.ts';
import { AccessStore, type Role } from './access.ts';
import { errorHandler, HttpError, notFound } from './errors.ts';
import { registerLimits } from './limits.ts';
import { ApiDocs } from './openapi.ts';
import { opsRoutes } from './routes/ops.ts';
import { ingestRoutes, registerJsonParser } from './routes/ingest.ts';
import { profileRoutes, profileTagRoutes } from './routes/profiles.ts';
import { tagRoutes } from './routes/tags.ts';
import { segmentRoutes } from './routes/segments.ts';
import { analyticsRoutes } from './routes/analytics/index.ts';
import { webRoutes } from './routes/web.ts';
import { importRoutes } from './routes/imports.ts';
import { modelRoutes } from './routes/models.ts';
import { recommendRoutes } from './routes/recommend.ts';
import { loyaltyRoutes } from './routes/loyalty.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { classificationRoutes } from './routes/classification.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { messagingRoutes } from './routes/messaging.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { campaignResultRoutes } from './routes/campaignResults.ts';
import { sdkRoutes } from './routes/sdk.ts';
import { dataOutRoutes } from './routes/dataOut.ts';
import { keyRoutes } from './routes/keys.ts';
import { transparencyRoutes } from './routes/transparency.ts';
import { sessionRoutes } from './routes/session.ts';
import { authenticate, SessionStore } from './sessions.ts';

export interface AppContext {
  rt: Runtime;
  access: AccessStore;
  docs: ApiDocs;
  /** throws 401/403 unless the Bearer key, or the session cookie (CSRF-checked on writes), has at least `role` */
  authorize(req: FastifyRequest, role: Role): Promise<Role>;
}

const rank: Record<Role, number> = { viewer: 0, marketer: 1, analyst: 1, admin: 2 };

/** Builds the HTTP app over an opened runtime. Route modules stay thin: parse → authorize → module → respond. */
export async function buildApp(rt: Runtime, opts: { serverFactory?: FastifyServerFactory } = {}): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const app: FastifyInstance = Fastify({
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
    loggerInstance: rt.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: rt.config.ingest.maxBatchBytes,
    genReqId: () => crypto.randomUUID(),
    trustProxy: rt.config.http.trustProxy,
  });
  const access = new AccessStore(rt.oltp, rt.workspace.name);
  const docs = new ApiDocs();
  const sessions = new SessionStore(rt.oltp, rt.config.sessions, rt.workspace.name);
  const ctx: AppContext = {
    rt,
    access,
    docs,
    async authorize(req, role) {
      const have = (await authenticate(req, access, sessions)).role;
      if (rank[have] < rank[role]) throw new HttpError(403, 'forbidden', `this needs the ${role} role; the token has ${have}`);
      return have;
    },
  };
  registerJsonParser(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFound);
  await registerLimits(app, rt.config.http);
  await app.register(cookie);
  opsRoutes(app, ctx);
  ingestRoutes(app, ctx);
  profileRoutes(app, ctx);
  profileTagRoutes(app, ctx);
  tagRoutes(app, ctx);
  segmentRoutes(app, ctx);
  analyticsRoutes(app, ctx);
  importRoutes(app, ctx);
  modelRoutes(app, ctx);
  recommendRoutes(app, ctx);
  loyaltyRoutes(app, ctx);
  privacyRoutes(app, ctx);
  classificationRoutes(app, ctx);
  campaignRoutes(app, ctx);
  messagingRoutes(app, ctx);
  journeyRoutes(app, ctx);
  campaignResultRoutes(app, ctx);
  sdkRoutes(app, ctx);
  dataOutRoutes(app, ctx);
  keyRoutes(app, ctx);
  sessionRoutes(app, ctx, sessions);
  transparencyRoutes(app, ctx);
  webRoutes(app, ctx);
  return { app, ctx };
}
