import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import type { Scenario } from './scenario.ts';

/**
 * The API over real HTTP on a scenario's own runtime (in-process, loopback), with a viewer token. Call it
 * inside a describe: the app starts before the suite's tests and closes after them.
 */
export function httpClient(sc: () => Scenario): (url: string, auth?: boolean) => Promise<Response> {
  let app: FastifyInstance;
  let base = '';
  const token = `tok-viewer-${Math.random().toString(36).slice(2)}`;
  before(async () => {
    const built = await buildApp(sc().rt);
    app = built.app;
    await built.ctx.access.addToken('viewer', token, 'viewer');
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app?.close());
  return (url, auth = true) => fetch(`${base}${url}`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});
}

/** Asserts a 400 whose message starts with the field's path. */
export async function rejects(res: Response, field: string): Promise<void> {
  assert.equal(res.status, 400, field);
  const body = (await res.json()) as { error: { message: string } };
  assert.ok(body.error.message.startsWith(field), `${field}: ${body.error.message}`);
}
