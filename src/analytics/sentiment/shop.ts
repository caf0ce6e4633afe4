/**
 * Learning sentiment from the shop's own star-rated reviews: ratings are the labels (4–5★ positive, 1–2★
 * negative, 3★ left out as neither). 20% of the reviews are held out by a stable hash of the review key,
 * so a rerun on the same reviews holds out the same ones; the retrained model and the default model are
 * both measured on that held-out part. The model is saved as <data dir>/models/sentiment-<lang>.json,
 * which from then on takes precedence over the default (registry.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OlapStore } from '../../store/olap/index.ts';
import { ratedReviews, type RatedReview } from '../queries/reviewsRated.ts';
import { LANGS, type Lang } from './features.ts';
import { writeModel } from './model.ts';
import { activeModel, defaultModel, shopModelPath, type ModelSource } from './registry.ts';
import { evaluate, isHeldOut, train, type Evaluation, type Example } from './train.ts';

export const DEFAULT_MIN_REVIEWS = 200;
/** fewest reviews of the rarer class that training accepts */
export const MIN_PER_CLASS = 10;

export interface LangCounts {
  /** reviews with a rating and a text */
  rated: number;
  /** 3★, left out */
  neutral: number;
  positive: number;
  negative: number;
}

export interface TrainResult {
  lang: Lang;
  counts: LangCounts;
  trained: boolean;
  /** why not, when not trained */
  reason?: string;
  train?: number;
  heldOut?: number;
  shop?: Evaluation;
  default?: Evaluation;
  /** where the model was saved */
  file?: string;
}

export interface EvalResult {
  lang: Lang;
  counts: LangCounts;
  /** the model in effect */
  source: ModelSource;
  /** what it was measured on */
  set: string;
  active?: Evaluation;
  default?: Evaluation;
}

const labelled = (rs: RatedReview[]): (Example & { key: string })[] =>
  rs.filter((r) => r.rating !== 3).map((r) => ({ key: r.reviewKey, text: r.text, positive: r.rating >= 4 }));

function counts(rs: RatedReview[]): LangCounts {
  const c = { rated: rs.length, neutral: 0, positive: 0, negative: 0 };
  for (const r of rs) r.rating === 3 ? c.neutral++ : r.rating >= 4 ? c.positive++ : c.negative++;
  return c;
}

const HELD_OUT_SET = "held-out 20% of the shop's 1–2★/4–5★ reviews (by review id)";

export async function trainShopModels(olap: OlapStore, dataDir: string, o: { minReviews?: number; langs?: readonly Lang[]; seed?: number } = {}): Promise<TrainResult[]> {
  const min = o.minReviews ?? DEFAULT_MIN_REVIEWS;
  const all = await ratedReviews(olap);
  const out: TrainResult[] = [];
  for (const lang of o.langs ?? LANGS) {
    const rs = all.filter((r) => r.lang === lang);
    const c = counts(rs);
    const n = c.positive + c.negative;
    if (n < min) {
      out.push({ lang, counts: c, trained: false, reason: `${n} reviews rated 1–2★ or 4–5★, fewer than the minimum ${min}` });
      continue;
    }
    if (Math.min(c.positive, c.negative) < MIN_PER_CLASS) {
      out.push({ lang, counts: c, trained: false, reason: `${c.positive} positive and ${c.negative} negative reviews: each side needs at least ${MIN_PER_CLASS}` });
      continue;
    }
    const ex = labelled(rs);
    const test = ex.filter((e) => isHeldOut(e.key));
    const trainSet = ex.filter((e) => !isHeldOut(e.key));
    const model = train(trainSet, { lang, seed: o.seed ?? 1, trainedOn: `the shop's own ${trainSet.length} reviews rated 1–2★ (negative) or 4–5★ (positive), 80% by review id` });
    const shop = evaluate(model, test, HELD_OUT_SET);
    const def = evaluate(defaultModel(lang), test, HELD_OUT_SET);
    model.heldOut = [{ set: shop.set, n: shop.n, accuracy: shop.accuracy, majorityBaseline: shop.majorityBaseline }];
    const file = shopModelPath(dataDir, lang);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeModel(file, model);
    out.push({ lang, counts: c, trained: true, train: trainSet.length, heldOut: test.length, shop, default: def, file });
  }
  return out;
}

/** How the models in effect read the shop's rated reviews: a shop model on its held-out part, the default on all. */
export async function evaluateShopModels(olap: OlapStore, dataDir: string): Promise<EvalResult[]> {
  const all = await ratedReviews(olap);
  return LANGS.map((lang) => {
    const rs = all.filter((r) => r.lang === lang);
    const ex = labelled(rs);
    const { model, source } = activeModel(dataDir, lang);
    const set = source === 'shop' ? HELD_OUT_SET : "all the shop's 1–2★/4–5★ reviews";
    const on = source === 'shop' ? ex.filter((e) => isHeldOut(e.key)) : ex;
    if (on.length === 0) return { lang, counts: counts(rs), source, set };
    return { lang, counts: counts(rs), source, set, active: evaluate(model, on, set), default: evaluate(defaultModel(lang), on, set) };
  });
}
