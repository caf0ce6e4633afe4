import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CONSENT_CHANNELS, ConsentSubjectNotFoundError, PURPOSES, DATA_CLASSES, isPersonalField, maskTraits, PersonNotFoundError, RectificationError, type Actor, type AuditAction } from '../../privacy/index.ts';
import { principalOf, tokenId, type Role } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { rewrapMasterKeyFile } from '../../privacy/keyring.ts';
import { DEFAULT_WORKSPACE } from '../../workspaces.ts';
import { maskPiiIn } from '../../privacy/detect.ts';

const params = z.object({ userId: z.string().min(1).max(256) });
const receiptParams = z.object({ id: z.string().regex(/^er_[0-9a-f]{16}$/, 'an erasure receipt id (er_ and 16 hex digits)') });
const noNul = (s: string) => !s.includes('\u0000');
const rectifyBody = z.strictObject({
  traits: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'trait names are letters, digits and _ (at most 100)'), z.json())
    .refine((t) => Object.keys(t).length > 0, 'name at least one trait to correct')
    .refine((t) => Object.keys(t).length <= 50, 'at most 50 traits at once'),
});
const auditQuery = z.object({
  actor: z.string().min(1).max(200).refine(noNul, 'must not contain NUL').optional(),
  action: z.string().min(1).max(100).refine(noNul, 'must not contain NUL').optional(),
  subject: z.string().min(1).max(256).refine(noNul, 'must not contain NUL').optional(),
  subjectType: z.string().min(1).max(50).refine(noNul, 'must not contain NUL').optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const retentionDays = z.strictObject(
  Object.fromEntries(Object.keys(DATA_CLASSES).map((k) => [k, z.number().int().min(1).max(36_500).optional()])) as Record<keyof typeof DATA_CLASSES, z.ZodOptional<z.ZodNumber>>,
);
const retentionBody = z.strictObject({
  /** periods for this run, in days, overriding the configured ones */
  days: retentionDays.optional(),
  /** only count what would be removed */
  dryRun: z.boolean().default(false),
});
const receipt = z.object({
  id: z.string(),
  userId: z.string(),
  erasedAt: z.string(),
  ids: z.number(),
  seconds: z.number(),
  stores: z.record(z.string(), z.number()),
  timings: z.record(z.string(), z.number()),
});

/** Who made a request: the key's id (as `api_tokens.id`; for a dashboard session, the key it was opened with), never the key. */
export function actorOf(req: FastifyRequest, role: Role): Actor {
  const p = principalOf(req);
  if (p) return { actor: p.id, role };
  const h = req.headers.authorization ?? '';
  return { actor: h.startsWith('Bearer ') ? tokenId(h.slice(7).trim()) : 'unknown', role };
}

/** One audit entry for a request (tags, segments and other routes call this after a change succeeds). */
export async function audit(ctx: AppContext, req: FastifyRequest, role: Role, action: AuditAction, subjectType: string, subjectId: string, details?: Record<string, unknown>): Promise<void> {
  await ctx.rt.audit.record({ ...actorOf(req, role), action, subjectType, subjectId, details });
}

/**
 * Traits as a caller may see them: masked by default; with `unmask`, an admin sees the personal fields in
 * the clear, and the unmasking is audited. Other roles asking to unmask get 403.
 */
export async function shownTraits(ctx: AppContext, req: FastifyRequest, role: Role, userId: string, traits: Record<string, unknown>, unmask: boolean): Promise<Record<string, unknown>> {
  const auth = req.headers.authorization ?? '';
  // a session is restricted as its key is (ctx.authorize has recorded who the request is)
  if (principalOf(req)?.restrictedPii ?? (auth.startsWith('Bearer ') && (await ctx.access.restrictedPii(auth.slice(7).trim())))) {
    // a key restricted from personal data sees none, masked or not (docs/api-keys.md)
    if (unmask) throw new HttpError(403, 'forbidden', 'this key is restricted from personal data');
    const sealed = new Set(Object.keys(await ctx.rt.privacy.personalTraits(userId)));
    const personal = (k: string, v: unknown) =>
      isPersonalField(k) || sealed.has(k) || RESTRICTED_NAMES.has(k.toLowerCase().replace(/[_-]/g, '')) ||
      // free text holding personal data, in the clear or already masked at ingestion (`138****2222`)
      (typeof v === 'string' && (maskPiiIn(v) !== v || /\*{3,}/.test(v)));
    return Object.fromEntries(Object.entries(traits).filter(([k, v]) => !personal(k, v)));
  }
  // the profile module masks sealed fields from their opened value already; masking again keeps them so
  if (!unmask) return maskTraits(traits);
  if (role !== 'admin') throw new HttpError(403, 'forbidden', `unmasking personal data needs the admin role; the token has ${role}`);
  return { ...traits, ...(await ctx.rt.privacy.reveal(userId, actorOf(req, role))) };
}

/** Trait names a key restricted from personal data never sees (folded: lower case, no _ or -). */
const RESTRICTED_NAMES = new Set(['name', 'firstname', 'lastname', 'fullname', 'username', 'nickname', 'birthday', 'birthdate', 'address', 'email', 'phone', 'mobile', 'idnumber', 'idcard']);

/** The data subject's rights and the audit log (docs/privacy.md). Everything here needs admin. */
export function privacyRoutes(app: FastifyInstance, ctx: AppContext) {
  const { privacy } = ctx.rt;

  const erase = ctx.docs.add({ method: 'DELETE', url: '/api/v1/profiles/:userId', summary: 'Erase a user from every store; answers with a receipt counting what was removed where', tag: 'privacy', auth: 'bearer', params, response: receipt });
  app.delete(erase.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const { userId } = parse(params, req.params, 'path');
    return privacy.erase(userId, actorOf(req, role));
  });

  const exportDoc = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/export', summary: 'Everything held about a user as one JSON document, personal data in the clear (audited)', tag: 'privacy', auth: 'bearer', params });
  app.get(exportDoc.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'admin');
    const { userId } = parse(params, req.params, 'path');
    const out = await privacy.export(userId, actorOf(req, role));
    if (!out) throw new HttpError(404, 'not_found', `no data held for userId '${userId}'`);
    reply.header('content-disposition', `attachment; filename="export-${encodeURIComponent(userId)}.json"`);
    return out;
  });

  const rectify = ctx.docs.add({ method: 'PATCH', url: '/api/v1/profiles/:userId/traits', summary: 'Correct a user’s traits (stored as a new identify; audited)', tag: 'privacy', auth: 'bearer', params, body: rectifyBody });
  app.patch(rectify.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const { userId } = parse(params, req.params, 'path');
    const b = parse(rectifyBody, req.body, 'body');
    try {
      return await privacy.rectify(userId, b.traits, actorOf(req, role));
    } catch (err) {
      if (err instanceof PersonNotFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof RectificationError) throw new HttpError(400, 'invalid_request', `body.${err.message}`, [{ path: 'body.traits', message: err.message }]);
      throw err;
    }
  });

  const pii = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/pii', summary: 'A user’s personal data unmasked (admin; audited)', tag: 'privacy', auth: 'bearer', params });
  app.get(pii.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const { userId } = parse(params, req.params, 'path');
    return { userId, traits: await privacy.reveal(userId, actorOf(req, role)) };
  });

  const receiptDoc = ctx.docs.add({ method: 'GET', url: '/api/v1/privacy/receipts/:id', summary: 'A stored erasure receipt (the subject as its pseudonym)', tag: 'privacy', auth: 'bearer', params: receiptParams });
  app.get(receiptDoc.url, async (req) => {
    await ctx.authorize(req, 'admin');
    const { id } = parse(receiptParams, req.params, 'path');
    const r = await privacy.receipt(id);
    if (!r) throw new HttpError(404, 'not_found', `no erasure receipt '${id}'`);
    return r;
  });

  const policy = ctx.docs.add({ method: 'GET', url: '/api/v1/privacy/retention', summary: 'Retention periods per data class (days; a class not listed is kept until deleted)', tag: 'privacy', auth: 'bearer' });
  app.get(policy.url, async (req) => {
    await ctx.authorize(req, 'admin');
    return { days: privacy.retention.days, classes: DATA_CLASSES };
  });

  const enforce = ctx.docs.add({ method: 'POST', url: '/api/v1/privacy/retention', summary: 'Enforce retention now (optionally with other periods, or as a dry run); audited', tag: 'privacy', auth: 'bearer', body: retentionBody });
  app.post(enforce.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const b = parse(retentionBody, req.body ?? {}, 'body');
    return privacy.retention.enforce({ days: b.days, dryRun: b.dryRun, actor: actorOf(req, role).actor });
  });

  const log = ctx.docs.add({ method: 'GET', url: '/api/v1/audit', summary: 'Search the audit log, newest first (a person subject matches by their id)', tag: 'privacy', auth: 'bearer', query: auditQuery });
  app.get(log.url, async (req) => {
    await ctx.authorize(req, 'admin');
    const q = parse(auditQuery, req.query, 'query');
    if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
      throw new HttpError(400, 'invalid_request', 'query.from: must not be after query.to', [{ path: 'query.from', message: 'must not be after query.to' }]);
    }
    const entries = await ctx.rt.audit.search({ ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    return { entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
  });

  const keys = ctx.docs.add({ method: 'GET', url: '/api/v1/privacy/keys', summary: 'The PII data keys: ids, when made, which is active (never the key material)', tag: 'privacy', auth: 'bearer' });
  app.get(keys.url, async (req) => {
    await ctx.authorize(req, 'admin');
    return { keys: await ctx.rt.keyring.list() };
  });

  const rotate = ctx.docs.add({ method: 'POST', url: '/api/v1/privacy/keys/rotate', summary: 'Make a new PII data key the active one (older values stay readable); audited', tag: 'privacy', auth: 'bearer' });
  app.post(rotate.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    const r = await ctx.rt.keyring.rotateDataKey();
    await audit(ctx, req, role, 'key.rotate', 'data_key', r.active, { retired: r.retired });
    return r;
  });

  const rewrap = ctx.docs.add({ method: 'POST', url: '/api/v1/privacy/keys/rewrap', summary: 'Wrap the data keys with a new master key kept in the data dir (not when HX_MASTER_KEY is set); audited', tag: 'privacy', auth: 'bearer' });
  app.post(rewrap.url, async (req) => {
    const role = await ctx.authorize(req, 'admin');
    if (ctx.rt.config.masterKey) throw new HttpError(409, 'master_key_from_env', 'the master key comes from HX_MASTER_KEY: stop the server and run `huaxiang keys rewrap` with HX_NEW_MASTER_KEY set');
    if (ctx.rt.workspace.name !== DEFAULT_WORKSPACE) throw new HttpError(409, 'installation_master_key', `the master key wraps every workspace's data keys: rewrap it from the default workspace, not '${ctx.rt.workspace.name}'`);
    const rewrapped = await rewrapMasterKeyFile(ctx.rt.config.dataDir, [ctx.rt.keyring, ...ctx.rt.others.map((o) => o.keyring)]);
    await audit(ctx, req, role, 'key.rewrap', 'master_key', 'master.key', { rewrapped });
    return { rewrapped };
  });

  const consentBody = z.strictObject({
    purposes: z.strictObject(Object.fromEntries(PURPOSES.map((p) => [p, z.boolean().optional()])) as Record<(typeof PURPOSES)[number], z.ZodOptional<z.ZodBoolean>>).optional(),
    channels: z.strictObject(Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, z.boolean().optional()])) as Record<(typeof CONSENT_CHANNELS)[number], z.ZodOptional<z.ZodBoolean>>).optional(),
    source: z.string().trim().min(1).max(100).regex(/^[\w .:/-]+$/, 'letters, digits and _ . : / - only').default('api'),
  }).refine((b) => Object.keys(b.purposes ?? {}).length + Object.keys(b.channels ?? {}).length > 0, 'name at least one purpose or channel');
  const noSubject = (err: unknown): never => {
    if (err instanceof ConsentSubjectNotFoundError) throw new HttpError(404, 'not_found', err.message);
    throw err;
  };

  const getConsent = ctx.docs.add({ method: 'GET', url: '/api/v1/profiles/:userId/consent', summary: 'A person’s consent per purpose and per channel, with the history of purpose changes', tag: 'privacy', auth: 'bearer', params });
  app.get(getConsent.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { userId } = parse(params, req.params, 'path');
    return privacy.consent.get(userId).catch(noSubject);
  });

  const putConsent = ctx.docs.add({ method: 'PUT', url: '/api/v1/profiles/:userId/consent', summary: 'Record a consent change (purposes as an identify event, channels as subscriptions); audited', tag: 'privacy', auth: 'bearer', params, body: consentBody });
  app.put(putConsent.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const { userId } = parse(params, req.params, 'path');
    const b = parse(consentBody, req.body ?? {}, 'body');
    return privacy.consent.set(userId, { purposes: b.purposes, channels: b.channels, source: b.source }, actorOf(req, role)).catch(noSubject);
  });
}
