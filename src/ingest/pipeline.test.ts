import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPipeline } from './pipeline.ts';

const cipher = { encrypt: (v: string) => `enc(${v.length})`, match: (v: string) => `h(${v})` };
const base = { receivedAt: Date.parse('2026-11-20T12:00:00Z'), requestId: 'r1', source: 'http', writeKeyId: 'wk', maxMessageBytes: 32_768, maxFutureMs: 86_400_000 };

describe('runPipeline', () => {
  it('stores the valid messages of a batch and rejects the others by index, with a dead letter each', () => {
    const out = runPipeline(
      {
        ...base,
        messages: [
          { type: 'track', anonymousId: 'a', event: 'Product Viewed', properties: { product_id: 'p1', price: 9.9 } },
          { type: 'nope', anonymousId: 'a' },
          { type: 'identify', anonymousId: 'a', userId: 'u', traits: { email: 'x@y.cn', age: 30 }, context: { ip: '10.1.2.3' } },
          { type: 'track', userId: 'u', event: 'Order Completed', properties: { revenue: 'abc' } },
        ],
      },
      cipher,
    );
    assert.deepEqual(out.rows.map((r) => r.type), ['track', 'identify']);
    assert.deepEqual(out.rejected.map((r) => [r.index, r.path]), [[1, 'type'], [3, 'properties.revenue']]);
    assert.equal(out.dead.length, 2);
    assert.match(out.dead[1]!.reason, /properties\.revenue/);
    assert.match(out.dead[1]!.payload, /"abc"/);
    const identify = out.rows[1]!;
    assert.equal(identify.traits, '{"age":30}');
    assert.equal(identify.email_hash, 'h(x@y.cn)');
    assert.equal(identify.ip_masked, '10.1.2.0');
    assert.equal(identify.distinct_id, 'a');
    assert.equal(out.rows[0]!.price, 9.9);
  });
  it('rejects a message over the size limit without touching its neighbours', () => {
    const out = runPipeline({ ...base, messages: [{ type: 'track', userId: 'u', event: 'A' }, { type: 'track', userId: 'u', event: 'B' }], sizes: [100, 40_000] }, cipher);
    assert.equal(out.rows.length, 1);
    assert.match(out.rejected[0]!.message, /40000 bytes; the limit is 32768/);
  });
  it('merges the batch context under each message’s own', () => {
    const out = runPipeline(
      { ...base, batchContext: { locale: 'zh-CN', os: { name: 'iOS' } }, messages: [{ type: 'page', anonymousId: 'a', name: 'Home', context: { locale: 'en-US' } }] },
      cipher,
    );
    assert.equal(out.rows[0]!.locale, 'en-US');
    assert.equal(out.rows[0]!.os_name, 'iOS');
  });
});
