import type { EventRow } from '../events/index.ts';
import { deadLetter, type DeadLetter } from './deadLetter.ts';
import { normaliseMessage } from './steps/normalise.ts';
import type { PiiCipher } from './steps/protect.ts';
import { toRow } from './steps/toRow.ts';
import { validateMessage } from './steps/validate.ts';

export interface Rejection {
  index: number;
  path: string;
  message: string;
}

export interface PipelineInput {
  messages: readonly unknown[];
  receivedAt: number;
  batchSentAt?: number;
  /** batch-level context, merged under each message's own */
  batchContext?: Record<string, unknown>;
  requestId: string;
  source: string;
  writeKeyId: string;
  maxMessageBytes: number;
  maxFutureMs: number;
  /** byte size of each message, when the caller knows it (over-size messages are rejected) */
  sizes?: readonly number[];
  /**
   * Imported history rather than live traffic: the clock-skew correction uses the message's own
   * `receivedAt` (as Segment exports carry it) and is skipped when there is none.
   */
  historical?: boolean;
}

export interface PipelineOutput {
  rows: EventRow[];
  rejected: Rejection[];
  dead: DeadLetter[];
}

/**
 * validate → normalise → protect → row, per message. Dedupe and identity need the store and run in
 * the writer, once per flush. A rejected message never stops the others.
 */
export function runPipeline(input: PipelineInput, cipher: PiiCipher): PipelineOutput {
  const out: PipelineOutput = { rows: [], rejected: [], dead: [] };
  input.messages.forEach((raw, index) => {
    const fail = (path: string, message: string) => {
      out.rejected.push({ index, path, message });
      out.dead.push(deadLetter(raw, { receivedAt: input.receivedAt, requestId: input.requestId, source: input.source, index }, path, message));
    };
    const size = input.sizes?.[index];
    if (size !== undefined && size > input.maxMessageBytes) {
      return fail('', `message is ${size} bytes; the limit is ${input.maxMessageBytes}`);
    }
    const withContext =
      input.batchContext && typeof raw === 'object' && raw !== null
        ? { ...raw, context: { ...input.batchContext, ...((raw as { context?: object }).context ?? {}) } }
        : raw;
    const valid = validateMessage(withContext);
    if (!valid.ok) return fail(valid.path, valid.message);
    const own = input.historical ? Date.parse(String((raw as { receivedAt?: unknown }).receivedAt ?? '')) : NaN;
    const normal = normaliseMessage(
      input.historical && !Number.isFinite(own) ? { ...valid.value, sentAt: undefined } : valid.value,
      {
        receivedAt: Number.isFinite(own) ? own : input.receivedAt,
        batchSentAt: input.historical ? undefined : input.batchSentAt,
        maxFutureMs: input.maxFutureMs,
        // without a receive time of its own, an imported message keeps its timestamp as it is
        skewCorrection: !input.historical || Number.isFinite(own),
      },
    );
    if (!normal.ok) return fail(normal.path, normal.message);
    out.rows.push(toRow(normal.value, cipher, input.writeKeyId));
  });
  return out;
}
