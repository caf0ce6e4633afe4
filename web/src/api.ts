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

/** GET with an explicit token (the login check) or the stored one. */
export async function apiGet<T>(path: string, query?: Query, opts: { token?: string; signal?: AbortSignal } = {}): Promise<T> {
  const token = opts.token ?? getToken() ?? '';
  const res = await fetch(url(path, query), { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: opts.signal });
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (res.status === 401 && opts.token === undefined) {
    setToken(null);
    window.dispatchEvent(new CustomEvent('hx:unauthorized'));
  }
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body as T;
}
