import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KeyNotFoundError, LastAdminKeyError } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { audit } from './privacy.ts';

const createBody = z.strictObject({
  kind: z.enum(['secret', 'write']),
  name: z.string().trim().min(1).max(100),
  /** secret keys only */
  role: z.enum(['admin', 'analyst', 'marketer', 'viewer']).optional(),
  /** secret keys only: answers leave personal fields out entirely (for BI tools and services) */
  restrictedPii: z.boolean().optional(),
});
const params = z.object({ id: z.string().regex(/^(tok|wk)_[0-9a-f]{12}$/, 'a key id (tok_… or wk_… and 12 hex digits)') });
const keyInfo = z.object({ id: z.string(), kind: z.enum(['secret', 'write']), name: z.string(), role: z.string().nullable(), restrictedPii: z.boolean(), createdAt: z.string(), revokedAt: z.string().nullable() });

/** API keys (docs/api-keys.md): secret keys for the admin API with a role, write keys for ingestion only. Admin only; audited. */
export function keyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const notFound = (err: unknown): never => {
    if (err instanceof KeyNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof LastAdminKeyError) throw new HttpError(409, 'last_admin_key', err.message);
    throw err;
  };

  const list = ctx.docs.add({ method: 'GET', url: '/api/v1/keys', summary: 'Every secret key and write key (ids, names, roles, dates; never the keys)', tag: 'keys', auth: 'bearer', response: z.object({ keys: z.array(keyInfo) }) });
  app.get(list.url, async (req) => {
    await ctx.authorize(req, 'admin');
    return { keys: await ctx.access.list() };
  });

  const create = ctx.docs.add({ method: 'POST', url: '/api/v1/keys', summary: 'Create a secret key (with a role) or a write key; the key is in this answer only', tag: 'keys', auth: 'bearer', body: createBody });
  app.post(create.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'admin');
    const b = parse(createBody, req.body ?? {}, 'body');
    if (b.kind === 'write' && b.role) throw new HttpError(400, 'invalid_request', 'body.role: a write key has no role (it only ingests)', [{ path: 'body.role', message: 'a write key has no role (it only ingests)' }]);
    if (b.kind === 'write' && b.restrictedPii !== undefined) throw new HttpError(400, 'invalid_request', 'body.restrictedPii: a write key reads nothing', [{ path: 'body.restrictedPii', message: 'a write key reads nothing' }]);
    if (b.kind === 'secret' && !b.role) throw new HttpError(400, 'invalid_request', 'body.role: a secret key needs a role: admin, analyst, marketer or viewer', [{ path: 'body.role', message: 'required for a secret key' }]);
    const k = await ctx.access.create(b.kind, b.name, b.role, b.restrictedPii ?? false);
    await audit(ctx, req, role, 'key.create', 'api_key', k.id, { kind: k.kind, name: k.name, role: k.role, restrictedPii: k.restrictedPii });
    return reply.status(201).send(k);
  });

  const rotate = ctx.docs.add({ method: 'POST', url: '/api/v1/keys/:id/rotate', summary: 'Replace a key: a new key with the same kind, name and role; the old one revoked', tag: 'keys', auth: 'bearer', params });
  app.post(rotate.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const { id } = parse(params, req.params, 'path');
    const k = await ctx.access.rotate(id).catch(notFound);
    await audit(ctx, req, role, 'key.rotate', 'api_key', id, { replacement: k.id });
    return k;
  });

  const revoke = ctx.docs.add({ method: 'DELETE', url: '/api/v1/keys/:id', summary: 'Revoke a key (this node at once, other nodes within 15 s)', tag: 'keys', auth: 'bearer', params });
  app.delete(revoke.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const { id } = parse(params, req.params, 'path');
    const k = await ctx.access.revoke(id).catch(notFound);
    await audit(ctx, req, role, 'key.revoke', 'api_key', id);
    return k;
  });
}
