import { randomUUID } from 'node:crypto';
import type { Message } from '../../events/index.ts';
import { ok, reject, type StepResult } from './result.ts';

export interface Timing {
  /** when the server received the request, ms since epoch */
  receivedAt: number;
  /** the batch envelope's sentAt, used when a message has none */
  batchSentAt?: number;
  /** how far past receivedAt a corrected timestamp may lie */
  maxFutureMs: number;
  /** false for imported history without a receive time (default true) */
  skewCorrection?: boolean;
}

export interface Normalised {
  message: Message;
  messageId: string;
  timestamp: number;
  originalTimestamp: number;
  sentAt: number | null;
  receivedAt: number;
}

// Before this the shop did not exist; a timestamp this old is a unit mistake (seconds for ms, say).
const EARLIEST = Date.UTC(1990, 0, 1);

/**
 * Clock-skew correction as Segment does it: the device clock may be wrong, but the gap between the
 * event and the send is measured on that same clock, so `timestamp = receivedAt − (sentAt − timestamp)`.
 */
export function normaliseMessage(m: Message, t: Timing): StepResult<Normalised> {
  const original = m.timestamp ?? m.originalTimestamp;
  const sentAt = m.sentAt ?? t.batchSentAt ?? null;
  let timestamp = original ?? t.receivedAt;
  if (original !== undefined && sentAt !== null && t.skewCorrection !== false) timestamp = t.receivedAt - (sentAt - original);
  const field = m.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
  if (timestamp > t.receivedAt + t.maxFutureMs) {
    return reject(field, `lies ${describe(timestamp - t.receivedAt)} in the future (after clock-skew correction)`);
  }
  if (timestamp < EARLIEST) return reject(field, 'lies before 1990-01-01');
  return ok({
    message: m,
    messageId: m.messageId || `hx-${randomUUID()}`,
    timestamp,
    originalTimestamp: original ?? timestamp,
    sentAt,
    receivedAt: t.receivedAt,
  });
}

function describe(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 365 ? `${(days / 365).toFixed(1)} years` : days >= 1 ? `${days.toFixed(1)} days` : `${Math.round(ms / 60_000)} minutes`;
}
