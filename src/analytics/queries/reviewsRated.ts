import type { OlapStore } from '../../store/olap/index.ts';
import type { Lang } from '../sentiment/index.ts';
import { reviewsSql } from './reviewsSql.ts';

export interface RatedReview {
  reviewKey: string;
  rating: number;
  lang: Lang;
  text: string;
}

/**
 * Every review with both a star rating and a text, one row per review key (first occurrence), for
 * training and evaluating sentiment models on the shop's own reviews. `to` (exclusive, YYYY-MM-DD in UTC)
 * bounds it; it defaults to 2100-01-01 (DateTime ends in 2106).
 */
export async function ratedReviews(olap: OlapStore, o: { lang?: Lang; to?: string } = {}): Promise<RatedReview[]> {
  const rows = await olap.query<{ review_key: string; rating: number; lang: Lang; body: string }>(
    `SELECT review_key, rating, lang, body FROM ${reviewsSql(olap.db, 'item', false)}
     WHERE rating IS NOT NULL AND rating BETWEEN 1 AND 5 AND body != ''
     ORDER BY review_key`,
    { to: o.to ?? '2100-01-01', tz: 'UTC', lang: o.lang ?? 'all', level: 1 },
  );
  return rows.map((r) => ({ reviewKey: r.review_key, rating: Number(r.rating), lang: r.lang, text: r.body }));
}
