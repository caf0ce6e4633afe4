import type { z } from 'zod';
import { HttpError } from './errors.ts';

/** Parses request input with a zod schema; a failure becomes a 400 naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'path'): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new HttpError(400, 'invalid_request', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}
