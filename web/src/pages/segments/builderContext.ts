import { createContext, useContext } from 'react';
import type { Segment, Tag } from '../../types.ts';
import type { TagTypes } from './ruleDraft.ts';

/** What every row of the rule builder reads: the tag catalog (pickers, value types) and the saved segments. */
export interface BuilderData {
  tags: Tag[];
  byCode: ReadonlyMap<string, Tag>;
  types: TagTypes;
  /** segments a `{ segment }` condition may refer to (the one being edited is left out) */
  segments: Segment[];
}

export const BuilderCtx = createContext<BuilderData | null>(null);

export function useBuilder(): BuilderData {
  const v = useContext(BuilderCtx);
  if (!v) throw new Error('useBuilder outside BuilderCtx');
  return v;
}

/** Trait paths offered in the trait picker (any path of up to four dotted names works). */
export const TRAITS = ['gender', 'age', 'city_tier', 'address.city', 'address.province', 'plan', 'vip', 'acquisition_channel', 'createdAt', 'consent.marketing', 'consent.personalization'];

/** Event-level fields a segment's event filter may use (line.* and item.* are refused there). */
export const EVENT_FIELDS = [
  'revenue', 'discount', 'price', 'quantity', 'rating', 'dwell_seconds', 'category', 'top_category', 'brand', 'product_id', 'order_id', 'coupon', 'query',
  'share_to', 'session_id', 'device_type', 'os_name', 'locale', 'utm_source', 'utm_medium', 'utm_campaign', 'page_path', 'hour', 'weekday', 'date',
];
