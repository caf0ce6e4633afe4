import { parse as parseCsv } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RuleInputError, SegmentNotFoundError, segmentInput } from '../../segments/index.ts';
import { rfmView } from '../../segments/rfm.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { audit } from './privacy.ts';

const noNul = (s: string) => !s.includes('\u0000');
const idParams = z.object({ id: z.string().min(1).max(100).refine(noNul, 'must not contain NUL') });
const previewBody = z.object({ rule: z.unknown(), sample: z.number().int().min(0).max(100).default(10) });
const overlapBody = z.object({ ids: z.array(z.string().min(1).max(100).refine(noNul, 'must not contain NUL')).min(2).max(3) });
const membersQuery = z.object({ format: z.enum(['json', 'csv', 'jsonl']).default('json'), limit: z.coerce.number().int().min(1).max(10_000_000).default(10_000_000) });
const compositionQuery = z.object({ tag: z.string().min(1).max(100), limit: z.coerce.number().int().min(1).max(100).default(20) });
const idsBody = z.object({ ids: z.array(z.string().min(1).max(256).refine(noNul, 'must not contain NUL')).min(1).max(1_000_000) });

/** Thin routes over rt.segments: parse → authorize → engine → respond. Preview and reads: viewer; changes: marketer. */
export function segmentRoutes(app: FastifyInstance, ctx: AppContext) {
  const seg = ctx.rt.segments;
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RuleInputError) throw new HttpError(400, 'invalid_segment', err.message, [{ path: `body.${err.path}`, message: err.message }]);
      if (err instanceof SegmentNotFoundError) throw new HttpError(404, 'not_found', err.message);
      throw err;
    }
  };

  const preview = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/preview', summary: 'Count and sample of who matches a rule now', tag: 'segments', auth: 'bearer', body: previewBody });
  app.post(preview.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const b = parse(previewBody, req.body, 'body');
    return guard(() => seg.preview(b.rule, b.sample));
  });

  const list = ctx.docs.add({ method: 'GET', url: '/api/v1/segments', summary: 'Saved segments', tag: 'segments', auth: 'bearer' });
  app.get(list.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { segments: await seg.store.list() };
  });

  const create = ctx.docs.add({ method: 'POST', url: '/api/v1/segments', summary: 'Save a dynamic (rule) or static (ids) segment', tag: 'segments', auth: 'bearer', body: segmentInput });
  app.post(create.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const b = parse(segmentInput, req.body, 'body');
    const s = await guard(() => seg.create(b, role));
    await audit(ctx, req, role, 'segment.create', 'segment', s.id, { name: s.name, kind: s.kind });
    reply.code(201);
    return s;
  });

  const rfm = ctx.docs.add({ method: 'GET', url: '/api/v1/segments/rfm', summary: 'The eight RFM classes: counts, spend share, movement since the last build', tag: 'segments', auth: 'bearer' });
  app.get(rfm.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return rfmView(ctx.rt.olap);
  });

  const overlap = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/overlap', summary: 'Venn counts of 2–3 saved segments', tag: 'segments', auth: 'bearer', body: overlapBody });
  app.post(overlap.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const b = parse(overlapBody, req.body, 'body');
    return guard(() => seg.overlap(b.ids));
  });

  const one = ctx.docs.add({ method: 'GET', url: '/api/v1/segments/:id', summary: 'A segment with its size over time and recent entries/exits', tag: 'segments', auth: 'bearer', params: idParams });
  app.get(one.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { id } = parse(idParams, req.params, 'path');
    return guard(async () => ({ ...(await seg.store.get(id)), sizes: await seg.store.sizes(id), changes: await seg.changes(id) }));
  });

  const update = ctx.docs.add({ method: 'PUT', url: '/api/v1/segments/:id', summary: 'Change a segment (re-evaluated at once)', tag: 'segments', auth: 'bearer', params: idParams, body: segmentInput });
  app.put(update.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    const b = parse(segmentInput, req.body, 'body');
    const s = await guard(() => seg.update(id, b));
    await audit(ctx, req, role, 'segment.update', 'segment', id);
    return s;
  });

  const del = ctx.docs.add({ method: 'DELETE', url: '/api/v1/segments/:id', summary: 'Delete a segment (refused while another uses it)', tag: 'segments', auth: 'bearer', params: idParams });
  app.delete(del.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    await guard(() => seg.remove(id));
    await audit(ctx, req, role, 'segment.delete', 'segment', id);
    reply.code(204);
  });

  const evaluate = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/:id/evaluate', summary: 'Recompute a dynamic segment’s whole membership now', tag: 'segments', auth: 'bearer', params: idParams });
  app.post(evaluate.url, async (req) => {
    await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    const c = await guard(() => seg.evaluate(id, 'api'));
    return { size: c.size, entered: c.entered.length, exited: c.exited.length };
  });

  const freeze = ctx.docs.add({ method: 'POST', url: '/api/v1/segments/:id/freeze', summary: 'Freeze the current members into a new static segment', tag: 'segments', auth: 'bearer', params: idParams });
  app.post(freeze.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    const s = await guard(() => seg.freeze(id, role));
    await audit(ctx, req, role, 'segment.create', 'segment', s.id, { frozenFrom: id });
    reply.code(201);
    return s;
  });

  const membersDoc = ctx.docs.add({ method: 'GET', url: '/api/v1/segments/:id/members', summary: 'Export members as JSON, CSV or JSONL', tag: 'segments', auth: 'bearer', params: idParams, query: membersQuery });
  app.get(membersDoc.url, async (req, reply) => {
    await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    const q = parse(membersQuery, req.query, 'query');
    const ids = await guard(async () => (await seg.store.get(id), seg.memberIds(id, q.limit)));
    if (q.format === 'json') return { segmentId: id, count: ids.length, userIds: ids };
    reply.header('content-disposition', `attachment; filename="${id}.${q.format}"`);
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(`userId\n${ids.map(csvCell).join('\n')}${ids.length ? '\n' : ''}`);
    return reply.type('application/x-ndjson').send(ids.map((u) => JSON.stringify({ userId: u })).join('\n') + (ids.length ? '\n' : ''));
  });

  const upload = ctx.docs.add({ method: 'PUT', url: '/api/v1/segments/:id/members', summary: 'Replace a static segment’s members (JSON {ids} or a CSV with a userId column)', tag: 'segments', auth: 'bearer', params: idParams });
  app.put(upload.url, async (req) => {
    const role = await ctx.authorize(req, 'marketer');
    const { id } = parse(idParams, req.params, 'path');
    const ids = typeof req.body === 'string' ? idsFromCsv(req.body) : parse(idsBody, req.body, 'body').ids;
    const updated = await guard(async () => {
      const s = await seg.store.get(id);
      if (s.kind !== 'static') throw new RuleInputError('id: only a static segment takes a list of members', 'id');
      return seg.update(id, { name: s.name, description: s.description, kind: 'static', ids });
    });
    await audit(ctx, req, role, 'segment.update', 'segment', id, { members: ids.length });
    return updated;
  });

  const composition = ctx.docs.add({ method: 'GET', url: '/api/v1/segments/:id/composition', summary: 'Members by the values of one tag', tag: 'segments', auth: 'bearer', params: idParams, query: compositionQuery });
  app.get(composition.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { id } = parse(idParams, req.params, 'path');
    const q = parse(compositionQuery, req.query, 'query');
    return guard(async () => (await seg.store.get(id), { segmentId: id, tag: q.tag, values: await seg.composition(id, q.tag, q.limit) }));
  });
}

/** A CSV of ids: a header with userId / user_id / id (else the first column), one person per row. */
function idsFromCsv(text: string): string[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new HttpError(400, 'invalid_csv', `body: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new HttpError(400, 'invalid_csv', 'body: the CSV has no rows');
  const header = rows[0]!.map((h) => h.toLowerCase());
  const col = ['userid', 'user_id', 'id'].map((h) => header.indexOf(h)).find((i) => i >= 0);
  const data = col === undefined ? rows : rows.slice(1);
  const ids: string[] = [];
  data.forEach((r, i) => {
    const v = r[col ?? 0] ?? '';
    if (!v || v.length > 256 || v.includes('\u0000')) throw new HttpError(400, 'invalid_csv', `row ${i + (col === undefined ? 1 : 2)}: ${!v ? 'empty id' : v.length > 256 ? 'an id is at most 256 characters' : 'an id must not contain NUL'}`);
    ids.push(v);
  });
  if (ids.length === 0) throw new HttpError(400, 'invalid_csv', 'body: the CSV has a header but no ids');
  return ids;
}

/** One CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused for spreadsheets. */
function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
