import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRow } from '../events/index.ts';
import { linksOf } from './links.ts';

const row = (r: Partial<EventRow>) => ({ message_id: 'm', type: 'track', anonymous_id: '', user_id: '', previous_id: '', ...r }) as EventRow;

describe('linksOf', () => {
  it('ties an anonymousId to the userId of the same message', () => {
    assert.deepEqual(linksOf(row({ type: 'identify', anonymous_id: 'a', user_id: 'u' })), [{ from: 'a', to: 'u', via: 'identify', messageId: 'm' }]);
    assert.equal(linksOf(row({ anonymous_id: 'a', user_id: 'u' }))[0]!.via, 'event');
  });
  it('ties previousId to userId for alias', () => {
    assert.deepEqual(linksOf(row({ type: 'alias', previous_id: 'old', user_id: 'new' })), [{ from: 'old', to: 'new', via: 'alias', messageId: 'm' }]);
  });
  it('registers a lone userId and ignores a lone anonymousId', () => {
    assert.deepEqual(linksOf(row({ user_id: 'u' })).map((l) => [l.from, l.to]), [['u', 'u']]);
    assert.deepEqual(linksOf(row({ anonymous_id: 'a' })), []);
  });
});
