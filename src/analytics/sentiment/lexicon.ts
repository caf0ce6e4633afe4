/**
 * A model made from a word list instead of training: each word of a valence lexicon (AFINN-165: English
 * words rated −5…+5) gets its rating × `perPoint` as weight, the same word negated (`!word`, see
 * features.ts) the opposite sign at `negated` strength, two-word entries become bigram weights. Used for
 * the default English model because no English review corpus ships beside the project.
 */
import { BUCKETS, bucketOf, type Lang } from './features.ts';
import type { SentimentModel } from './model.ts';

export function lexiconModel(lexicon: Record<string, number>, o: { lang: Lang; trainedOn: string; perPoint?: number; negated?: number; bias?: number }): SentimentModel {
  const perPoint = o.perPoint ?? 0.5;
  const negated = o.negated ?? 0.75;
  const weights = new Float32Array(BUCKETS);
  for (const [entry, score] of Object.entries(lexicon)) {
    const words = entry.toLowerCase().split(/\s+/);
    if (words.length === 1) {
      weights[bucketOf(words[0]!)] = score * perPoint;
      weights[bucketOf(`!${words[0]}`)] = -score * perPoint * negated;
    } else if (words.length === 2) {
      weights[bucketOf(`${words[0]}|${words[1]}`)] = score * perPoint;
    }
  }
  return { lang: o.lang, trainedOn: o.trainedOn, trainedAt: new Date().toISOString(), examples: 0, heldOut: [], buckets: BUCKETS, bias: o.bias ?? 0, weights };
}
