import type { EventRow } from '../events/index.ts';

/** A claim, carried by one message, that two ids belong to one person. */
export interface IdentityLink {
  /** the id being joined (an anonymousId, or the old id of an alias) */
  from: string;
  /** the known user id it joins */
  to: string;
  via: 'identify' | 'alias' | 'event';
  messageId: string;
}

/**
 * Segment semantics: `identify` (and any message that carries both ids) ties its anonymousId to the
 * userId; `alias` ties previousId to userId, merging what was known under the old id.
 */
export function linksOf(row: EventRow): IdentityLink[] {
  if (row.type === 'alias' && row.previous_id && row.user_id && row.previous_id !== row.user_id) {
    return [{ from: row.previous_id, to: row.user_id, via: 'alias', messageId: row.message_id }];
  }
  if (row.anonymous_id && row.user_id) {
    return [{ from: row.anonymous_id, to: row.user_id, via: row.type === 'identify' ? 'identify' : 'event', messageId: row.message_id }];
  }
  if (row.user_id) return [{ from: row.user_id, to: row.user_id, via: 'event', messageId: row.message_id }];
  return [];
}
