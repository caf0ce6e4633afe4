/**
 * The shop's reviews as one row each, shared by the reviews report and by `huaxiang sentiment train`.
 *
 * A review is a 'Product Reviewed' track event; its key is `properties.review_id` (else the message id) and
 * a review sent twice counts once, at its first occurrence. Text is `properties.review_body`, rating the
 * typed `rating` column (NULL when absent). Category and brand come from the event, else from the item
 * catalog (latest row per item); the category group is the category path cut to `level` levels of its
 * '/' path (as in the sessions report). Language is zh when the text has a Han character, else en (as
 * detectLang in sentiment/features.ts); a review without text has none and is only in lang=all.
 * The review messages come from `review_events` (migration 005), their key and text taken out of the
 * JSON properties once, when the event was stored.
 */
import type { Timezone } from '../timezones.ts';

export const GROUPINGS = ['category', 'brand', 'item'] as const;
export type Grouping = (typeof GROUPINGS)[number];
export const REVIEW_LANGS = ['all', 'zh', 'en'] as const;
export type ReviewLang = (typeof REVIEW_LANGS)[number];

/** '' (never recorded) is reported as this */
export const NONE = '(none)';

/** the language of a text, in SQL: the same rule as detectLang; '' for no text (such a review is only in lang=all) */
export const langOf = (col: string) => `multiIf(${col} = '', '', match(${col}, '\\\\p{Han}'), 'zh', 'en')`;

/** The group key and its display label for a grouping; identifiers only, never values. */
const groupColumns: Record<Grouping, { key: string; label: string }> = {
  category: { key: `arrayStringConcat(arraySlice(splitByChar('/', if(r.category != '', r.category, it.category)), 1, {level:UInt8}), '/')`, label: 'grp' },
  brand: { key: `if(r.brand != '', r.brand, it.brand)`, label: 'grp' },
  item: { key: 'r.product_id', label: `if(title != '', title, product_id)` },
};

/**
 * Reviews first posted before {to:Date} (and on or after {from:Date} when `bounded`), with columns:
 * review_key, ts, product_id, rating, body, lang, grp (group key, '' when unknown), label.
 * Params: to, tz, lang (all|zh|en), level (category levels), and from when bounded.
 */
export function reviewsSql(db: string, by: Grouping, bounded = true): string {
  const g = groupColumns[by];
  return `(
  SELECT review_key, ts, product_id, rating, body, lang, grp, ${g.label} AS label
  FROM (
    SELECT r.review_key AS review_key, r.ts AS ts, r.product_id AS product_id, r.rating AS rating, r.body AS body,
           ${langOf('r.body')} AS lang, ${g.key} AS grp, it.title AS title
    FROM (
      SELECT
        review_key,
        min(timestamp) AS ts,
        argMin(product_id, timestamp) AS product_id,
        argMin(category, timestamp) AS category,
        argMin(brand, timestamp) AS brand,
        -- through a tuple: argMin alone would skip a NULL rating and take a later resend's stars
        argMin(tuple(rating), timestamp).1 AS rating,
        argMin(body, timestamp) AS body
      FROM ${db}.review_events
      GROUP BY review_key
      HAVING ts < toDateTime({to:Date}, {tz:String})
    ) AS r
    LEFT JOIN (
      SELECT item_id, argMax(title, updated_at) AS title, argMax(category, updated_at) AS category, argMax(brand, updated_at) AS brand
      FROM ${db}.items
      GROUP BY item_id
    ) AS it ON it.item_id = r.product_id
    WHERE ${bounded ? 'r.ts >= toDateTime({from:Date}, {tz:String})' : 'true'}
  )
  WHERE {lang:String} = 'all' OR lang = {lang:String}
)`;
}

export interface ReviewsSqlParams {
  from?: string;
  to: string;
  tz: Timezone;
  lang: ReviewLang;
  level: number;
}
