import { olapOptions, workspacePlaces } from '../workspaces.ts';
import type { Config } from '../config.ts';
import { DEFAULT_MIN_REVIEWS, evaluateShopModels, percent, trainShopModels, type EvalResult, type Evaluation, type TrainResult } from '../analytics/sentiment/index.ts';
import { DataDirBusyError, lockDataDir } from '../store/lock.ts';
import { OlapStore } from '../store/olap/index.ts';
import { CliError, serverToken } from './import.ts';

export interface SentimentArgs {
  action: 'train' | 'eval';
  minReviews?: number;
}

const API = '/api/v1/analytics/reviews/sentiment';

/**
 * `huaxiang sentiment train|eval`: retrain the review-sentiment models on the shop's own star-rated reviews
 * (docs/analytics-reviews.md), or measure the models in effect on them. Reads the events store directly;
 * when a server holds the data dir the work runs inside it, through its API.
 */
export async function sentimentCommand(config: Config, args: SentimentArgs): Promise<void> {
  let result: { action: 'train'; results: TrainResult[] } | { action: 'eval'; results: EvalResult[] };
  try {
    const places = workspacePlaces(config, config.workspace);
    const lock = lockDataDir(config.dataDir, { command: `sentiment ${args.action}` });
    try {
      const olap = await OlapStore.open(olapOptions(config, places));
      try {
        result = args.action === 'train'
          ? { action: 'train', results: await trainShopModels(olap, places.dir, { minReviews: args.minReviews }) }
          : { action: 'eval', results: await evaluateShopModels(olap, places.dir) };
      } finally {
        await olap.close();
      }
    } finally {
      lock.release();
    }
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; running through it\n`);
    const auth = { authorization: `Bearer ${serverToken(config)}` };
    const res = args.action === 'train'
      ? await fetch(`${err.holder.url}${API}/train`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(args.minReviews ? { minReviews: args.minReviews } : {}) })
      : await fetch(`${err.holder.url}${API}`, { headers: auth });
    const body = (await res.json()) as { results: never[]; error?: { message: string } };
    if (!res.ok) throw new CliError(`server refused: ${body.error?.message ?? res.status}`);
    result = { action: args.action, results: body.results };
  }
  if (result.action === 'train') printTrain(result.results);
  else printEval(result.results);
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const acc = (e: Evaluation | undefined) => (e ? percent(e.accuracy) : '—');

export function printTrain(results: TrainResult[]): void {
  for (const r of results) {
    const c = r.counts;
    say(`${r.lang}: ${c.rated} rated reviews with text (${c.positive} at 4–5★, ${c.negative} at 1–2★, ${c.neutral} at 3★ left out)`);
    if (!r.trained) {
      say(`  not trained: ${r.reason}; the model in effect is unchanged`);
      continue;
    }
    say(`  trained on ${r.train}, held out ${r.heldOut} (20% by review id)`);
    say(`  held-out accuracy: retrained ${acc(r.shop)}, default ${acc(r.default)}, majority baseline ${r.shop ? percent(r.shop.majorityBaseline) : '—'}`);
    say(`  saved ${r.file}: it now takes precedence over the default ${r.lang} model`);
  }
}

export function printEval(results: EvalResult[]): void {
  for (const r of results) {
    say(`${r.lang}: model in effect: ${r.source === 'shop' ? "the shop's own (huaxiang sentiment train)" : 'the default'}; ${r.counts.positive + r.counts.negative} reviews at 1–2★ or 4–5★`);
    if (!r.active) {
      say('  nothing to measure on');
      continue;
    }
    say(`  on ${r.set} (n=${r.active.n}): ${r.source} ${acc(r.active)}${r.source === 'shop' ? `, default ${acc(r.default)}` : ''}, majority baseline ${percent(r.active.majorityBaseline)}`);
  }
}

export const SENTIMENT_USAGE = `usage: huaxiang sentiment train [--data DIR] [--min-reviews N] | huaxiang sentiment eval [--data DIR]
  (--min-reviews: fewest 1–2★/4–5★ reviews of a language to train on, default ${DEFAULT_MIN_REVIEWS})`;
