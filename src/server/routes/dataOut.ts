import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CONTENT_TYPES, exportStream, exportToFile, type ExportFormat, type ExportSpec } from '../../dataout/exports.ts';
import { SqlConsole, SqlRefused } from '../../dataout/sql.ts';
import { SegmentNotFoundError } from '../../segments/index.ts';
import type { Role } from '../access.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { audit } from './privacy.ts';

const format = z.enum(['csv', 'jsonl', 'parquet']).default('csv');
const profilesQuery = z.object({
  format,
  /** personal data in the clear: admins only, audited */
  includePii: z.enum(['true', 'false']).default('false'),
});
const tagsQuery = z.object({ format, tag: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, 'a tag code (lower-case letters, digits, _)').optional() });
const segmentQuery = z.object({ format });
const tagCountsQuery = tagsQuery.extend({
  /** differential-privacy noise on the counts (docs/privacy.md) */
  noise: z.enum(['true', 'false']).default('false'),
});
const segmentParams = z.object({ id: z.string().min(1).max(100) });
const sqlBody = z.strictObject({
  query: z.string().trim().min(1, 'write a SELECT over the safe views').max(100_000),
  maxRows: z.number().int().min(1).max(10_000).default(1000),
  timeoutSeconds: z.number().int().min(1).max(60).default(10),
});
const sqlResult = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.array(z.unknown())),
  rowCount: z.number(),
  truncated: z.boolean(),
  elapsedMs: z.number(),
});
const views = z.object({ views: z.array(z.object({ name: z.string(), columns: z.array(z.object({ name: z.string(), type: z.string() })) })) });

/** Memory one console query may use. */
const SQL_MEMORY_BYTES = 2 * 1024 ** 3;

/** Exports (CSV, JSONL, Parquet) and the read-only SQL console (docs/data-out.md). */
export function dataOutRoutes(app: FastifyInstance, ctx: AppContext): void {
  const ch = ctx.rt.config.clickhouse;
  const sql = new SqlConsole({ url: ch.url, user: ch.user, password: ch.password, path: path.join(ctx.rt.config.dataDir, 'clickhouse') }, ctx.rt.olap.db);
  app.addHook('onClose', () => sql.close());
  const send = async (req: FastifyRequest, reply: FastifyReply, role: Role, spec: ExportSpec, fmt: ExportFormat, name: string) => {
    const stream = await exportStream(ctx.rt, spec, fmt);
    const pii = spec.kind === 'profiles' && spec.includePii === true;
    await audit(ctx, req, role, pii ? 'pii.export' : 'data.export', spec.kind === 'segment' ? 'segment' : 'export', spec.kind === 'segment' ? spec.segmentId : spec.kind, {
      format: fmt,
      includePii: pii,
      ...(spec.kind === 'tags' && spec.tag ? { tag: spec.tag } : {}),
    });
    return reply
      .type(CONTENT_TYPES[fmt])
      .header('content-disposition', `attachment; filename="${name}.${fmt}"`)
      .header('cache-control', 'no-store')
      .send(stream);
  };

  ctx.docs.add({ method: 'GET', url: '/api/v1/exports/profiles', summary: 'Every profile as CSV, JSON lines or Parquet (no personal data; ?includePii=true for admins, audited)', tag: 'data-out', auth: 'bearer', query: profilesQuery });
  app.get('/api/v1/exports/profiles', async (req, reply) => {
    const q = parse(profilesQuery, req.query, 'query');
    const includePii = q.includePii === 'true';
    const role = await ctx.authorize(req, includePii ? 'admin' : 'analyst');
    return send(req, reply, role, { kind: 'profiles', includePii }, q.format, includePii ? 'profiles-with-pii' : 'profiles');
  });

  ctx.docs.add({ method: 'GET', url: '/api/v1/exports/tags', summary: 'Current tag values, one row per tag and person (?tag= for one tag)', tag: 'data-out', auth: 'bearer', query: tagsQuery });
  app.get('/api/v1/exports/tags', async (req, reply) => {
    const q = parse(tagsQuery, req.query, 'query');
    const role = await ctx.authorize(req, 'analyst');
    if (q.tag && !(await ctx.rt.tags.taxonomy.definitions()).has(q.tag)) throw new HttpError(404, 'not_found', `no tag '${q.tag}'`);
    return send(req, reply, role, { kind: 'tags', tag: q.tag }, q.format, q.tag ? `tag-${q.tag}` : 'tags');
  });

  ctx.docs.add({ method: 'GET', url: '/api/v1/exports/segments/:id', summary: 'A saved segment’s current members', tag: 'data-out', auth: 'bearer', params: segmentParams, query: segmentQuery });
  app.get('/api/v1/exports/segments/:id', async (req, reply) => {
    const { id } = parse(segmentParams, req.params, 'path');
    const q = parse(segmentQuery, req.query, 'query');
    const role = await ctx.authorize(req, 'analyst');
    try {
      await ctx.rt.segments.store.get(id);
    } catch (err) {
      if (err instanceof SegmentNotFoundError) throw new HttpError(404, 'not_found', err.message);
      throw err;
    }
    return send(req, reply, role, { kind: 'segment', segmentId: id }, q.format, `segment-${id}`);
  });

  ctx.docs.add({ method: 'GET', url: '/api/v1/exports/tag-counts', summary: 'People per tag value (aggregate): values held by fewer than HX_MIN_GROUP_SIZE people left out, optional noise; x-suppressed-groups and x-privacy headers say what was done', tag: 'data-out', auth: 'bearer', query: tagCountsQuery });
  app.get('/api/v1/exports/tag-counts', async (req, reply) => {
    const q = parse(tagCountsQuery, req.query, 'query');
    const role = await ctx.authorize(req, 'analyst');
    if (q.tag && !(await ctx.rt.tags.taxonomy.definitions()).has(q.tag)) throw new HttpError(404, 'not_found', `no tag '${q.tag}'`);
    // written to a file first: what was suppressed and the noise marker are known only once it is counted
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-export-'));
    const file = path.join(dir, `tag-counts.${q.format}`);
    try {
      const out = await exportToFile(ctx.rt, { kind: 'tag-counts', tag: q.tag, noise: q.noise === 'true' }, q.format, file);
      await audit(ctx, req, role, 'data.export', 'export', 'tag-counts', { format: q.format, ...(q.tag ? { tag: q.tag } : {}), noise: q.noise === 'true', suppressedGroups: out.aggregate?.suppressedGroups ?? 0 });
      const stream = fs.createReadStream(file);
      stream.once('close', () => fs.rmSync(dir, { recursive: true, force: true }));
      return reply
        .type(CONTENT_TYPES[q.format])
        .header('content-disposition', `attachment; filename="${q.tag ? `tag-counts-${q.tag}` : 'tag-counts'}.${q.format}"`)
        .header('cache-control', 'no-store')
        .header('x-suppressed-groups', String(out.aggregate?.suppressedGroups ?? 0))
        .header('x-privacy', JSON.stringify(out.aggregate?.privacy ?? null))
        .send(stream);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  });

  ctx.docs.add({ method: 'POST', url: '/api/v1/sql', summary: 'Read-only SQL over the safe views (SELECT only; row limit, timeout)', tag: 'data-out', auth: 'bearer', body: sqlBody, response: sqlResult });
  app.post('/api/v1/sql', async (req) => {
    const role = await ctx.authorize(req, 'analyst');
    const b = parse(sqlBody, req.body, 'body');
    try {
      const result = await sql.run(b.query, { maxRows: b.maxRows, timeoutSeconds: b.timeoutSeconds, maxMemoryBytes: SQL_MEMORY_BYTES });
      await audit(ctx, req, role, 'sql.query', 'sql', 'console', { query: b.query.slice(0, 2000), rows: result.rowCount });
      return result;
    } catch (err) {
      if (err instanceof SqlRefused) throw new HttpError(400, err.code, `body.query: ${err.message}`, [{ path: 'body.query', message: err.message }]);
      throw err;
    }
  });

  ctx.docs.add({ method: 'GET', url: '/api/v1/sql/views', summary: 'The safe views the SQL console may read, with their columns', tag: 'data-out', auth: 'bearer', response: views });
  app.get('/api/v1/sql/views', async (req) => {
    await ctx.authorize(req, 'analyst');
    return { views: await sql.views() };
  });
}
