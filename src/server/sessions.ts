import { DEFAULT_WORKSPACE, otherWorkspaceHint, workspaceMarker } from '../workspaces.ts';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { OltpStore } from '../store/oltp/index.ts';
import { setPrincipal, type AccessStore, type Principal, type Role } from './access.ts';
import { HttpError } from './errors.ts';

/** The cookie that carries a dashboard session's id (HttpOnly: the page's scripts never see it). */
export const SESSION_COOKIE = 'hx_session';
/** The header a cookie-authenticated write must carry, holding the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** a session's last use is written at most this often (the idle timeout is minutes, so seconds do not matter) */
const TOUCH_SECONDS = 30;

export interface SessionOptions {
  /** a session ends this long after sign-in, however active */
  hours: number;
  /** … or after this long without a request */
  idleMinutes: number;
}

/** A live session: the key it was opened with (as that key is now) and when it ends. */
export interface Session {
  key: { id: string; name: string; role: Role; restrictedPii: boolean };
  createdAt: string;
  expiresAt: string;
  /** when it ends if no request comes before */
  idleExpiresAt: string;
}

interface Row {
  id: string; name: string; role: Role; restricted_pii: boolean;
  created_at: Date | string; last_seen_at: Date | string; expires_at: Date | string;
}

/**
 * The synchronizer token of a session: an HMAC of its id, so it is the same for every tab, changes with
 * every sign-in, and is stored nowhere (a copy of the sessions table yields neither ids nor tokens).
 */
export const csrfTokenOf = (sessionId: string): string => createHmac('sha256', sessionId).update('hx-csrf-token').digest('base64url');

/**
 * Dashboard sessions in Postgres (`dashboard_sessions`, keyed by the SHA-256 of the id). Every lookup joins
 * the key, so a session follows its key's role and restricted flag and stops the moment the key is revoked.
 */
export class SessionStore {
  /** the workspace's prefix on session ids (src/workspaces.ts), so the cookie alone names the workspace */
  private readonly marker: string;

  constructor(
    private readonly db: OltpStore,
    readonly opts: SessionOptions,
    workspace = DEFAULT_WORKSPACE,
  ) {
    this.marker = workspaceMarker(workspace);
  }

  /** Opens a session for a secret key; the id is returned once, for the cookie. Sessions long over are pruned. */
  async open(keyId: string): Promise<{ id: string; session: Session }> {
    await this.db.query(`DELETE FROM dashboard_sessions WHERE expires_at < now() - interval '7 days' OR ended_at < now() - interval '7 days'`);
    const id = this.marker + randomBytes(32).toString('base64url');
    await this.db.query(
      `INSERT INTO dashboard_sessions (id_hash, token_id, expires_at) VALUES ($1, $2, now() + $3::int * interval '1 second')`,
      [sha256(id), keyId, Math.round(this.opts.hours * 3600)],
    );
    const session = await this.resolve(id);
    if (!session) throw new Error(`session for ${keyId} not readable after insert`);
    return { id, session };
  }

  /**
   * The live session with this id, or null: unknown, signed out, expired, idle too long, or its key revoked.
   * Marks it used now — written at most every TOUCH_SECONDS, so a page's burst of requests is one write.
   */
  async resolve(id: string): Promise<Session | null> {
    const rows = await this.db.query<Row>(
      `WITH live AS (
         SELECT s.id_hash, t.id, t.name, t.role, t.restricted_pii, s.created_at, s.last_seen_at, s.expires_at
         FROM dashboard_sessions s JOIN api_tokens t ON t.id = s.token_id
         WHERE s.id_hash = $1 AND t.revoked_at IS NULL AND s.ended_at IS NULL
           AND s.expires_at > now() AND s.last_seen_at > now() - $2::int * interval '1 second'),
       touched AS (
         UPDATE dashboard_sessions SET last_seen_at = now()
         WHERE id_hash IN (SELECT id_hash FROM live WHERE last_seen_at < now() - $3::int * interval '1 second'))
       SELECT id, name, role, restricted_pii, created_at, expires_at,
         CASE WHEN last_seen_at < now() - $3::int * interval '1 second' THEN now() ELSE last_seen_at END AS last_seen_at
       FROM live`,
      [sha256(id), Math.round(this.opts.idleMinutes * 60), TOUCH_SECONDS],
    );
    const r = rows[0];
    if (!r) return null;
    const idleEnd = new Date(new Date(r.last_seen_at).getTime() + this.opts.idleMinutes * 60_000);
    const end = new Date(r.expires_at);
    return {
      key: { id: r.id, name: r.name, role: r.role, restrictedPii: Boolean(r.restricted_pii) },
      createdAt: new Date(r.created_at).toISOString(),
      expiresAt: end.toISOString(),
      idleExpiresAt: (idleEnd < end ? idleEnd : end).toISOString(),
    };
  }

  /** Ends a session (sign-out); answers the key it belonged to when it was live. */
  async end(id: string): Promise<string | null> {
    const rows = await this.db.query<{ token_id: string }>('UPDATE dashboard_sessions SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > now() RETURNING token_id', [sha256(id)]);
    return rows[0]?.token_id ?? null;
  }
}

/** The cookie's attributes: Secure whenever the request came over HTTPS (directly, or per X-Forwarded-Proto with HX_TRUST_PROXY). */
export function sessionCookie(req: FastifyRequest, maxAgeSeconds: number): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https', maxAge: maxAgeSeconds };
}

/** This server's origin as the browser sees it (behind a proxy with HX_TRUST_PROXY: X-Forwarded-Proto and -Host). */
const ownOrigin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

/**
 * A browser request that rides on the cookie must come from the dashboard itself: `Sec-Fetch-Site`, when
 * sent, is `same-origin`, and `Origin`, when sent, is this server's. Browsers send at least one of them on
 * every write, so a page elsewhere is stopped here even before the CSRF token is looked at.
 */
export function requireSameOrigin(req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new HttpError(403, 'csrf_rejected', `a ${req.method} with the session cookie must come from the dashboard's own origin (Sec-Fetch-Site: ${site})`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(req)) throw new HttpError(403, 'csrf_rejected', `a ${req.method} with the session cookie must come from the dashboard's own origin ${ownOrigin(req)}, not ${origin}`);
}

/** Same origin, and the `x-csrf-token` header equal to the session's token (compared in constant time). */
function requireCsrf(req: FastifyRequest, sessionId: string): void {
  requireSameOrigin(req);
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || sent === '') throw new HttpError(403, 'csrf_rejected', `a ${req.method} with the session cookie needs the ${CSRF_HEADER} header (GET /api/v1/session answers the token)`);
  const want = Buffer.from(csrfTokenOf(sessionId));
  const got = Buffer.from(sent);
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new HttpError(403, 'csrf_rejected', `the ${CSRF_HEADER} header does not match this session's token`);
}

/**
 * Who a request is, for `ctx.authorize`: a secret key sent as `Authorization: Bearer`, or else the
 * `hx_session` cookie. A Bearer header wins and is never CSRF-checked (a browser does not add it on its
 * own); a cookie is ambient, so an unsafe method with one must pass `requireCsrf`.
 */
export async function authenticate(req: FastifyRequest, access: AccessStore, sessions: SessionStore): Promise<Principal> {
  const h = req.headers.authorization;
  if (h !== undefined) {
    if (!h.startsWith('Bearer ')) throw new HttpError(401, 'unauthorized', 'an API token is required: Authorization: Bearer <token>');
    const token = h.slice(7).trim();
    const key = await access.secretKey(token);
    if (!key) throw new HttpError(401, 'unauthorized', `unknown or revoked API token${otherWorkspaceHint(token, access.workspace)}`);
    return setPrincipal(req, { ...key, via: 'bearer' });
  }
  const id = req.cookies?.[SESSION_COOKIE];
  if (!id) throw new HttpError(401, 'unauthorized', 'an API token is required: Authorization: Bearer <token> (or a dashboard session: POST /api/v1/session)');
  const s = await sessions.resolve(id);
  if (!s) throw new HttpError(401, 'session_ended', 'the dashboard session has ended (signed out, expired, idle too long, or its key was revoked): sign in again');
  if (UNSAFE.has(req.method)) requireCsrf(req, id);
  return setPrincipal(req, { id: s.key.id, role: s.key.role, restrictedPii: s.key.restrictedPii, via: 'session' });
}
