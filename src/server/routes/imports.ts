import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ImportInputError, importers } from '../../world/importers/index.ts';
import { runImport } from '../../world/importers/run.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';

const body = z.object({
  path: z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path on the server’s machine'),
  format: z.string().refine((f) => f in importers, { message: `must be one of ${Object.keys(importers).join(', ')}` }),
  options: z.record(z.string(), z.string().optional()).default({}),
});
const report = z.object({
  format: z.string(),
  source: z.string(),
  rows: z.number(),
  imported: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  errors: z.array(z.object({ row: z.number(), file: z.string().optional(), reason: z.string() })),
  items: z.number(),
  seconds: z.number(),
});

/**
 * Imports a file that lies on the server's machine: how `huaxiang import` works while `serve` holds the
 * data dir (the engines cannot open it twice). Admin only, since it reads local files.
 */
export function importRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({ method: 'POST', url: '/api/v1/imports', summary: 'Import a file on the server’s machine', tag: 'import', auth: 'bearer', body, response: report });
  app.post(doc.url, async (req) => {
    await ctx.authorize(req, 'admin');
    const b = parse(body, req.body, 'body');
    if (!fs.existsSync(b.path)) throw new HttpError(400, 'invalid_request', `body.path: ${b.path} does not exist on the server`, [{ path: 'body.path', message: 'no such file or directory' }]);
    try {
      const report = await runImport(ctx.rt, b.path, b.format, b.options);
      // bulk imports bypass the live path: points are earned and tags rebuilt in the background, each by its
      // own engine (which a shutdown waits for); chaining one after the other could start work on closed stores
      if (report.imported > 0) {
        void ctx.rt.loyalty.earn().catch((err) => ctx.rt.log.warn({ err }, 'earning after import failed'));
        void ctx.rt.tags.build({ trigger: 'import' }).catch((err) => ctx.rt.log.warn({ err }, 'tag build after import failed'));
      }
      return report;
    } catch (err) {
      if (err instanceof ImportInputError) throw new HttpError(400, 'invalid_import', err.message);
      throw err;
    }
  });
}
