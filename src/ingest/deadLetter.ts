import { piiTraits } from './steps/protect.ts';

/** A row of the `dead_letters` table: a message that could not be stored, with the reason. */
export interface DeadLetter {
  received_at: number;
  request_id: string;
  source: string;
  batch_index: number;
  message_id: string;
  reason: string;
  details: string;
  payload: string;
}

const MAX_PAYLOAD = 64 * 1024;

export function deadLetter(
  raw: unknown,
  at: { receivedAt: number; requestId: string; source: string; index: number },
  path: string,
  message: string,
): DeadLetter {
  const payload = safeStringify(redactPii(raw));
  const messageId = typeof raw === 'object' && raw !== null ? String((raw as { messageId?: unknown }).messageId ?? '') : '';
  return {
    received_at: at.receivedAt,
    request_id: at.requestId,
    source: at.source,
    batch_index: at.index,
    message_id: messageId.slice(0, 256),
    reason: path ? `${path}: ${message}` : message,
    details: JSON.stringify({ path, message }),
    payload: payload.length > MAX_PAYLOAD ? payload.slice(0, MAX_PAYLOAD) : payload,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The message with the values of its PII traits (what protect encrypts) replaced, so a rejected message keeps no plain email, phone or ID number. */
function redactPii(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const scrub = (traits: unknown) =>
    isObject(traits) ? Object.fromEntries(Object.entries(traits).map(([k, v]) => [k, k in piiTraits && v !== null && v !== undefined && v !== '' ? '[redacted]' : v])) : traits;
  const out: Record<string, unknown> = { ...raw };
  if ('traits' in raw) out.traits = scrub(raw.traits);
  if (isObject(raw.context) && 'traits' in raw.context) out.context = { ...raw.context, traits: scrub(raw.context.traits) };
  return out;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
