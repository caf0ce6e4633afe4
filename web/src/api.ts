/**
 * The dashboard's API client. Signing in trades the secret key for a session (POST /api/v1/session): the
 * server sets the HttpOnly `hx_session` cookie, which the browser sends with every same-origin call, and
 * answers a CSRF token, kept in memory only and sent as `x-csrf-token` on every write. The key itself is
 * never stored. A 401 tells the app (event `hx:unauthorized`), which returns to the login page.
 */

/** where older versions kept the key; read once to move it into a session, then removed */
const LEGACY_TOKEN_KEY = 'hx.token';
const CSRF_HEADER = 'x-csrf-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the server's `error.details`, when it gave any (validation issues) */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Who is signed in (GET /api/v1/session). */
export interface SessionInfo {
  /** the workspace (shop) the key belongs to; `default` for the installation's first */
  workspace: string;
  via: 'session' | 'bearer';
  keyId: string;
  keyName: string | null;
  role: 'admin' | 'analyst' | 'marketer' | 'viewer';
  restrictedPii: boolean;
  expiresAt: string | null;
  idleExpiresAt: string | null;
  csrfToken: string | null;
}

/** the session's CSRF token: in memory only (a reload asks GET /api/v1/session again) */
let csrfToken: string | null = null;

const remember = (s: SessionInfo): SessionInfo => {
  csrfToken = s.csrfToken;
  return s;
};

/** Signs in with a secret key: opens a session (the cookie is set by the answer) and keeps its CSRF token. */
export async function signIn(token: string): Promise<SessionInfo> {
  // a workspace's key carries its name (hxa_shop2.…): the sign-in goes to that workspace, whose session
  // cookie then routes every later request there (docs/workspaces.md)
  const workspace = /^hxa_([a-z][a-z0-9]{0,31})\./.exec(token.trim())?.[1];
  const at = workspace ? `/w/${workspace}/api/v1/session` : '/api/v1/session';
  return remember(await request<SessionInfo>('POST', at, { body: { token }, quiet: true }));
}

/** Ends the session on the server and clears the cookie. */
export async function signOut(): Promise<void> {
  try {
    await request('DELETE', '/api/v1/session', { quiet: true });
  } finally {
    csrfToken = null;
  }
}

/**
 * The session this browser holds, or none (`ended` when the cookie named one that is over: signed out
 * elsewhere, expired, or its key revoked). A key an older version left in local storage is taken out of it
 * first and, when still valid, turned into a session.
 */
export async function restoreSession(): Promise<{ session: SessionInfo } | { session: null; ended: boolean }> {
  const legacy = takeLegacyToken();
  if (legacy) {
    try {
      return { session: await signIn(legacy) };
    } catch {
      // a key no longer valid: fall through to whatever session the cookie holds
    }
  }
  try {
    return { session: remember(await request<SessionInfo>('GET', '/api/v1/session', { quiet: true })) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { session: null, ended: err.code === 'session_ended' };
    throw err;
  }
}

function takeLegacyToken(): string | null {
  try {
    const token = localStorage.getItem(LEGACY_TOKEN_KEY);
    if (token !== null) localStorage.removeItem(LEGACY_TOKEN_KEY);
    return token;
  } catch {
    return null;
  }
}

type Query = Record<string, string | number | undefined>;

function url(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

interface Options {
  signal?: AbortSignal;
  /** the session calls themselves: a 401 is their answer, not a session that ended under the page */
  quiet?: boolean;
}

type Send = Options & { query?: Query; body?: unknown; text?: { body: string; type: string } };

async function request<T>(method: string, path: string, opts: Send): Promise<T> {
  const res = await send(method, path, opts);
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.details);
  return body as T;
}

/** The fetch itself: the cookie, the CSRF header on writes, a JSON or text body, and the 401 handling every call shares. */
async function send(method: string, path: string, opts: Send, retried = false): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let payload: string | undefined;
  if (opts.text) {
    headers['content-type'] = opts.text.type;
    payload = opts.text.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const res = await fetch(url(path, opts.query), { method, headers, body: payload, signal: opts.signal, credentials: 'same-origin' });
  if (res.status === 401 && !opts.quiet) {
    csrfToken = null;
    window.dispatchEvent(new CustomEvent('hx:unauthorized'));
  }
  // a token from before a sign-in in another tab: fetch the current one and try once more
  if (res.status === 403 && method !== 'GET' && !opts.quiet && !retried) {
    const code = ((await res.clone().json().catch(() => null)) as { error?: { code?: string } } | null)?.error?.code;
    if (code === 'csrf_rejected' && (await restoreSession().catch(() => null))?.session) return send(method, path, opts, true);
  }
  return res;
}

/** GET with the session. */
export function apiGet<T>(path: string, query?: Query, opts: Options = {}): Promise<T> {
  return request<T>('GET', path, { ...opts, query });
}

/** POST or PUT a JSON body with the session (and its CSRF token). */
export function apiSend<T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown, opts: Options = {}): Promise<T> {
  return request<T>(method, path, { ...opts, body });
}

/** DELETE with the session (a 204 answers null). */
export function apiDelete<T = null>(path: string, opts: Options = {}): Promise<T> {
  return request<T>('DELETE', path, opts);
}

/** POST or PUT a text body (a CSV upload) with the session. */
export function apiSendText<T>(method: 'POST' | 'PUT', path: string, text: string, contentType: string, opts: Options = {}): Promise<T> {
  return request<T>(method, path, { ...opts, text: { body: text, type: contentType } });
}

/**
 * Downloads a file the API answers (an export) and saves it through a temporary object URL under `filename`
 * (fetched rather than linked, so an error shows as an error instead of a downloaded error page).
 */
export async function apiDownload(path: string, query: Query | undefined, filename: string): Promise<void> {
  const res = await send('GET', path, { query });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
