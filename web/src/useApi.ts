import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet, ApiError } from './api.ts';

export type Loaded<T> =
  /** while reloading the same address, `data` is still the previous answer */
  | { status: 'loading'; data?: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: ApiError | Error }
  | { status: 'ok'; data: T; error?: undefined };

/**
 * GETs `path` (nothing while it is null) and re-asks when the path, the query or `reload()` changes;
 * an answer to an older request is dropped. A reload keeps showing the previous answer until the new one.
 */
export function useApi<T>(path: string | null, query?: Record<string, string | number | undefined>): Loaded<T> & { reload(): void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const last = useRef('');
  const key = JSON.stringify(query ?? {});
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data !== undefined && last.current === path + key ? s.data : undefined }));
    last.current = path + key;
    apiGet<T>(path, query, { signal: ctl.signal }).then(
      (data) => setState({ status: 'ok', data }),
      (e: unknown) => {
        if (!ctl.signal.aborted) setState({ status: 'error', error: e instanceof Error ? e : new Error(String(e)) });
      },
    );
    return () => ctl.abort();
  }, [path, key, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
