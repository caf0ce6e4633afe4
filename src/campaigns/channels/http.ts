import type { DeliveryResult } from '../types.ts';

/**
 * How a provider's HTTP answer maps to a delivery result: 2xx delivered; 429 (rate limited), 408 and
 * 5xx retried with backoff; any other 4xx is final (the request itself is wrong: bad number, bad token,
 * bad credentials), so retrying it would only repeat the error.
 */
export function fromHttpStatus(status: number, detail: string): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true };
  const error = `HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
  return { ok: false, retryable: status === 429 || status === 408 || status >= 500, error };
}

/** A network failure (refused, reset, timed out): the provider may be back soon, so it is retried. */
export function fromNetworkError(err: unknown): DeliveryResult {
  const e = err as Error & { cause?: { code?: string } };
  return { ok: false, retryable: true, error: `network: ${e.cause?.code ?? e.name}: ${e.message}` };
}

/** A message the channel cannot send as it is (no address, channel not configured): final. */
export const refuse = (error: string): DeliveryResult => ({ ok: false, retryable: false, error });

/** Reads a response body as JSON when it is JSON, else null (providers answer HTML on some errors). */
export async function jsonOf(res: Response): Promise<{ text: string; json: Record<string, unknown> | null }> {
  const text = await res.text();
  try {
    const v = JSON.parse(text) as unknown;
    return { text, json: v && typeof v === 'object' ? (v as Record<string, unknown>) : null };
  } catch {
    return { text, json: null };
  }
}

/** ms a provider request may take before it counts as a network failure */
export const REQUEST_TIMEOUT_MS = 10_000;
