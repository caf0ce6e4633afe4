import { otherWorkspaceHint, workspaceOfCredential } from '../../workspaces.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { batchEnvelope } from '../../events/index.ts';
import { OverloadedError, runPipeline, type Rejection } from '../../ingest/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';

const singleTypes = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;
const accepted = z.object({
  success: z.literal(true),
  accepted: z.number().optional(),
  duplicates: z.number().optional(),
  rejected: z.array(z.object({ index: z.number(), path: z.string(), message: z.string() })).optional(),
});

/** Segment/RudderStack-compatible HTTP ingestion: /v1/track … /v1/batch. */
export function ingestRoutes(app: FastifyInstance, ctx: AppContext) {
  const { config } = ctx.rt;

  async function writeKeyOf(req: FastifyRequest, body: unknown): Promise<string> {
    const auth = req.headers.authorization ?? '';
    let key = '';
    if (auth.startsWith('Basic ')) key = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
    else if (body && typeof body === 'object' && typeof (body as { writeKey?: unknown }).writeKey === 'string') key = (body as { writeKey: string }).writeKey;
    if (!key) throw new HttpError(401, 'unauthorized', 'a write key is required: HTTP Basic with the key as user name, or writeKey in the body');
    const id = await ctx.access.writeKeyId(key);
    if (!id) {
      const hint = otherWorkspaceHint(key, ctx.access.workspace);
      // req.url is the path within the workspace (the dispatcher took any /w/<name> prefix off)
      const fix = hint && !auth.startsWith('Basic ') ? `: send it as HTTP Basic, or to /w/${workspaceOfCredential(key)}${req.url}` : '';
      throw new HttpError(401, 'unauthorized', `unknown or revoked write key${hint}${fix}`);
    }
    return id;
  }

  async function ingest(req: FastifyRequest, messages: unknown[], extra: { batchSentAt?: number; batchContext?: Record<string, unknown>; writeKeyId: string; bodyBytes: number }) {
    const sizes = extra.bodyBytes > config.ingest.maxMessageBytes ? messages.map((m) => Buffer.byteLength(JSON.stringify(m) ?? '')) : undefined;
    const out = runPipeline(
      {
        messages,
        receivedAt: Date.now(),
        batchSentAt: extra.batchSentAt,
        batchContext: extra.batchContext,
        requestId: req.id,
        source: 'http',
        writeKeyId: extra.writeKeyId,
        maxMessageBytes: config.ingest.maxMessageBytes,
        maxFutureMs: config.ingest.maxFutureMs,
        sizes,
      },
      ctx.rt.keyring,
    );
    ctx.rt.metrics.messages.inc({ result: 'rejected' }, out.rejected.length);
    try {
      const written = await ctx.rt.writer.submit(out.rows, out.dead);
      return { ...written, rejected: out.rejected };
    } catch (err) {
      if (err instanceof OverloadedError) {
        ctx.rt.metrics.overloaded.inc();
        throw new HttpError(503, 'overloaded', 'ingestion is saturated; retry later', [], { 'Retry-After': String(err.retryAfterSeconds) });
      }
      throw err;
    }
  }

  const invalid = (rejected: Rejection[]) =>
    new HttpError(
      400,
      'invalid_message',
      rejected.length === 1 ? `${rejected[0]!.path ? rejected[0]!.path + ': ' : ''}${rejected[0]!.message}` : `all ${rejected.length} messages are invalid`,
      rejected,
    );

  for (const type of singleTypes) {
    ctx.docs.add({ method: 'POST', url: `/v1/${type}`, summary: `Segment ${type} call`, tag: 'ingestion', auth: 'writeKey', response: accepted });
    app.post(`/v1/${type}`, { bodyLimit: config.ingest.maxMessageBytes }, async (req) => {
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid_message', 'body must be a JSON object');
      const writeKeyId = await writeKeyOf(req, body);
      const r = await ingest(req, [{ ...body, type }], { writeKeyId, bodyBytes: bodyBytes(req) });
      if (r.rejected.length) throw invalid(r.rejected);
      return { success: true as const };
    });
  }

  ctx.docs.add({ method: 'POST', url: '/v1/batch', summary: 'Segment batch: valid messages are stored even when others are rejected', tag: 'ingestion', auth: 'writeKey', body: batchEnvelope, response: accepted });
  app.post('/v1/batch', { bodyLimit: config.ingest.maxBatchBytes }, async (req) => {
    const writeKeyId = await writeKeyOf(req, req.body);
    const env = batchEnvelope.safeParse(req.body);
    if (!env.success) {
      const issue = env.error.issues[0]!;
      throw new HttpError(400, 'invalid_batch', `${issue.path.join('.') || 'body'}: ${issue.message}`, [{ path: issue.path.join('.'), message: issue.message }]);
    }
    const r = await ingest(req, env.data.batch, {
      writeKeyId,
      batchSentAt: env.data.sentAt,
      batchContext: env.data.context,
      bodyBytes: bodyBytes(req),
    });
    if (r.rejected.length === env.data.batch.length) throw invalid(r.rejected);
    if (r.rejected.length === 0) return { success: true as const };
    return { success: true as const, accepted: env.data.batch.length - r.rejected.length, duplicates: r.duplicates, rejected: r.rejected };
  });
}

const sizes = new WeakMap<object, number>();

/** JSON bodies (also text/plain, which browser SDKs use to skip CORS preflight) with precise parse errors. */
export function registerJsonParser(app: FastifyInstance) {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    sizes.set(req, buf.length);
    if (buf.length === 0) return done(new HttpError(400, 'invalid_json', 'request body is empty'), undefined);
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch (e) {
      done(new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
}

function bodyBytes(req: FastifyRequest): number {
  return sizes.get(req) ?? 0;
}
