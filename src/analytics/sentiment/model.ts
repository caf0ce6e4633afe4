/**
 * A sentiment model: logistic regression over hashed text features (features.ts). P(positive) =
 * σ(bias + Σ weight[bucket]) over the distinct buckets of a text. Stored compactly: the kept buckets as
 * varint-coded gaps and their weights as int16 (× scale), both base64, inside a small JSON document
 * that also says what the model was trained on and how it scored on held-out data.
 */
import fs from 'node:fs';
import { BUCKETS, FEATURE_VERSION, bucketOf, detectLang, featureBuckets, type Lang } from './features.ts';

export const MODEL_FORMAT = 'huaxiang-sentiment/1';

export interface HeldOut {
  /** what the held-out reviews are */
  set: string;
  n: number;
  accuracy: number;
  /** accuracy of always answering the held-out set's more common class */
  majorityBaseline: number;
}

export interface ModelInfo {
  lang: Lang;
  /** where the training texts came from, in words */
  trainedOn: string;
  trainedAt: string;
  examples: number;
  heldOut: HeldOut[];
}

export interface SentimentModel extends ModelInfo {
  buckets: number;
  bias: number;
  weights: Float32Array;
}

interface ModelFile extends ModelInfo {
  format: string;
  features: string;
  buckets: number;
  bias: number;
  scale: number;
  /** varint-coded gaps between kept bucket numbers, base64 */
  index: string;
  /** int16 little-endian weights of the kept buckets, base64 */
  weights: string;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Raw score (log-odds of positive) of a text. */
export function logit(m: SentimentModel, text: string): number {
  let z = m.bias;
  for (const b of featureBuckets(text, m.lang, m.buckets)) z += m.weights[b]!;
  return z;
}

/** P(positive) of a text. */
export const probability = (m: SentimentModel, text: string) => sigmoid(logit(m, text));

/** The weight of one feature string (a word, `!word` for a negated one, `a|b` for a bigram). */
export const weightOf = (m: SentimentModel, feature: string) => m.weights[bucketOf(feature, m.buckets)]!;

export const isPositive = (m: SentimentModel, text: string) => logit(m, text) >= 0;

/** Serialises a model, keeping at most `keep` buckets with the largest |weight|. */
export function encodeModel(m: SentimentModel, keep = 120_000): string {
  const idx: number[] = [];
  for (let i = 0; i < m.weights.length; i++) if (m.weights[i] !== 0) idx.push(i);
  let kept = idx;
  if (idx.length > keep) {
    const cut = idx.map((i) => Math.abs(m.weights[i]!)).sort((a, b) => b - a)[keep - 1]!;
    kept = idx.filter((i) => Math.abs(m.weights[i]!) >= cut).slice(0, keep);
  }
  const max = kept.reduce((a, i) => Math.max(a, Math.abs(m.weights[i]!)), 0) || 1;
  const scale = max / 32767;
  const gaps: number[] = [];
  let prev = -1;
  for (const i of kept) {
    let gap = i - prev;
    prev = i;
    while (gap >= 0x80) {
      gaps.push((gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    gaps.push(gap);
  }
  const w = Buffer.alloc(kept.length * 2);
  kept.forEach((i, k) => w.writeInt16LE(Math.round(m.weights[i]! / scale), k * 2));
  const file: ModelFile = {
    format: MODEL_FORMAT,
    features: FEATURE_VERSION,
    lang: m.lang,
    trainedOn: m.trainedOn,
    trainedAt: m.trainedAt,
    examples: m.examples,
    heldOut: m.heldOut,
    buckets: m.buckets,
    bias: m.bias,
    scale,
    index: Buffer.from(gaps).toString('base64'),
    weights: w.toString('base64'),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

export function decodeModel(text: string, source = 'model'): SentimentModel {
  const f = JSON.parse(text) as ModelFile;
  if (f.format !== MODEL_FORMAT) throw new ModelFormatError(`${source}: not a ${MODEL_FORMAT} file (format '${f.format}')`);
  if (f.features !== FEATURE_VERSION) throw new ModelFormatError(`${source}: trained on features '${f.features}', this version computes '${FEATURE_VERSION}'; retrain it`);
  const weights = new Float32Array(f.buckets);
  const gaps = Buffer.from(f.index, 'base64');
  const w = Buffer.from(f.weights, 'base64');
  let at = -1;
  let k = 0;
  for (let p = 0; p < gaps.length;) {
    let gap = 0;
    for (let shift = 0; ; shift += 7) {
      const b = gaps[p++]!;
      gap |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    at += gap;
    weights[at] = w.readInt16LE(k++ * 2) * f.scale;
  }
  return { lang: f.lang, trainedOn: f.trainedOn, trainedAt: f.trainedAt, examples: f.examples, heldOut: f.heldOut, buckets: f.buckets, bias: f.bias, weights };
}

export const readModel = (file: string) => decodeModel(fs.readFileSync(file, 'utf8'), file);

export function writeModel(file: string, m: SentimentModel, keep?: number): void {
  fs.writeFileSync(file, encodeModel(m, keep));
}

export const emptyModel = (lang: Lang, buckets = BUCKETS): SentimentModel => ({
  lang, trainedOn: '', trainedAt: new Date(0).toISOString(), examples: 0, heldOut: [], buckets, bias: 0, weights: new Float32Array(buckets),
});

export { detectLang };
