import { otherWorkspaceHint } from '../../workspaces.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { csrfTokenOf, requireSameOrigin, SESSION_COOKIE, sessionCookie, type Session, type SessionStore } from '../sessions.ts';
import { parse } from '../validate.ts';

const createBody = z.strictObject({ token: z.string().trim().min(1).max(200) });
const sessionOut = z.object({
  /** the workspace the key and session belong to (docs/workspaces.md) */
  workspace: z.string(),
  via: z.enum(['session', 'bearer']),
  keyId: z.string(),
  keyName: z.string().nullable(),
  role: z.enum(['admin', 'analyst', 'marketer', 'viewer']),
  restrictedPii: z.boolean(),
  /** for a session: when it ends at the latest, and when it ends unless used before */
  expiresAt: z.string().nullable(),
  idleExpiresAt: z.string().nullable(),
  /** for a session: what `x-csrf-token` must hold on every POST, PUT, PATCH and DELETE */
  csrfToken: z.string().nullable(),
});

const describe = (workspace: string, id: string, s: Session): z.infer<typeof sessionOut> => ({
  workspace, via: 'session', keyId: s.key.id, keyName: s.key.name, role: s.key.role, restrictedPii: s.key.restrictedPii,
  expiresAt: s.expiresAt, idleExpiresAt: s.idleExpiresAt, csrfToken: csrfTokenOf(id),
});

/**
 * Dashboard sessions (docs/api-keys.md#dashboard-sessions): sign in with a secret key once, then the
 * HttpOnly `hx_session` cookie authorises like that key; writes carry the CSRF token. Sign-in and sign-out are audited.
 */
export function sessionRoutes(app: FastifyInstance, ctx: AppContext, S: SessionStore): void {
  const clear = (req: FastifyRequest, reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, sessionCookie(req, 0));

  const create = ctx.docs.add({ method: 'POST', url: '/api/v1/session', summary: 'Sign in to the dashboard with a secret key: sets the HttpOnly hx_session cookie and answers the role and CSRF token', tag: 'keys', auth: 'none', body: createBody, response: sessionOut });
  app.post(create.url, async (req, reply) => {
    // a page elsewhere must not sign a browser in to a session of its choosing
    requireSameOrigin(req);
    const { token } = parse(createBody, req.body ?? {}, 'body');
    const key = await ctx.access.secretKey(token);
    if (!key) throw new HttpError(401, 'unauthorized', `unknown or revoked secret key (a write key cannot sign in)${otherWorkspaceHint(token, ctx.access.workspace)}`);
    const previous = req.cookies[SESSION_COOKIE];
    if (previous) await S.end(previous);
    const { id, session } = await S.open(key.id);
    await ctx.rt.audit.record({ actor: key.id, role: key.role, action: 'session.create', subjectType: 'session', subjectId: key.id, details: { expiresAt: session.expiresAt } });
    void reply.setCookie(SESSION_COOKIE, id, sessionCookie(req, Math.round(S.opts.hours * 3600))).header('cache-control', 'no-store');
    return reply.status(201).send(describe(ctx.rt.workspace.name, id, session));
  });

  const who = ctx.docs.add({ method: 'GET', url: '/api/v1/session', summary: 'Who the caller is (a session or a Bearer key): key, role, and for a session its end and CSRF token', tag: 'keys', auth: 'bearer', response: sessionOut });
  app.get(who.url, async (req, reply) => {
    await ctx.authorize(req, 'viewer');
    const p = principalOf(req)!;
    void reply.header('cache-control', 'no-store');
    const id = req.cookies[SESSION_COOKIE];
    if (p.via === 'session' && id) {
      const s = await S.resolve(id);
      if (s) return describe(ctx.rt.workspace.name, id, s);
    }
    return { workspace: ctx.rt.workspace.name, via: p.via, keyId: p.id, keyName: null, role: p.role, restrictedPii: p.restrictedPii, expiresAt: null, idleExpiresAt: null, csrfToken: null };
  });

  const remove = ctx.docs.add({ method: 'DELETE', url: '/api/v1/session', summary: 'Sign out: ends the session of the hx_session cookie (with x-csrf-token) and clears the cookie', tag: 'keys', auth: 'none' });
  app.delete(remove.url, async (req, reply) => {
    const id = req.cookies[SESSION_COOKIE];
    if (id) {
      // a live session is ended only by a request that passes its CSRF check; one already over just loses its cookie
      const p = await ctx.authorize(req, 'viewer').catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 401) return null;
        throw err;
      });
      if (p) {
        const keyId = await S.end(id);
        if (keyId) await ctx.rt.audit.record({ actor: keyId, role: p, action: 'session.delete', subjectType: 'session', subjectId: keyId });
      }
    }
    clear(req, reply);
    return reply.status(204).send();
  });
}
