/**
 * Which model scores a language: the shop's own (`<data dir>/models/sentiment-<lang>.json`, written by
 * `huaxiang sentiment train`) when present, else the default shipped beside this file (model-<lang>.json,
 * made by scripts/sentiment-train.ts). Models are read once and re-read when their file changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from './features.ts';
import { readModel, type SentimentModel } from './model.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export const defaultModelPath = (lang: Lang) => path.join(here, `model-${lang}.json`);
export const shopModelPath = (dataDir: string, lang: Lang) => path.join(dataDir, 'models', `sentiment-${lang}.json`);

const cache = new Map<string, { mtimeMs: number; model: SentimentModel }>();

function load(file: string): SentimentModel {
  const mtimeMs = fs.statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.model;
  const model = readModel(file);
  cache.set(file, { mtimeMs, model });
  return model;
}

export const defaultModel = (lang: Lang) => load(defaultModelPath(lang));

export type ModelSource = 'shop' | 'default';

/** The model in effect for a language in a data dir, and where it came from. */
export function activeModel(dataDir: string | undefined, lang: Lang): { model: SentimentModel; source: ModelSource } {
  const own = dataDir === undefined ? null : shopModelPath(dataDir, lang);
  if (own && fs.existsSync(own)) return { model: load(own), source: 'shop' };
  return { model: defaultModel(lang), source: 'default' };
}
