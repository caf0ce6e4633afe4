import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TagDefinitionError, TagNotFoundError, tagInput } from '../../tags/index.ts';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../validate.ts';
import { audit } from './privacy.ts';

const codeParams = z.object({ code: z.string().min(1).max(100) });
const previewBody = z.object({ valueType: z.string(), spec: z.unknown() }).passthrough();
const listQuery = z.object({ includeDeprecated: z.enum(['true', 'false']).default('false') });
const buildBody = z.object({ asOf: z.iso.datetime({ offset: true }).optional() }).strict();

/** Taxonomy, definitions, dry runs and builds. Reading needs viewer; defining tags needs analyst; builds need analyst. */
export function tagRoutes(app: FastifyInstance, ctx: AppContext) {
  const engine = ctx.rt.tags;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TagDefinitionError) throw new HttpError(400, 'invalid_tag', err.message, [{ path: `body.${err.path}`, message: err.message }]);
      if (err instanceof TagNotFoundError) throw new HttpError(404, 'not_found', err.message);
      throw err;
    }
  };

  const list = ctx.docs.add({ method: 'GET', url: '/api/v1/tags', summary: 'The tag taxonomy with coverage from the last build', tag: 'tags', auth: 'bearer', query: listQuery });
  app.get(list.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const q = parse(listQuery, req.query, 'query');
    const [categories, tags, coverage] = await Promise.all([engine.taxonomy.categories(), engine.taxonomy.list({ includeDeprecated: q.includeDeprecated === 'true' }), engine.coverage()]);
    return { categories, tags: tags.map((t) => ({ ...t, coverage: coverage.get(t.code) ?? null })) };
  });

  const one = ctx.docs.add({ method: 'GET', url: '/api/v1/tags/:code', summary: 'A tag with its coverage, distribution, history and versions', tag: 'tags', auth: 'bearer', params: codeParams });
  app.get(one.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    const { code } = parse(codeParams, req.params, 'path');
    return guard(async () => {
      const tag = await engine.taxonomy.get(code);
      const [history, versions] = await Promise.all([engine.history(code), engine.taxonomy.versions(code)]);
      return { ...tag, coverage: history[0]?.coverage ?? null, stats: history[0] ?? null, history: history.map(({ buildId, date, coverage, covered, persons, distribution }) => ({ buildId, date, coverage, covered, persons, distribution })), versions };
    });
  });

  const create = ctx.docs.add({ method: 'POST', url: '/api/v1/tags', summary: 'Define a new tag (no code change needed)', tag: 'tags', auth: 'bearer', body: tagInput });
  app.post(create.url, async (req, reply) => {
    const role = await ctx.authorize(req, 'analyst');
    const tag = await guard(() => engine.taxonomy.create(req.body, role));
    await audit(ctx, req, role, 'tag.create', 'tag', tag.code);
    reply.code(201);
    return tag;
  });

  const update = ctx.docs.add({ method: 'PUT', url: '/api/v1/tags/:code', summary: 'Change a tag’s definition (a new version)', tag: 'tags', auth: 'bearer', params: codeParams, body: tagInput });
  app.put(update.url, async (req) => {
    const role = await ctx.authorize(req, 'analyst');
    const { code } = parse(codeParams, req.params, 'path');
    const tag = await guard(() => engine.taxonomy.update(code, req.body, role));
    await audit(ctx, req, role, 'tag.update', 'tag', code, { version: tag.version });
    return tag;
  });

  const deprecate = ctx.docs.add({ method: 'POST', url: '/api/v1/tags/:code/deprecate', summary: 'Stop computing a tag (kept with its history)', tag: 'tags', auth: 'bearer', params: codeParams });
  app.post(deprecate.url, async (req) => {
    const role = await ctx.authorize(req, 'analyst');
    const { code } = parse(codeParams, req.params, 'path');
    const tag = await guard(() => engine.taxonomy.deprecate(code, role));
    await audit(ctx, req, role, 'tag.deprecate', 'tag', code);
    return tag;
  });

  const dry = ctx.docs.add({ method: 'POST', url: '/api/v1/tags/preview', summary: 'Dry-run a definition over everyone: coverage, distribution, sample, SQL', tag: 'tags', auth: 'bearer', body: previewBody });
  app.post(dry.url, async (req) => {
    const role = await ctx.authorize(req, 'analyst');
    const b = parse(previewBody, req.body, 'body');
    const input = { code: 'preview_tag', category: 'custom', name_zh: '预览', name_en: 'Preview', ...b };
    return guard(() => engine.preview(input, role));
  });

  const builds = ctx.docs.add({ method: 'GET', url: '/api/v1/builds', summary: 'Recent tag builds', tag: 'tags', auth: 'bearer' });
  app.get(builds.url, async (req) => {
    await ctx.authorize(req, 'viewer');
    return { builds: await engine.builds() };
  });

  const build = ctx.docs.add({ method: 'POST', url: '/api/v1/builds', summary: 'Run a full tag build now and wait for it', tag: 'tags', auth: 'bearer', body: buildBody });
  app.post(build.url, async (req) => {
    await ctx.authorize(req, 'analyst');
    const b = parse(buildBody, req.body ?? {}, 'body');
    return engine.build({ asOf: b.asOf ? new Date(b.asOf) : undefined, trigger: 'api' });
  });
}
