import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fixture, repoRoot } from './testkit.ts';

/** `huaxiang import` as a user runs it: the printed summary and the exit codes. */

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-import-cli-'));
after(() => fs.rmSync(data, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) env[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/huaxiang.js'), 'import', ...args, '--data', data], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a clean file: the summary, exit code 0', async () => {
  const r = await cli(fixture('taobao', 'userbehavior.csv'), '--format', 'taobao-userbehavior');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported 342 events from 342 rows in [\d.]+ s \(\d+ rows\/s\)$/m);
  assert.match(r.stdout, /^ {2}duplicates skipped {2}0$/m);
  assert.match(r.stdout, /^ {2}rows rejected {7}0$/m);
  assert.match(r.stdout, /^ {2}catalog items {7}\d+$/m);
});

test('rejected rows: each one listed with its row number and reason, exit code 3', async () => {
  const r = await cli(fixture('online-retail', 'bad.csv'), '--format', 'online-retail');
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^imported 4 events from 11 rows/m);
  assert.match(r.stdout, /^ {2}rows rejected {7}7$/m);
  assert.match(r.stdout, /^ {2}row 4: Quantity: 'six' is not a whole number$/m);
  assert.match(r.stdout, /^ {2}row 12: expected 8 fields, found 5$/m);
});

test('a re-import: everything is a duplicate, exit code 0', async () => {
  const r = await cli(fixture('taobao', 'userbehavior.csv'), '--format', 'taobao-userbehavior');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported 0 events from 342 rows/m);
  assert.match(r.stdout, /^ {2}duplicates skipped {2}342$/m);
});

test('a missing file, an unknown format, a bad mapping: non-zero, one line saying why', async () => {
  const cases: [string[], RegExp][] = [
    [[path.join(data, 'nope.csv'), '--format', 'taobao-userbehavior'], /^huaxiang: .*nope\.csv: no such file or directory$/],
    [[fixture('taobao', 'bad.csv'), '--format', 'nope'], /^huaxiang: unknown format 'nope': expected one of .*taobao-userbehavior.*retailrocket/],
    [[fixture('csv', 'events.csv'), '--format', 'csv'], /^huaxiang: --mapping is required for --format csv/],
    [[fixture('csv', 'events.csv'), '--format', 'csv', '--mapping', fixture('traits', 'crm.mapping.json')], /^huaxiang: .*crm\.mapping\.json: columns: is required$/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.notEqual(r.code, 0);
    assert.notEqual(r.code, 3);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('import '));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, re);
  }
});
