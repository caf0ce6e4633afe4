import { classification } from '../privacy/classification.ts';
import { scrubPii } from '../privacy/detect.ts';
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

/**
 * The message with its personal data out, so a rejected message keeps no plain email, phone or ID number:
 * the values of PII traits (what protect encrypts, and traits or properties the classification names `pii`)
 * replaced by `[redacted]`, and personal data found in any other string of traits, properties or context
 * masked as ingestion masks it (`139****4321`).
 */
function redactPii(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const c = classification();
  const redact = (o: unknown, isPii: (k: string) => boolean) =>
    isObject(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isPii(k) && v !== null && v !== undefined && v !== '' ? '[redacted]' : v])) : o;
  const traits = (t: unknown) => scrubPii(redact(t, (k) => k in piiTraits || c.trait(k) === 'pii')).value;
  const out: Record<string, unknown> = { ...raw };
  if ('traits' in raw) out.traits = traits(raw.traits);
  if ('properties' in raw) out.properties = scrubPii(redact(raw.properties, (k) => c.property(k) === 'pii')).value;
  if (isObject(raw.context)) out.context = scrubPii({ ...raw.context, ...('traits' in raw.context ? { traits: traits(raw.context.traits) } : {}) }).value;
  return out;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
