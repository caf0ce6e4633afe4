import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inboxOf, markRead } from '../../campaigns/channels/index.ts';
import {
  PIXEL_GIF, channelOfMessage, confirmPage, donePage, invalidPage, linkSecret, previewBody, recordClick, recordOpen, renderMessage,
  unsubscribeByMessage, verifyToken,
} from '../../campaigns/content/index.ts';
import { CHANNELS, type OutgoingMessage } from '../../campaigns/types.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const tokenParams = z.object({ token: z.string().min(3).max(8000) });
const userParams = z.object({ userId: z.string().min(1).max(256) });
const inboxQuery = z.object({
  unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const readBody = z.strictObject({ ids: z.array(z.string().min(1).max(300)).min(1).max(500) });

const inboxMessage = z.object({
  id: z.string(), campaignId: z.string().nullable(), journeyId: z.string().nullable(), locale: z.string(), title: z.string(), body: z.string(),
  url: z.string().nullable(), coupon: z.object({ code: z.string(), value: z.number(), category: z.string().optional(), expiresAt: z.string() }).nullable(),
  createdAt: z.string(), readAt: z.string().nullable(),
});
const rendered = z.object({
  id: z.string(), channel: z.enum(CHANNELS), userId: z.string(), to: z.string(), locale: z.enum(['zh-CN', 'en']), subject: z.string(), text: z.string(),
  html: z.string().optional(), url: z.string().optional(), unsubscribeUrl: z.string().optional(),
  coupon: z.object({ code: z.string(), value: z.number(), category: z.string().optional(), expiresAt: z.string() }).optional(),
  meta: z.object({ campaignId: z.string().nullable(), journeyId: z.string().nullable(), stepId: z.string().nullable(), arm: z.string() }),
});

// tokens of long target URLs outgrow Fastify's 100-character path parameters, so the routes take the
// rest of the path (`*`) and name it `token`
const tokenOf = (req: FastifyRequest) => parse(tokenParams, { token: (req.params as Record<string, string>)['*'] }, 'path').token;

const badToken = (where: string) => new HttpError(400, 'invalid_token', `${where}: not a valid signed link`, [{ path: where, message: 'not a valid signed link' }]);

/**
 * Tracking (opens, clicks), unsubscribe, the in-app inbox and content preview (docs/channels.md).
 * `/t/…` and `/u/…` are public: the signed token is the authority. The inbox takes the write key, as
 * the ingestion API does; preview takes a marketer token (it shows the person's address).
 */
export function messagingRoutes(app: FastifyInstance, ctx: AppContext): void {
  const rt = ctx.rt;
  const tracking = { oltp: rt.oltp, writer: rt.writer, keyring: rt.keyring, config: rt.config, log: rt.log };
  const secret = () => linkSecret(rt.keyring);

  ctx.docs.add({ method: 'GET', url: '/t/o/:token', summary: 'Email open pixel: records the first open (opened_at, a Message Opened event) and answers a 1×1 GIF', tag: 'messaging', auth: 'none', params: tokenParams });
  app.get('/t/o/*', async (req, reply) => {
    const t = verifyToken(secret(), 'open', tokenOf(req));
    if (!t) throw badToken('path.token');
    await recordOpen(tracking, t.messageId);
    return reply.header('content-type', 'image/gif').header('cache-control', 'no-store, max-age=0').send(PIXEL_GIF);
  });

  ctx.docs.add({ method: 'GET', url: '/t/c/:token', summary: 'Tracked link: records the click (clicked_at, a Message Clicked event) and redirects (302) to the signed target', tag: 'messaging', auth: 'none', params: tokenParams });
  app.get('/t/c/*', async (req, reply) => {
    const t = verifyToken(secret(), 'click', tokenOf(req));
    if (!t) throw badToken('path.token');
    await recordClick(tracking, t.messageId, t.target!);
    return reply.header('cache-control', 'no-store').redirect(t.target!, 302);
  });

  // unsubscribe: GET asks (link scanners follow GETs), POST unsubscribes — the page's button, or a mail
  // client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`, form-encoded or multipart)
  const unsubscribeMessage = (req: FastifyRequest) => {
    return verifyToken(secret(), 'unsubscribe', tokenOf(req))?.messageId ?? null;
  };
  ctx.docs.add({ method: 'GET', url: '/u/:token', summary: 'Unsubscribe page (zh-CN and English) asking to confirm', tag: 'messaging', auth: 'none', params: tokenParams });
  ctx.docs.add({ method: 'POST', url: '/u/:token', summary: 'Unsubscribe from the message’s channel (the page’s button, or RFC 8058 one-click)', tag: 'messaging', auth: 'none', params: tokenParams });
  void app.register(async (sub) => {
    // any body is accepted and ignored: the token alone says who leaves which channel
    sub.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    sub.get('/u/*', async (req, reply) => {
      const id = unsubscribeMessage(req);
      const channel = id ? await channelOfMessage(tracking, id) : null;
      void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!channel) return reply.status(id ? 404 : 400).send(invalidPage());
      return reply.send(confirmPage(channel));
    });
    sub.post('/u/*', async (req, reply) => {
      const id = unsubscribeMessage(req);
      const done = id ? await unsubscribeByMessage(tracking, id, 'link') : null;
      void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!done) return reply.status(id ? 404 : 400).send(invalidPage());
      rt.log.info({ person: done.personId, channel: done.channel }, 'unsubscribed by link');
      return reply.send(donePage(done.channel));
    });
  });

  async function writeKey(req: FastifyRequest): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Basic ') ? (Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? '') : '';
    if (!key) throw new HttpError(401, 'unauthorized', 'a write key is required: HTTP Basic with the key as user name');
    if (!(await ctx.access.writeKeyId(key))) throw new HttpError(401, 'unauthorized', 'unknown or revoked write key');
  }
  const inboxDeps = { oltp: rt.oltp, identity: rt.identity };

  const inbox = ctx.docs.add({ method: 'GET', url: '/v1/inbox/:userId', summary: 'A person’s in-app messages, newest first (the shop front end polls it)', tag: 'messaging', auth: 'writeKey', params: userParams, query: inboxQuery, response: z.object({ messages: z.array(inboxMessage) }) });
  app.get(inbox.url, async (req) => {
    await writeKey(req);
    const { userId } = parse(userParams, req.params, 'path');
    const q = parse(inboxQuery, req.query, 'query');
    return { messages: await inboxOf(inboxDeps, userId, { unread: q.unread, limit: q.limit }) };
  });

  const read = ctx.docs.add({ method: 'POST', url: '/v1/inbox/:userId/read', summary: 'Mark in-app messages read', tag: 'messaging', auth: 'writeKey', params: userParams, body: readBody, response: z.object({ marked: z.number() }) });
  app.post(read.url, async (req) => {
    await writeKey(req);
    const { userId } = parse(userParams, req.params, 'path');
    const b = parse(readBody, req.body ?? {}, 'body');
    return { marked: await markRead(inboxDeps, userId, b.ids) };
  });

  const preview = ctx.docs.add({ method: 'POST', url: '/api/v1/campaigns/preview', summary: 'Render content for one person as the channel would send it (no coupon is issued)', tag: 'campaigns', auth: 'bearer', body: previewBody, response: rendered });
  app.post(preview.url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const b = parse(previewBody, req.body ?? {}, 'body');
    const [known] = await rt.oltp.query<{ person_id: string }>('SELECT person_id FROM identities WHERE distinct_id = $1', [b.userId]);
    if (!known) throw new HttpError(404, 'not_found', `body.userId: no user '${b.userId}'`, [{ path: 'body.userId', message: 'unknown user' }]);
    const r = (await rt.campaigns.loadRecipients([known.person_id])).get(known.person_id);
    if (!r) throw new HttpError(404, 'not_found', `body.userId: no user '${b.userId}'`, [{ path: 'body.userId', message: 'unknown user' }]);
    const msg: OutgoingMessage = {
      id: `preview-${randomUUID()}`, campaignId: null, journeyId: null, stepId: null, personId: r.personId, userId: b.userId, channel: b.channel,
      arm: 'preview', locale: b.locale ?? r.locale, content: b.content, notBefore: new Date().toISOString(),
    };
    return renderMessage({ config: rt.config, keyring: rt.keyring, recommend: rt.recommend, loyalty: rt.loyalty, oltp: rt.oltp, log: rt.log }, msg, r, { preview: true });
  });
}
