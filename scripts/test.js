#!/usr/bin/env node
// `npm test`: makes sure the Debian packages the tests need are present (installing them when
// running as root, otherwise saying the exact command), starts one real Postgres server for the
// run, then runs every test file with node's test runner.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const needs = [
  { pkg: 'postgresql', present: () => fs.existsSync('/usr/lib/postgresql') && fs.readdirSync('/usr/lib/postgresql').some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) },
  { pkg: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
];

function ensurePackages() {
  const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`The tests need Debian packages that are not installed: ${missing.join(', ')}.\nRun:  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log(`installing ${missing.join(', ')} …`);
  const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`could not install ${missing.join(', ')}; run: ${cmd}`);
    process.exit(1);
  }
}

function testFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}

ensurePackages();
const { register } = await import('tsx/esm/api');
register();
const { startPostgres } = await import(path.join(root, 'test/support/postgres.ts'));
const pg = await startPostgres();
const only = process.argv.slice(2);
const files = only.length ? only : [...testFiles(path.join(root, 'src')), ...testFiles(path.join(root, 'test'))];
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HX_TEST_PG_URL: pg.url },
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await pg.stop();
process.exit(code);
