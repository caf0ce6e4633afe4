import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app.ts';
import { notFound } from '../errors.ts';

/** web/dist of this checkout: written by `npm run build:web` (and by `npm install` through `prepare`). */
export const defaultWebDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');

/** Paths that belong to the API: an unknown one is a JSON 404, never the dashboard's HTML. */
const apiPaths = /^\/(api|v1)(\/|$)|^\/(healthz|metrics)$/;

const missingBuild = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Huaxiang — dashboard not built</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The dashboard is not built / 控制台尚未构建</h1>
<p>The API is running, but <code>web/dist</code> is missing. From the repository root run:</p>
<pre style="background:#f4f5f7;padding:1rem">npm run build:web</pre>
<p>then reload this page. (<code>npm install</code> builds it too.) 请在仓库根目录运行 <code>npm run build:web</code> 后刷新本页。</p>
</body></html>`;

/**
 * Serves the dashboard: built files from web/dist at `/`, and index.html for any other non-API GET so
 * client-side routes survive a reload. Hashed files under assets/ are cached for a year (immutable);
 * index.html is revalidated on every load so a new build is picked up at once.
 */
export function webRoutes(app: FastifyInstance, _ctx: AppContext, opts: { dist?: string } = {}) {
  const dist = path.resolve(opts.dist ?? defaultWebDist);
  // serve:false — only reply.sendFile (each call names the root, which may appear after start-up); the
  // routes below decide what is a file, the app, or a 404. preCompressed: the build writes .br/.gz beside
  // each large file, sent to browsers that accept them.
  void app.register(fastifyStatic, { serve: false, preCompressed: true });

  const isFile = (p: string) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const pathname = req.url.split('?')[0]!;
    if (apiPaths.test(pathname)) return notFound(req, reply);
    if (!isFile(path.join(dist, 'index.html'))) {
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(missingBuild);
    }
    const rel = (req.params as { '*'?: string })['*'] ?? '';
    const file = path.resolve(dist, rel);
    if (rel && file.startsWith(dist + path.sep) && isFile(file)) {
      const hashed = rel.startsWith('assets/');
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(rel, dist, { cacheControl: false });
    }
    // a missing file (it has an extension) is a 404; anything else is a client-side route
    if (path.extname(rel)) return notFound(req, reply);
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', dist, { cacheControl: false });
  };

  app.get('/', serve);
  app.get('/*', serve);
}
