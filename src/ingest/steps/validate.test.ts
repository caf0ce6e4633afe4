import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateMessage } from './validate.ts';

const rejectsAt = (raw: unknown, path: string, message: RegExp) => {
  const r = validateMessage(raw);
  assert.equal(r.ok, false, 'rejected');
  if (!r.ok) {
    assert.equal(r.path, path);
    assert.match(r.message, message);
  }
};

describe('validateMessage', () => {
  it('accepts a Segment e-commerce track call and coerces numeric strings', () => {
    const r = validateMessage({
      type: 'track', anonymousId: 'a', event: 'Order Completed',
      properties: { order_id: 42, revenue: '99.50', products: [{ product_id: 1, price: 10, quantity: '2' }], extra: { x: 1 } },
    });
    assert.ok(r.ok);
    if (r.ok && r.value.type === 'track') {
      assert.equal(r.value.properties?.revenue, 99.5);
      assert.equal(r.value.properties?.order_id, '42');
      assert.equal(r.value.properties?.products?.[0]?.quantity, 2);
      assert.deepEqual(r.value.properties?.extra, { x: 1 }, 'unknown properties pass through');
    }
  });
  it('names the field of each kind of bad input', () => {
    rejectsAt('text', '', /JSON object/);
    rejectsAt({ anonymousId: 'a' }, 'type', /required/);
    rejectsAt({ type: 'purchase', anonymousId: 'a' }, 'type', /unknown type 'purchase'/);
    rejectsAt({ type: 'track', event: 'X' }, 'userId', /userId or anonymousId/);
    rejectsAt({ type: 'track', userId: 'u', event: 'X', properties: { revenue: 'abc' } }, 'properties.revenue', /number/);
    rejectsAt({ type: 'track', userId: 'u', event: 'X', properties: { products: { id: 1 } } }, 'properties.products', /array/);
    rejectsAt({ type: 'track', userId: 'u', event: 'X', properties: { products: [{ price: 'cheap' }] } }, 'properties.products.0.price', /number/);
    rejectsAt({ type: 'track', userId: 'u' }, 'event', /required/);
    rejectsAt({ type: 'track', userId: 'u', event: 'X', properties: { rating: 9 } }, 'properties.rating', /5/);
    rejectsAt({ type: 'track', userId: 'u', event: 'X', timestamp: 'yesterday' }, 'timestamp', /ISO-8601/);
    rejectsAt({ type: 'alias', userId: 'u' }, 'previousId', /.+/);
    rejectsAt({ type: 'identify', userId: 'u', traits: [1] }, 'traits', /object/);
  });
  it('accepts numeric ids as strings', () => {
    const r = validateMessage({ type: 'identify', userId: 123, traits: { name: '张三' } });
    assert.ok(r.ok && r.value.userId === '123');
  });
});
