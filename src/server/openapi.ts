import { z } from 'zod';

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  auth: 'bearer' | 'writeKey' | 'none';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ index: z.number().optional(), path: z.string(), message: z.string() })),
  }),
});

/** Routes describe themselves with the same zod schemas they validate with; this turns them into OpenAPI 3.1. */
export class ApiDocs {
  private routes: RouteDoc[] = [];

  add(doc: RouteDoc): RouteDoc {
    this.routes.push(doc);
    return doc;
  }

  document(version: string): object {
    const paths: Record<string, Record<string, unknown>> = {};
    const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    for (const r of this.routes) {
      const url = r.url.replace(/:(\w+)/g, '{$1}');
      const parameters = [
        ...Object.entries(r.params?.shape ?? {}).map(([name, s]) => ({ name, in: 'path', required: true, schema: schema(s as z.ZodType) })),
        ...Object.entries(r.query?.shape ?? {}).map(([name, s]) => ({
          name,
          in: 'query',
          required: !(s as z.ZodType).safeParse(undefined).success,
          schema: schema(s as z.ZodType),
        })),
      ];
      (paths[url] ??= {})[r.method.toLowerCase()] = {
        summary: r.summary,
        tags: [r.tag],
        security: r.auth === 'bearer' ? [{ bearer: [] }, { session: [] }] : r.auth === 'writeKey' ? [{ writeKey: [] }] : [],
        parameters,
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body) } } } } : {}),
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: r.response ? schema(r.response) : {} } } },
          '4XX': { description: 'Client error', content: { 'application/json': { schema: schema(errorBody) } } },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Huaxiang API',
        version,
        description: 'Every path also answers under /w/{workspace}/ for a workspace of this installation; a key made in a workspace (hxa_<workspace>.…, hxw_<workspace>.…) or its dashboard session reaches it without the prefix (docs/workspaces.md).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          writeKey: { type: 'http', scheme: 'basic', description: 'write key as the user name, empty password' },
          session: { type: 'apiKey', in: 'cookie', name: 'hx_session', description: 'a dashboard session (POST /api/v1/session); writes with it also need the x-csrf-token header and the server’s own origin' },
        },
      },
      paths,
    };
  }
}
