import { useEffect, useState } from 'react';
import { apiSend } from '../../api.ts';
import type { TagPreview, TagSpec, ValueType } from '../../types.ts';

export type PreviewState =
  | { status: 'idle' }
  | { status: 'running'; last: TagPreview | null }
  | { status: 'ok'; result: TagPreview }
  | { status: 'error'; message: string };

const DEBOUNCE_MS = 600;

/** A dry run of a definition (POST /api/v1/tags/preview), asked again shortly after the definition stops changing. */
export function usePreview(valueType: ValueType, spec: TagSpec | null): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const key = spec ? JSON.stringify([valueType, spec]) : '';
  useEffect(() => {
    if (!spec) return setState({ status: 'idle' });
    const ctl = new AbortController();
    setState((s) => ({ status: 'running', last: s.status === 'ok' ? s.result : s.status === 'running' ? s.last : null }));
    const timer = setTimeout(() => {
      apiSend<TagPreview>('POST', '/api/v1/tags/preview', { valueType, spec }, { signal: ctl.signal }).then(
        (result) => setState({ status: 'ok', result }),
        (e: unknown) => {
          if (!ctl.signal.aborted) setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return state;
}
