/**
 * Writes docs/config.md from the configuration schema (src/config.ts): every setting's path, type,
 * constraints and default from the zod schema itself, its environment variable from the env-name map,
 * and its meaning from the doc comment above it in the schema. `npm run docs:config`; a test fails when
 * the committed file is not what this prints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configEnvNames, configSchema } from '../src/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_DOC = path.join(root, 'docs', 'config.md');
const SOURCE = path.join(root, 'src', 'config.ts');

interface JsonSchema {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
}

/** The doc comment above each key of the schema, by dotted path (a line-based reading of src/config.ts). */
export function schemaComments(source: string): Map<string, string> {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.startsWith('export const configSchema'));
  const out = new Map<string, string>();
  const stack: { key: string; indent: number }[] = [];
  let pending: string[] = [];
  let inComment = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\}\);?$/.test(line)) break;
    const t = line.trim();
    if (t.startsWith('/**')) {
      inComment = !t.endsWith('*/');
      pending = [t.replace(/^\/\*\*\s?/, '').replace(/\s*\*\/$/, '')];
      continue;
    }
    if (inComment) {
      if (t.endsWith('*/')) inComment = false;
      pending.push(t.replace(/^\*\/?\s?/, '').replace(/\s*\*\/$/, ''));
      continue;
    }
    const indent = line.length - line.trimStart().length;
    while (stack.length && indent <= stack[stack.length - 1]!.indent) stack.pop();
    const m = /^(\w+): z/.exec(t);
    if (m) {
      const key = [...stack.map((s) => s.key), m[1]!].join('.');
      const text = pending.join(' ').replace(/\s+/g, ' ').trim();
      if (text) out.set(key, text);
      if (/z\.object\(\{\s*$/.test(t)) stack.push({ key: m[1]!, indent });
    }
    pending = [];
  }
  return out;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object') return typeof s.additionalProperties === 'object' ? `map of ${typeOf(s.additionalProperties)}` : 'object';
  if (s.format === 'uri') return 'URL';
  return String(s.type ?? 'any');
}

function limits(s: JsonSchema): string {
  const parts: string[] = [];
  const big = 2 ** 52;
  if (s.minimum !== undefined && s.minimum > -big) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < big) parts.push(`≤ ${s.maximum}`);
  if (s.minLength) parts.push(`at least ${s.minLength} characters`);
  if (s.pattern) parts.push(`matches \`${s.pattern.replace(/\|/g, '\\|')}\``);
  return parts.join(', ');
}

const show = (v: unknown) => (v === undefined ? '—' : `\`${JSON.stringify(v)}\``);

export function renderConfigDoc(): string {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const comments = schemaComments(fs.readFileSync(SOURCE, 'utf8'));
  const rows: string[] = [];
  const walk = (props: Record<string, JsonSchema>, prefix: string, section: string) => {
    for (const [key, s] of Object.entries(props)) {
      const p = prefix ? `${prefix}.${key}` : key;
      if (s.type === 'object' && s.properties) {
        rows.push(`\n## \`${p}\`\n\n${comments.get(p) ?? ''}\n\n| setting | environment | type | default | meaning |\n|---|---|---|---|---|`);
        walk(s.properties, p, p);
        continue;
      }
      const env = configEnvNames[p] ? `\`${configEnvNames[p]}\`` : '—';
      const meaning = [comments.get(p) ?? '', limits(s)].filter(Boolean).join('; ');
      rows.push(`| \`${p}\` | ${env} | ${typeOf(s)} | ${show(s.default)} | ${meaning.replace(/\|/g, '\\|')} |`);
    }
    void section;
  };
  const top = Object.fromEntries(Object.entries(json.properties ?? {}).filter(([, s]) => !(s.type === 'object' && s.properties)));
  const nested = Object.fromEntries(Object.entries(json.properties ?? {}).filter(([, s]) => s.type === 'object' && s.properties));
  rows.push('| setting | environment | type | default | meaning |\n|---|---|---|---|---|');
  walk(top, '', '');
  walk(nested, '', '');
  return `# Configuration reference

Generated from the configuration schema (\`src/config.ts\`) by \`npm run docs:config\`; do not edit by hand
(a test fails when this file and the schema disagree). Huaxiang reads its configuration once at start, from
the environment and the command-line flags (flags win), checks it, and stops with a one-line message naming
the setting when a value is wrong. Settings without an environment variable take their default (or are set
by the command that uses them).

## General

${rows.join('\n')}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.writeFileSync(CONFIG_DOC, renderConfigDoc());
  process.stdout.write(`wrote ${path.relative(root, CONFIG_DOC)}\n`);
}
