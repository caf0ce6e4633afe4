/** First-party storage: cookies and localStorage, each of which may be blocked (private mode, policies). */

export function getItem(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function setItem(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // full or blocked: the in-memory copy still works for this page
  }
}

/** localStorage keys that start with `prefix`. */
export function keys(prefix: string): string[] {
  const out: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix)) out.push(k);
    }
  } catch {
    // blocked
  }
  return out;
}

export function getCookie(name: string): string | null {
  try {
    for (const part of document.cookie.split('; ')) {
      const eq = part.indexOf('=');
      if (part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
    }
  } catch {
    // cookies blocked
  }
  return null;
}

/** A first-party cookie on this site (or `domain`), SameSite=Lax; `null` deletes it. */
export function setCookie(name: string, value: string | null, days: number, domain?: string): void {
  try {
    document.cookie =
      `${name}=${value === null ? '' : encodeURIComponent(value)}; path=/; max-age=${value === null ? 0 : Math.round(days * 86_400)}; SameSite=Lax` +
      (domain ? `; domain=${domain}` : '') +
      (location.protocol === 'https:' ? '; Secure' : '');
  } catch {
    // cookies blocked
  }
}

/** A random v4 UUID; crypto.getRandomValues works on plain-http pages too, where randomUUID does not exist. */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  let s = '';
  for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i]! + 256).toString(16).slice(1);
  return s;
}

/** Reads an id Segment's analytics.js left behind (cookie value, or a JSON string in localStorage). */
export function segmentId(name: string): string | null {
  const raw = getCookie(name) ?? getItem(name);
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' && v ? v : null;
  } catch {
    return raw;
  }
}
