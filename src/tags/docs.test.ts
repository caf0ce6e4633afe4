import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { libraryTable } from '../../scripts/tags-doc.ts';

test('docs/tags.md carries the current built-in library (run npm run docs:tags after changing one)', () => {
  const doc = fs.readFileSync(new URL('../../docs/tags.md', import.meta.url), 'utf8');
  const table = /<!-- library:start -->\n([\s\S]*)\n<!-- library:end -->/.exec(doc)?.[1];
  assert.equal(table, libraryTable());
});
