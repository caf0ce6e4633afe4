/**
 * The dashboard's API client: every call sends `Authorization: Bearer <token>`; a 401 forgets the token
 * and tells the app (event `hx:unauthorized`), which returns to the login page.
 */

const TOKEN_KEY = 'hx.token';

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

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the session lasts as long as the page
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
  token?: string;
  signal?: AbortSignal;
}

async function request<T>(method: string, path: string, opts: Options & { query?: Query; body?: unknown; text?: { body: string; type: string } }): Promise<T> {
  const res = await send(method, path, opts);
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.details);
  return body as T;
}

/** The fetch itself: the token, a JSON or text body, and the 401 handling every call shares. */
async function send(method: string, path: string, opts: Options & { query?: Query; body?: unknown; text?: { body: string; type: string } }): Promise<Response> {
  const token = opts.token ?? getToken() ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  let payload: string | undefined;
  if (opts.text) {
    headers['content-type'] = opts.text.type;
    payload = opts.text.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const res = await fetch(url(path, opts.query), { method, headers, body: payload, signal: opts.signal });
  if (res.status === 401 && opts.token === undefined) {
    setToken(null);
    window.dispatchEvent(new CustomEvent('hx:unauthorized'));
  }
  return res;
}

/** GET with an explicit token (the login check) or the stored one. */
export function apiGet<T>(path: string, query?: Query, opts: Options = {}): Promise<T> {
  return request<T>('GET', path, { ...opts, query });
}

/** POST or PUT a JSON body with the stored token. */
export function apiSend<T>(method: 'POST' | 'PUT', path: string, body: unknown, opts: Options = {}): Promise<T> {
  return request<T>(method, path, { ...opts, body });
}

/** DELETE with the stored token (a 204 answers null). */
export function apiDelete<T = null>(path: string, opts: Options = {}): Promise<T> {
  return request<T>('DELETE', path, opts);
}

/** POST or PUT a text body (a CSV upload) with the stored token. */
export function apiSendText<T>(method: 'POST' | 'PUT', path: string, text: string, contentType: string, opts: Options = {}): Promise<T> {
  return request<T>(method, path, { ...opts, text: { body: text, type: contentType } });
}

/**
 * Downloads a file the API answers (an export): it needs the token, so a plain link cannot fetch it; the
 * answer is saved through a temporary object URL under `filename`.
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
