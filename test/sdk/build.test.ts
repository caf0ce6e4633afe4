import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { BUDGET, buildSdk } from '../../sdk/build.ts';
import type { AppContext } from '../../src/server/app.ts';
import { errorHandler } from '../../src/server/errors.ts';
import { ApiDocs } from '../../src/server/openapi.ts';
import { sdkRoutes } from '../../src/server/routes/sdk.ts';
import { repoRoot, tmpDataDir } from '../support/server.ts';

/** The SDK build: its size budget (6 KB min+gzip), no runtime dependencies, and what the route does without it. */

describe('browser SDK build', () => {
  const out = tmpDataDir(after, 'hx-sdk-build-');

  it('fits in 6 KB min+gzip and has no runtime dependencies', async () => {
    const r = await buildSdk({ out });
    const code = fs.readFileSync(r.file);
    const gzipped = gzipSync(code, { level: 9 }).length;
    assert.equal(r.gzipBytes, gzipped);
    assert.ok(gzipped <= 6 * 1024, `${gzipped} bytes min+gzip`);
    assert.equal(BUDGET, 6 * 1024);
    const text = code.toString('utf8');
    assert.ok(!/\brequire\(|^import\s|\bimport\(/m.test(text), 'the script-tag build loads nothing else');
    assert.ok(fs.existsSync(path.join(out, 'index.js')), 'the ES module for npm is built too');
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'sdk', 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.dependencies, undefined, 'the npm package has no dependencies');
    assert.equal(pkg.name, '@huaxiang/sdk');
    assert.match(text, new RegExp(`"${(pkg.version as string).replace(/\./g, '\\.')}"`), 'the version is baked in');
  });

  it('the build fails when the SDK is over its budget', () => {
    const r = spawnSync(process.execPath, ['bin/run-ts.js', 'sdk/build.ts', '--out', out, '--max-bytes', '1000'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /over its budget of 1000 bytes/);
    assert.ok(!fs.existsSync(path.join(out, 'huaxiang.min.js')), 'no oversized file is left to be served');
  });

  it('without a build the route answers 503 with the command to run', async () => {
    const app = Fastify();
    app.setErrorHandler(errorHandler);
    sdkRoutes(app, { docs: new ApiDocs() } as unknown as AppContext, { file: path.join(out, 'missing', 'huaxiang.min.js') });
    const res = await app.inject({ method: 'GET', url: '/sdk/v1/huaxiang.min.js' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'sdk_not_built');
    assert.match(body.error.message, /npm run build:sdk/);
    await app.close();
  });
});
