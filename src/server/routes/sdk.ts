import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip, createInflate, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

/** sdk/dist/huaxiang.min.js of this checkout: written by `npm run build:sdk` (and by `npm ci` through `prepare`). */
export const defaultSdkFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'sdk', 'dist', 'huaxiang.min.js');

/** The stable path shops put in their script tag. */
export const SDK_PATH = '/sdk/v1/huaxiang.min.js';
/** Segment's CDN path shape, so a Segment snippet only needs its host changed (the key is read from the path). */
const SEGMENT_PATH = '/analytics.js/v1/:writeKey/analytics.min.js';

interface Loaded {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * The browser SDK at a stable path (CORS for it and for the ingestion API it sends to: src/server/limits.ts,
 * any origin, since write keys are public and no cookies are involved). The file is read once per build (re-read when its mtime changes) and kept gzipped in memory;
 * it is revalidated hourly (ETag), since the path does not change between versions.
 */
export function sdkRoutes(app: FastifyInstance, ctx: AppContext, opts: { file?: string } = {}): void {
  acceptCompressedIngestion(app);
  const file = opts.file ?? defaultSdkFile;
  let cached: Loaded | undefined;

  const load = (): Loaded | undefined => {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return (cached = undefined);
    }
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached;
    const body = fs.readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    return (cached = { mtimeMs: st.mtimeMs, size: st.size, body, gzip: gzipSync(body, { level: 9 }), etag });
  };

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const sdk = load();
    reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
    if (!sdk) {
      reply.header('cache-control', 'no-store');
      throw new HttpError(503, 'sdk_not_built', `the browser SDK is not built (${path.relative(process.cwd(), file) || file} is missing): run \`npm run build:sdk\` in the Huaxiang checkout`);
    }
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600, stale-while-revalidate=86400')
      .header('etag', sdk.etag)
      .header('vary', 'accept-encoding');
    if (req.headers['if-none-match'] === sdk.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(sdk.gzip);
    return reply.send(sdk.body);
  };

  ctx.docs.add({ method: 'GET', url: SDK_PATH, summary: 'The browser SDK (script-tag build); 503 until `npm run build:sdk` has run', tag: 'sdk', auth: 'none' });
  app.get(SDK_PATH, serve);

  const segmentParams = z.object({ writeKey: z.string().min(1).max(200).regex(/^[\w.-]+$/, 'must be a write key (letters, digits, _ . -)') });
  ctx.docs.add({ method: 'GET', url: SEGMENT_PATH, summary: 'The browser SDK at Segment’s CDN path: a Segment snippet works with only its host changed', tag: 'sdk', auth: 'none', params: segmentParams });
  app.get(SEGMENT_PATH, (req, reply) => {
    parse(segmentParams, req.params, 'path');
    return serve(req, reply);
  });
}

/** The Segment/RudderStack ingestion endpoints (src/server/routes/ingest.ts). */
const ingestionPath = /^\/v1\/(track|identify|page|screen|alias|group|batch)(\?|$)/;

/**
 * Server SDKs compress their batches: RudderStack's Node SDK sends gzipped JSON by default, labelled
 * `Content-Type: application/x-www-form-urlencoded` (axios's default for a Buffer), as the RudderStack and
 * Segment HTTP APIs accept. On the ingestion endpoints, compressed bodies are inflated before parsing and
 * such a label is read as the JSON it is (an uncompressed form body stays a 415). The body limits apply to
 * the inflated size, so a small compressed body cannot expand past them.
 */
function acceptCompressedIngestion(app: FastifyInstance): void {
  app.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!encoding || encoding === 'identity' || !ingestionPath.test(req.url)) return payload;
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      throw new HttpError(415, 'unsupported_media_type', `Content-Encoding ${encoding} is not accepted: send gzip, deflate or no encoding`);
    }
    // the content type picks the parser after this hook: one JSON parser for every ingestion body
    if (/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) req.headers['content-type'] = 'application/json';
    const inflate = Object.assign(encoding === 'gzip' ? createGunzip() : createInflate(), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => (inflate.receivedEncodedLength += chunk.length));
    payload.on('error', (err) => inflate.destroy(err));
    inflate.on('error', (err: Error & { statusCode?: number }) => {
      err.statusCode ??= 400;
      err.message = `request body is not valid ${encoding}: ${err.message}`;
    });
    return payload.pipe(inflate);
  });
}
