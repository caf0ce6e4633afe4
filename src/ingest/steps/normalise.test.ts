import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../events/index.ts';
import { normaliseMessage } from './normalise.ts';

const t = { receivedAt: Date.parse('2026-11-20T12:00:00Z'), maxFutureMs: 86_400_000 };
const msg = (m: Partial<Message>) => ({ type: 'track', event: 'E', anonymousId: 'a', ...m }) as Message;

describe('normaliseMessage', () => {
  it('corrects device clock skew from sentAt as Segment does', () => {
    // device clock 1 hour fast: event at 13:00 device time, sent at 13:00:05 device time, received at 12:00 true time
    const r = normaliseMessage(msg({ timestamp: Date.parse('2026-11-20T13:00:00Z'), sentAt: Date.parse('2026-11-20T13:00:05Z') }), t);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(new Date(r.value.timestamp).toISOString(), '2026-11-20T11:59:55.000Z');
      assert.equal(new Date(r.value.originalTimestamp).toISOString(), '2026-11-20T13:00:00.000Z');
    }
  });
  it('uses the batch sentAt when the message has none, and receivedAt when there is no timestamp', () => {
    const r = normaliseMessage(msg({ timestamp: t.receivedAt - 10_000 }), { ...t, batchSentAt: t.receivedAt + 60_000 });
    assert.ok(r.ok && r.value.timestamp === t.receivedAt - 70_000);
    const r2 = normaliseMessage(msg({}), t);
    assert.ok(r2.ok && r2.value.timestamp === t.receivedAt);
  });
  it('keeps a historical timestamp without sentAt (imports, backfills)', () => {
    const old = Date.parse('2011-12-09T12:50:00Z');
    const r = normaliseMessage(msg({ timestamp: old }), t);
    assert.ok(r.ok && r.value.timestamp === old);
  });
  it('rejects timestamps years in the future and before 1990', () => {
    const r = normaliseMessage(msg({ timestamp: Date.parse('2031-01-01T00:00:00Z') }), t);
    assert.ok(!r.ok && r.path === 'timestamp' && /years in the future/.test(r.message));
    const r2 = normaliseMessage(msg({ timestamp: 1_000 }), t);
    assert.ok(!r2.ok && /1990/.test(r2.message));
  });
  it('keeps a given messageId and makes one when absent', () => {
    const a = normaliseMessage(msg({ messageId: 'm-1' }), t);
    const b = normaliseMessage(msg({}), t);
    assert.ok(a.ok && a.value.messageId === 'm-1');
    assert.ok(b.ok && b.value.messageId.startsWith('hx-'));
  });
});
