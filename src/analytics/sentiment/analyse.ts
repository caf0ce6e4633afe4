/**
 * One review read by a model: its score, and per clause the score, the words and the aspects named — so a
 * report can count terms and aspects without segmenting the text twice. The review's score equals
 * `logit(model, text)` (the distinct features of all clauses), a clause's score is the bias plus its own
 * features.
 */
import { aspectsOf } from './aspects.ts';
import { bucketOf, clauseFeatures, clauses, isNegatorWord } from './features.ts';
import type { SentimentModel } from './model.ts';

export interface ClauseReading {
  logit: number;
  /** words not under a negation, for term counts */
  plainWords: string[];
  aspects: number[];
}

export interface ReviewReading {
  logit: number;
  positive: boolean;
  clauses: ClauseReading[];
}

export function analyse(m: SentimentModel, text: string): ReviewReading {
  const all = new Set<number>();
  const parts: ClauseReading[] = [];
  for (const c of clauses(text)) {
    const { features, terms, words } = clauseFeatures(c, m.lang);
    const own = new Set(features.map((f) => bucketOf(f, m.buckets)));
    let z = m.bias;
    for (const b of own) {
      z += m.weights[b]!;
      all.add(b);
    }
    parts.push({ logit: z, plainWords: terms.filter((t) => !t.startsWith('!') && !isNegatorWord(t)), aspects: aspectsOf(c, words) });
  }
  let z = m.bias;
  for (const b of all) z += m.weights[b]!;
  return { logit: z, positive: z >= 0, clauses: parts };
}
