/**
 * Writes the built-in tag library table into docs/tags.md (between the library markers), from the
 * definitions in src/tags/builtin/. Run after changing a built-in: npm run docs:tags
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CATEGORIES, BUILTIN_TAGS } from '../src/tags/builtin/index.ts';
import { describeSpec } from '../src/tags/describe.ts';
import { kindOf, tagInput } from '../src/tags/dsl.ts';

export function libraryTable(): string {
  const cat = new Map(BUILTIN_CATEGORIES.map((c) => [c.code, c]));
  const rows = BUILTIN_TAGS.map((b) => {
    const d = tagInput.parse(b);
    const c = cat.get(d.category as (typeof BUILTIN_CATEGORIES)[number]['code'])!;
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    return `| ${c.name_zh} ${c.name_en} | \`${d.code}\` | ${d.name_zh} · ${d.name_en} | ${d.kind ?? kindOf(d.spec)} | ${d.valueType} | ${d.purpose} | ${cell(describeSpec(d.spec).en)} |`;
  });
  return ['| category | code | name | kind | value | purpose | definition |', '|---|---|---|---|---|---|---|', ...rows, '', `${BUILTIN_TAGS.length} built-in tags.`].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/tags.md');
  const doc = fs.readFileSync(file, 'utf8');
  const next = doc.replace(/<!-- library:start -->[\s\S]*<!-- library:end -->/, `<!-- library:start -->\n${libraryTable()}\n<!-- library:end -->`);
  fs.writeFileSync(file, next);
  console.log(`docs/tags.md: ${BUILTIN_TAGS.length} built-in tags`);
}
