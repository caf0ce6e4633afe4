import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { classification, describeClassification, FIELD_CLASSES, DETECTED_POLICIES } from '../../privacy/classification.ts';
import type { AppContext } from '../app.ts';

const fieldClass = z.enum(FIELD_CLASSES);
const answer = z.object({
  traits: z.record(z.string(), fieldClass),
  properties: z.record(z.string(), fieldClass),
  detected: z.enum(DETECTED_POLICIES),
  builtIn: z.array(z.string()),
});

/** The field classification in force (configured by `privacy.fields` / HX_PRIVACY_FIELDS; docs/privacy.md). */
export function classificationRoutes(app: FastifyInstance, ctx: AppContext) {
  const doc = ctx.docs.add({ method: 'GET', url: '/api/v1/privacy/classification', summary: 'The field classification in force: configured traits and event properties by class, the built-in personal traits, and the policy for detected personal data', tag: 'privacy', auth: 'bearer', response: answer });
  app.get(doc.url, async (req) => {
    await ctx.authorize(req, 'admin');
    return describeClassification(classification());
  });
}
