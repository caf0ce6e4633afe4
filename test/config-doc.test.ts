import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CONFIG_DOC, renderConfigDoc, schemaComments } from '../scripts/config-doc.ts';
import { configSchema } from '../src/config.ts';

/** docs/config.md is what the schema says today, and every setting of the schema says what it means. */
describe('configuration reference', () => {
  it('docs/config.md is generated from the current schema (npm run docs:config)', () => {
    assert.equal(fs.readFileSync(CONFIG_DOC, 'utf8'), renderConfigDoc());
  });

  it('every setting and section has a doc comment in src/config.ts', () => {
    const comments = schemaComments(fs.readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8'));
    const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const missing: string[] = [];
    const walk = (props: Record<string, { properties?: Record<string, unknown> }>, prefix: string) => {
      for (const [k, s] of Object.entries(props)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (!comments.has(p)) missing.push(p);
        if (s.properties) walk(s.properties as Record<string, { properties?: Record<string, unknown> }>, p);
      }
    };
    walk(json.properties, '');
    assert.deepEqual(missing, []);
  });
});
