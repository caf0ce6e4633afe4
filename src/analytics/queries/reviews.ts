import type { OlapStore } from '../../store/olap/index.ts';
import { stopwords } from '../../text/tokenize.ts';
import { ASPECTS, activeModel, analyse, weightOf, LANGS, type Lang, type ModelSource, type SentimentModel } from '../sentiment/index.ts';
import { addDays, daysBetween } from '../dates.ts';
import type { Timezone } from '../timezones.ts';
import { NONE, reviewsSql, type Grouping, type ReviewLang } from './reviewsSql.ts';

/**
 * Reviews for [from, to) in a reporting timezone: the rating distribution, average rating and sentiment by
 * group (top category, brand or item), by week and by group and week, the words that carry positive and negative reviews,
 * and the aspects reviews talk about (docs/analytics-reviews.md).
 *
 * Counts and ratings are aggregated in ClickHouse over every review of the range. Sentiment is scored
 * here, per review, by the model in effect for its language (the shop's own when `huaxiang sentiment
 * train` saved one in the data dir, else the default): at most `cap` texts, a stable pseudo-random sample
 * (by a hash of the review key) when the range holds more — `totals.capped` says so.
 */

export interface ReviewsParams {
  from: string;
  to: string;
  tz: Timezone;
  by: Grouping;
  /** with by=category: levels of the '/'-separated category path (default 1, the top category) */
  categoryLevel?: number;
  lang: ReviewLang;
  /** data dir holding the shop's own models (models/sentiment-<lang>.json); none: defaults only */
  dataDir?: string;
  /** most texts scored (default 50,000) */
  cap?: number;
  /** most groups listed (default 50) */
  groups?: number;
  /** most terms per polarity (default 20) */
  terms?: number;
  /** how many groups get a weekly sentiment line (default 8) */
  trendGroups?: number;
}

export interface SentimentCell {
  /** reviews with text that were scored */
  scored: number;
  /** share of scored reviews the model reads as positive; null when none were scored */
  positiveShare: number | null;
}
export interface GroupRow extends SentimentCell { key: string; label: string; reviews: number; rated: number; avgRating: number | null }
export interface WeekRow extends SentimentCell { week: string; reviews: number; rated: number; avgRating: number | null }
export interface TermRow { term: string; lang: Lang; reviews: number; weight: number }
export interface AspectRow { aspect: string; name_zh: string; name_en: string; mentions: number; positive: number; positiveShare: number | null }
export interface ModelUsed { source: ModelSource; trainedOn: string; trainedAt: string; heldOutAccuracy: number | null }

export interface ReviewsReport {
  range: { from: string; to: string; tz: Timezone; days: number };
  by: Grouping;
  lang: ReviewLang;
  models: Record<Lang, ModelUsed>;
  totals: SentimentCell & { reviews: number; rated: number; avgRating: number | null; withText: number; capped: boolean; cap: number };
  /** counts of 1…5 stars, in that order */
  ratings: { rating: number; count: number }[];
  groups: GroupRow[];
  trend: WeekRow[];
  /** sentiment per week of the first `trendGroups` groups (most reviews first), over the scored reviews */
  groupTrend: { key: string; label: string; weeks: ({ week: string } & SentimentCell)[] }[];
  terms: { positive: TermRow[]; negative: TermRow[] };
  aspects: AspectRow[];
}

const DEFAULT_CAP = 50_000;

/**
 * Every count and average in one pass over the reviews: each review is counted three times over, under its
 * stars ('r'), its group ('g') and its week ('w').
 */
const countsSql = (db: string, by: Grouping) => `
SELECT x.1 AS kind, x.2 AS k, any(x.3) AS group_label, count() AS reviews, countIf(rating IS NOT NULL) AS rated,
       avgIf(rating, rating IS NOT NULL) AS avg_rating, countIf(body != '') AS with_text
FROM ${reviewsSql(db, by)}
ARRAY JOIN [
  ('r', toString(ifNull(rating, 0)), ''),
  ('g', if(grp = '', '${NONE}', grp), label),
  ('w', toString(toMonday(toDate(ts, {tz:String}))), '')
] AS x
GROUP BY kind, k
ORDER BY kind, reviews DESC, k`;

const textsSql = (db: string, by: Grouping) => `
SELECT review_key, toString(toMonday(toDate(ts, {tz:String}))) AS week, if(grp = '', '${NONE}', grp) AS key, lang, body
FROM ${reviewsSql(db, by)}
WHERE body != ''
ORDER BY cityHash64(review_key), review_key
LIMIT {cap:UInt32}`;

interface Tally { scored: number; positive: number }
const share = (t: Tally | undefined): SentimentCell => ({ scored: t?.scored ?? 0, positiveShare: t?.scored ? t.positive / t.scored : null });
const avg = (x: number | null | undefined, rated: number) => (rated > 0 && x !== null && x !== undefined && Number.isFinite(Number(x)) ? Number(x) : null);
const round = (x: number | null, places = 4) => (x === null ? null : Math.round(x * 10 ** places) / 10 ** places);

/** Mondays from the week holding `from` up to before `to`. */
export function weeksOf(from: string, to: string): string[] {
  const weekday = (new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7;
  const out: string[] = [];
  for (let w = addDays(from, -weekday); w < to; w = addDays(w, 7)) out.push(w);
  return out;
}

export async function reviews(olap: OlapStore, p: ReviewsParams): Promise<ReviewsReport> {
  const days = daysBetween(p.from, p.to);
  if (days < 1) throw new RangeError(`empty range: from ${p.from} must be before to ${p.to}`);
  const cap = p.cap ?? DEFAULT_CAP;
  const params = { from: p.from, to: p.to, tz: p.tz, lang: p.lang, level: p.categoryLevel ?? 1, cap, groups: p.groups ?? 50 };
  const db = olap.db;
  const [counts, texts] = await Promise.all([
    olap.query<{ kind: 'r' | 'g' | 'w'; k: string; group_label: string; reviews: number; rated: number; avg_rating: number | null; with_text: number }>(countsSql(db, p.by), params),
    olap.query<{ review_key: string; week: string; key: string; lang: Lang; body: string }>(textsSql(db, p.by), params),
  ]);
  const ratingRows = counts.filter((r) => r.kind === 'r').map((r) => ({ stars: Number(r.k), n: Number(r.reviews), with_text: Number(r.with_text) }));
  const groupRows = counts.filter((r) => r.kind === 'g').slice(0, params.groups).map((r) => ({ key: r.k, label: r.group_label, reviews: r.reviews, rated: r.rated, avg_rating: r.avg_rating }));
  const weekRows = counts.filter((r) => r.kind === 'w').map((r) => ({ week: r.k, reviews: r.reviews, rated: r.rated, avg_rating: r.avg_rating }));

  const models = Object.fromEntries(LANGS.map((l) => [l, activeModel(p.dataDir, l)])) as Record<Lang, { model: SentimentModel; source: ModelSource }>;
  const overall: Tally = { scored: 0, positive: 0 };
  const byWeek = new Map<string, Tally>();
  const byGroup = new Map<string, Tally>();
  const byGroupWeek = new Map<string, Tally>();
  const termCounts = new Map<string, { lang: Lang; term: string; pos: number; neg: number }>();
  const aspectCounts = ASPECTS.map(() => ({ mentions: 0, positive: 0 }));
  const bump = (m: Map<string, Tally>, k: string, positive: boolean) => {
    const t = m.get(k) ?? { scored: 0, positive: 0 };
    t.scored++;
    if (positive) t.positive++;
    m.set(k, t);
  };

  for (let i = 0; i < texts.length; i++) {
    // scoring is CPU work on the request path: let other requests through every so often
    if (i > 0 && i % 2000 === 0) await new Promise((r) => setImmediate(r));
    const row = texts[i]!;
    const { model } = models[row.lang];
    const reading = analyse(model, row.body);
    const pos = reading.positive;
    overall.scored++;
    if (pos) overall.positive++;
    bump(byWeek, row.week, pos);
    bump(byGroup, row.key, pos);
    bump(byGroupWeek, `${row.key}\u0000${row.week}`, pos);
    const words = new Set<string>();
    const aspectLogit = new Map<number, number>();
    for (const c of reading.clauses) {
      for (const w of c.plainWords) if (!stopwords.has(w)) words.add(w);
      for (const a of c.aspects) aspectLogit.set(a, (aspectLogit.get(a) ?? 0) + c.logit - model.bias);
    }
    for (const w of words) {
      const k = `${row.lang}\u0000${w}`;
      const t = termCounts.get(k) ?? { lang: row.lang, term: w, pos: 0, neg: 0 };
      if (pos) t.pos++;
      else t.neg++;
      termCounts.set(k, t);
    }
    for (const [a, z] of aspectLogit) {
      aspectCounts[a]!.mentions++;
      if (z + model.bias >= 0) aspectCounts[a]!.positive++;
    }
  }

  const topTerms = (sign: 1 | -1): TermRow[] =>
    [...termCounts.values()]
      .map((t) => ({ term: t.term, lang: t.lang, reviews: sign > 0 ? t.pos : t.neg, weight: weightOf(models[t.lang].model, t.term) }))
      .filter((t) => t.reviews > 0 && t.weight * sign >= 0.1)
      // frequent and strongly weighted first: a filler word the model barely weighs sinks below a rarer telling one
      .sort((a, b) => b.reviews * Math.abs(b.weight) - a.reviews * Math.abs(a.weight) || b.reviews - a.reviews || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
      .slice(0, p.terms ?? 20)
      .map((t) => ({ ...t, weight: round(t.weight, 3)! }));

  const starCount = (s: number) => Number(ratingRows.find((r) => Number(r.stars) === s)?.n ?? 0);
  const total = ratingRows.reduce((a, r) => a + Number(r.n), 0);
  const withText = ratingRows.reduce((a, r) => a + Number(r.with_text), 0);
  const rated = total - starCount(0);
  const starSum = [1, 2, 3, 4, 5].reduce((a, s) => a + s * starCount(s), 0);
  const weekMap = new Map(weekRows.map((r) => [r.week, r]));
  const weeks = weeksOf(p.from, p.to);

  return {
    range: { from: p.from, to: p.to, tz: p.tz, days },
    by: p.by,
    lang: p.lang,
    models: Object.fromEntries(LANGS.map((l) => {
      const { model, source } = models[l];
      return [l, { source, trainedOn: model.trainedOn, trainedAt: model.trainedAt, heldOutAccuracy: model.heldOut[0]?.accuracy ?? null }];
    })) as Record<Lang, ModelUsed>,
    totals: {
      reviews: total, rated, avgRating: round(rated ? starSum / rated : null), withText,
      capped: withText > cap, cap, ...roundCell(share(overall)),
    },
    ratings: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: starCount(rating) })),
    groups: groupRows.map((r) => ({
      key: r.key, label: r.label || r.key, reviews: Number(r.reviews), rated: Number(r.rated),
      avgRating: round(avg(r.avg_rating, Number(r.rated))), ...roundCell(share(byGroup.get(r.key))),
    })),
    groupTrend: groupRows.slice(0, p.trendGroups ?? 8).map((r) => ({
      key: r.key,
      label: r.label || r.key,
      weeks: weeks.map((week) => ({ week, ...roundCell(share(byGroupWeek.get(`${r.key}\u0000${week}`))) })),
    })),
    trend: weeks.map((week) => {
      const r = weekMap.get(week);
      return { week, reviews: Number(r?.reviews ?? 0), rated: Number(r?.rated ?? 0), avgRating: round(avg(r?.avg_rating, Number(r?.rated ?? 0))), ...roundCell(share(byWeek.get(week))) };
    }),
    terms: { positive: topTerms(1), negative: topTerms(-1) },
    aspects: ASPECTS.map((a, i) => ({
      aspect: a.code, name_zh: a.name_zh, name_en: a.name_en,
      mentions: aspectCounts[i]!.mentions, positive: aspectCounts[i]!.positive,
      positiveShare: round(aspectCounts[i]!.mentions ? aspectCounts[i]!.positive / aspectCounts[i]!.mentions : null),
    })).sort((a, b) => b.mentions - a.mentions || (a.aspect < b.aspect ? -1 : 1)),
  };
}

const roundCell = (c: SentimentCell): SentimentCell => ({ scored: c.scored, positiveShare: round(c.positiveShare) });
