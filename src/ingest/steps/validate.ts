import { messageSchemas, messageTypes, type Message, type MessageType } from '../../events/index.ts';
import { ok, reject, type StepResult } from './result.ts';

/** Checks one raw message against the Segment spec and the e-commerce property types. */
export function validateMessage(raw: unknown): StepResult<Message> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('', 'message must be a JSON object');
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return reject('type', `is required: one of ${messageTypes.join(', ')}`);
  if (!(messageTypes as readonly string[]).includes(type)) {
    return reject('type', `unknown type '${type.slice(0, 40)}': expected one of ${messageTypes.join(', ')}`);
  }
  const parsed = messageSchemas[type as MessageType].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return reject(issue.path.map(String).join('.'), issue.message);
  }
  const m = parsed.data as Message;
  if (!m.userId && !m.anonymousId) return reject('userId', 'either userId or anonymousId is required');
  return ok(m);
}
