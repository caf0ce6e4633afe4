import { useEffect, useState } from 'react';
import { apiSend } from '../../api.ts';

export type PostState<T> =
  | { status: 'idle' }
  | { status: 'running'; last: T | null }
  | { status: 'ok'; result: T }
  | { status: 'error'; message: string; last: T | null };

/**
 * POSTs `body` to `path` shortly after it stops changing (nothing while it is null) and keeps the latest
 * answer; an answer to an older body is dropped. The live audience count and the message preview use it.
 */
export function useDebouncedPost<T>(path: string, body: unknown, delayMs = 500): PostState<T> {
  const [state, setState] = useState<PostState<T>>({ status: 'idle' });
  const key = body === null ? '' : JSON.stringify(body);
  useEffect(() => {
    if (body === null) return setState({ status: 'idle' });
    const ctl = new AbortController();
    const lastOf = (s: PostState<T>) => (s.status === 'ok' ? s.result : s.status === 'idle' ? null : s.last);
    setState((s) => ({ status: 'running', last: lastOf(s) }));
    const timer = setTimeout(() => {
      apiSend<T>('POST', path, body, { signal: ctl.signal }).then(
        (result) => setState({ status: 'ok', result }),
        (e: unknown) => {
          if (!ctl.signal.aborted) setState((s) => ({ status: 'error', message: e instanceof Error ? e.message : String(e), last: lastOf(s) }));
        },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [path, key]); // eslint-disable-line react-hooks/exhaustive-deps
  return state;
}
