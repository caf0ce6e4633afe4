import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
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
