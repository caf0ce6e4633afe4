/**
 * Training and evaluating sentiment models. Logistic regression over binary hashed features, fitted by
 * AdaGrad with L2 shrinkage over a fixed number of epochs in a seeded order, classes weighted to count
 * equally (a corpus of mostly-positive reviews must not teach "everything is positive").
 */
import { BUCKETS, featureBuckets, hashString, type Lang } from './features.ts';
import { logit, type HeldOut, type SentimentModel } from './model.ts';

export interface Example {
  text: string;
  /** true = positive */
  positive: boolean;
}

export interface TrainOptions {
  lang: Lang;
  trainedOn: string;
  epochs?: number;
  /** AdaGrad step */
  rate?: number;
  /** L2 shrinkage per update of a feature */
  l2?: number;
  seed?: number;
  buckets?: number;
}

/** A seeded generator (mulberry32) for the example order. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function train(examples: Example[], o: TrainOptions): SentimentModel {
  const buckets = o.buckets ?? BUCKETS;
  const epochs = o.epochs ?? 6;
  const rate = o.rate ?? 0.3;
  const l2 = o.l2 ?? 1e-3;
  const rows = examples.map((e) => ({ x: featureBuckets(e.text, o.lang, buckets), y: e.positive ? 1 : 0 }));
  const pos = rows.filter((r) => r.y === 1).length;
  const neg = rows.length - pos;
  if (pos === 0 || neg === 0) throw new RangeError(`training needs both positive and negative examples (got ${pos} positive, ${neg} negative)`);
  const classWeight = [rows.length / (2 * neg), rows.length / (2 * pos)];
  const w = new Float32Array(buckets);
  const g2 = new Float32Array(buckets);
  let bias = 0;
  let biasG2 = 0;
  const random = rng(o.seed ?? 1);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const r = rows[i]!;
      let z = bias;
      for (const b of r.x) z += w[b]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - r.y) * classWeight[r.y]!;
      for (const b of r.x) {
        const gb = g + l2 * w[b]!;
        g2[b]! += gb * gb;
        w[b]! -= (rate * gb) / Math.sqrt(g2[b]! + 1e-8);
      }
      biasG2 += g * g;
      bias -= (rate * g) / Math.sqrt(biasG2 + 1e-8);
    }
  }
  return { lang: o.lang, trainedOn: o.trainedOn, trainedAt: new Date().toISOString(), examples: rows.length, heldOut: [], buckets, bias, weights: w };
}

export interface Evaluation extends HeldOut {
  correct: number;
  positives: number;
  /** mean of the recall on positives and on negatives: 50% for any constant answer, whatever the class mix */
  balancedAccuracy: number;
}

/** Accuracy of a model on labelled examples, with the majority-class baseline of the same set. */
export function evaluate(m: SentimentModel, examples: Example[], set: string): Evaluation {
  let positives = 0;
  let truePos = 0;
  let trueNeg = 0;
  for (const e of examples) {
    const said = logit(m, e.text) >= 0;
    if (e.positive) positives++;
    if (said && e.positive) truePos++;
    if (!said && !e.positive) trueNeg++;
  }
  const n = examples.length;
  const correct = truePos + trueNeg;
  const recall = (hit: number, of: number) => (of ? hit / of : 1);
  return {
    set, n, correct, positives,
    accuracy: n ? correct / n : 0,
    balancedAccuracy: (recall(truePos, positives) + recall(trueNeg, n - positives)) / 2,
    majorityBaseline: n ? Math.max(positives, n - positives) / n : 0,
  };
}

/** Whether a keyed example is held out: a stable hash of its key, so the split never moves between runs. */
export const isHeldOut = (key: string, share = 0.2) => (hashString(`holdout:${key}`) % 10_000) < share * 10_000;

/** Splits examples into train and held-out parts by their keys. */
export function split<T>(items: T[], key: (t: T, i: number) => string, share = 0.2): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  items.forEach((t, i) => (isHeldOut(key(t, i), share) ? test : train).push(t));
  return { train, test };
}

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
