import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_WORKSPACE, workspaceOfCredential } from '../workspaces.ts';
import { SESSION_COOKIE } from './sessions.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** `/w/<name>` at the start of a path sends the request to that workspace; the prefix is removed before its app sees it. */
const PREFIX = /^\/w\/([^/?#]*)(?=[/?#]|$)/;

/**
 * Which workspace a request is for (docs/workspaces.md), decided before any app reads it:
 * 1. a `/w/<name>/` path prefix (SDKs that send the write key in the body, or a script that wants to be explicit);
 * 2. else the credential it carries: a Bearer secret key, an HTTP Basic write key, or the `hx_session` cookie,
 *    whose workspace marker (`hxa_shop2.…`) names it;
 * 3. else the default workspace.
 * A credential naming a workspace this server does not have goes to the default one, which answers 401.
 */
export function workspaceOfRequest(req: IncomingMessage, names: ReadonlySet<string>): { name: string; prefix: string } | { unknown: string } {
  const m = PREFIX.exec(req.url ?? '/');
  if (m) {
    const name = decodeURIComponent(m[1]!);
    return names.has(name) ? { name, prefix: m[0] } : { unknown: name };
  }
  const named = credentialOf(req);
  const name = named === undefined ? DEFAULT_WORKSPACE : workspaceOfCredential(named);
  return { name: names.has(name) ? name : DEFAULT_WORKSPACE, prefix: '' };
}

function credentialOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  if (auth?.startsWith('Basic ')) return Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
  const cookies = req.headers.cookie;
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * One HTTP handler in front of every workspace's app: picks the app per `workspaceOfRequest` and hands the
 * request to its router (`fastify.routing`), with a `/w/<name>` prefix taken off the URL.
 */
export function workspaceDispatcher(handlers: ReadonlyMap<string, Handler>): Handler {
  const names = new Set(handlers.keys());
  const list = [...names].sort().join(', ');
  return (req, res) => {
    const to = workspaceOfRequest(req, names);
    if ('unknown' in to) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `no workspace '${to.unknown}' on this server (it has: ${list})`, details: [] } }));
      return;
    }
    if (to.prefix) req.url = req.url!.slice(to.prefix.length) || '/';
    if (req.url![0] !== '/') req.url = `/${req.url}`;
    handlers.get(to.name)!(req, res);
  };
}
