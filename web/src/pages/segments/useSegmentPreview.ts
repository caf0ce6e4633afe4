import { useEffect, useState } from 'react';
import { apiSend } from '../../api.ts';
import type { Rule, SegmentPreview } from '../../types.ts';

/** A preview's answer, with the rule (as JSON text) it answers for. */
export type Counted = SegmentPreview & { rule: string };

export type PreviewState =
  | { status: 'idle' }
  | { status: 'running'; last: Counted | null }
  | { status: 'ok'; result: Counted }
  | { status: 'error'; message: string };

const DEBOUNCE_MS = 500;
export const SAMPLE = 10;

/** Who matches the rule now (POST /api/v1/segments/preview), asked again shortly after the rule stops changing. */
export function useSegmentPreview(rule: Rule | null): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const key = rule ? JSON.stringify(rule) : '';
  useEffect(() => {
    if (!rule) return setState({ status: 'idle' });
    const ctl = new AbortController();
    setState((s) => ({ status: 'running', last: s.status === 'ok' ? s.result : s.status === 'running' ? s.last : null }));
    const timer = setTimeout(() => {
      apiSend<SegmentPreview>('POST', '/api/v1/segments/preview', { rule, sample: SAMPLE }, { signal: ctl.signal }).then(
        (result) => setState({ status: 'ok', result: { ...result, rule: key } }),
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
