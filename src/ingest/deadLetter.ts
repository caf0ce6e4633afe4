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
  const payload = safeStringify(raw);
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

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
