import type { OlapStore } from '../../store/olap/index.ts';
import { tokenize } from '../../text/tokenize.ts';
import { datesIn, daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { keywordTrendsSql, searchOutcomesSql, zeroResultsSql } from './searchSql.ts';

/**
 * What shoppers search for and what comes of it, for searches in [from, to) in a reporting timezone
 * (docs/analytics-search.md).
 *
 * Definitions:
 * - search: a 'Products Searched' track event; its keyword is the query with whitespace collapsed,
 *   trimmed and lower-cased; blank queries are counted apart (`blank`) and in no keyword figure
 * - click-through: the same person views or clicks a product (Product Viewed / Product Clicked) within
 *   `clickMinutes` (default 30) after the search and before their next search
 * - purchase: the person completes an order within `windowHours` (default 24) after the search that
 *   contains a product they viewed from it; `orderRate` is the looser share with any order in that window
 * - zero-result: the search reported a result count (result_count, results_count or num_results) of 0;
 *   the rate is over the searches that reported a count (null when none did)
 * - person: identity-merged (person_ids), else userId, else anonymousId
 * Outcomes are followed past `to` by their windows. Terms are the jieba/Latin words of the keywords
 * (src/text/tokenize.ts), each counted once per query it occurs in, weighted by that query's searches.
 */

export interface SearchParams {
  from: string;
  to: string;
  tz: Timezone;
  clickMinutes?: number;
  windowHours?: number;
  /** keywords in the table (default 20) */
  limit?: number;
  /** keywords with a daily trend (the top ones; default 5) */
  trendKeywords?: number;
}

export interface KeywordRow {
  keyword: string;
  searches: number;
  searchers: number;
  clicked: number;
  /** clicked / searches */
  ctr: number;
  purchased: number;
  /** purchased / searches */
  conversion: number;
  ordered: number;
  /** ordered / searches */
  orderRate: number;
}

type Totals = Omit<KeywordRow, 'keyword'>;

export interface SearchReport {
  range: { from: string; to: string; tz: Timezone; days: number };
  settings: { clickMinutes: number; windowHours: number };
  totals: Totals & {
    /** distinct keywords searched */
    keywords: number;
    /** searches with a blank query (in no other figure) */
    blank: number;
  };
  /** the top `limit` keywords by searches */
  keywords: KeywordRow[];
  terms: { term: string; searches: number; queries: number }[];
  daily: ({ date: string } & Totals)[];
  trends: { keyword: string; points: { date: string; searches: number }[] }[];
}

export interface ZeroResultReport {
  range: { from: string; to: string; tz: Timezone; days: number };
  searches: number;
  /** searches that reported a result count, and how many of them found nothing */
  withResultCount: number;
  zeroResults: number;
  /** zeroResults / withResultCount; null when no search reported a count */
  zeroResultRate: number | null;
  keywords: { keyword: string; searches: number; withResultCount: number; zeroResults: number }[];
}

export const SEARCH_DEFAULTS = { clickMinutes: 30, windowHours: 24, limit: 20, trendKeywords: 5 } as const;
/** the most keywords read for the term counts */
export const MAX_KEYWORDS = 10_000;
const TERMS = 40;

const ratio = (a: number, b: number) => (b ? a / b : 0);
const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface OutcomeRow {
  kind: 'keyword' | 'day' | 'all'; keyword: string; day: string;
  searches: number; searchers: number; clicked: number; purchased: number; ordered: number; rows: number;
}

function totalsOf(r: OutcomeRow | undefined): Totals {
  const searches = Number(r?.searches ?? 0);
  const clicked = Number(r?.clicked ?? 0);
  const purchased = Number(r?.purchased ?? 0);
  const ordered = Number(r?.ordered ?? 0);
  return {
    searches, searchers: Number(r?.searchers ?? 0),
    clicked, ctr: ratio(clicked, searches),
    purchased, conversion: ratio(purchased, searches),
    ordered, orderRate: ratio(ordered, searches),
  };
}

function checkRange(p: { from: string; to: string }): number {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  return days;
}

export async function searchReport(olap: OlapStore, p: SearchParams): Promise<SearchReport> {
  const days = checkRange(p);
  const clickMinutes = p.clickMinutes ?? SEARCH_DEFAULTS.clickMinutes;
  const windowHours = p.windowHours ?? SEARCH_DEFAULTS.windowHours;
  const limit = p.limit ?? SEARCH_DEFAULTS.limit;
  const clickMs = clickMinutes * 60_000;
  const windowMs = windowHours * 3_600_000;
  const params = {
    from: p.from, to: p.to, tz: p.tz, clickMs, windowMs, reachMs: Math.max(clickMs, windowMs),
    maxKeywords: Math.max(MAX_KEYWORDS, limit), trendKeywords: p.trendKeywords ?? SEARCH_DEFAULTS.trendKeywords,
  };
  const db = olap.db;
  const [outcomes, trendRows] = await Promise.all([
    olap.query<OutcomeRow>(searchOutcomesSql(db), params),
    olap.query<{ keyword: string; day: string; searches: number }>(keywordTrendsSql(db), params),
  ]);

  const keywordRows = outcomes.filter((r) => r.kind === 'keyword');
  const byDay = new Map(outcomes.filter((r) => r.kind === 'day').map((r) => [r.day, r]));
  const dates = datesIn(p.from, p.to);
  const trendOf = new Map<string, Map<string, number>>();
  for (const r of trendRows) {
    if (r.keyword === '') continue;
    const m = trendOf.get(r.keyword) ?? new Map<string, number>();
    trendOf.set(r.keyword, m);
    m.set(r.day, Number(r.searches));
  }
  const total = (n: Map<string, number>) => [...n.values()].reduce((a, b) => a + b, 0);

  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    settings: { clickMinutes, windowHours },
    totals: {
      ...totalsOf(outcomes.find((r) => r.kind === 'all')),
      keywords: Number(keywordRows[0]?.rows ?? 0),
      blank: Number(trendRows.find((r) => r.keyword === '')?.searches ?? 0),
    },
    keywords: keywordRows.slice(0, limit).map((r) => ({ keyword: r.keyword, ...totalsOf(r) })),
    terms: termsOf(keywordRows.map((r) => ({ keyword: r.keyword, searches: Number(r.searches) }))),
    daily: dates.map((date) => ({ date, ...totalsOf(byDay.get(date)) })),
    trends: [...trendOf.entries()]
      .sort(([a, x], [b, y]) => total(y) - total(x) || bytewise(a, b))
      .map(([keyword, n]) => ({ keyword, points: dates.map((date) => ({ date, searches: n.get(date) ?? 0 })) })),
  };
}

/** Zero-result searches for [from, to): a separate, slower query, as it reads the events' JSON properties. */
export async function searchZeroResults(olap: OlapStore, p: { from: string; to: string; tz: Timezone; limit?: number }): Promise<ZeroResultReport> {
  const days = checkRange(p);
  const rows = await olap.query<{ keyword: string; searches: number; zero: number; counted: number; total_searches: number; total_zero: number; total_counted: number }>(
    zeroResultsSql(olap.db),
    { from: p.from, to: p.to, tz: p.tz, limit: p.limit ?? SEARCH_DEFAULTS.limit },
  );
  const withResultCount = Number(rows[0]?.total_counted ?? 0);
  const zeroResults = Number(rows[0]?.total_zero ?? 0);
  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    searches: Number(rows[0]?.total_searches ?? 0),
    withResultCount,
    zeroResults,
    zeroResultRate: withResultCount ? zeroResults / withResultCount : null,
    keywords: rows
      .filter((r) => Number(r.zero) > 0)
      .map((r) => ({ keyword: r.keyword, searches: Number(r.searches), withResultCount: Number(r.counted), zeroResults: Number(r.zero) })),
  };
}

/** The words of the queries: each counted once per query it occurs in, weighted by that query's searches. */
export function termsOf(queries: { keyword: string; searches: number }[], top = TERMS): SearchReport['terms'] {
  const terms = new Map<string, { searches: number; queries: number }>();
  for (const q of queries) {
    for (const term of new Set(tokenize(q.keyword))) {
      const t = terms.get(term) ?? { searches: 0, queries: 0 };
      terms.set(term, t);
      t.searches += q.searches;
      t.queries += 1;
    }
  }
  return [...terms.entries()]
    .map(([term, t]) => ({ term, ...t }))
    .sort((a, b) => b.searches - a.searches || b.queries - a.queries || bytewise(a.term, b.term))
    .slice(0, top);
}
