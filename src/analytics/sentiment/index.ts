/** Review sentiment: features, the model format, training and evaluation, and which model is in effect. */
export { detectLang, featureStrings, clauses, clauseTerms, LANGS, type Lang } from './features.ts';
export { logit, probability, isPositive, weightOf, readModel, writeModel, encodeModel, decodeModel, ModelFormatError, type SentimentModel, type HeldOut, type ModelInfo } from './model.ts';
export { train, evaluate, split, isHeldOut, percent, type Example, type Evaluation, type TrainOptions } from './train.ts';
export { activeModel, defaultModel, defaultModelPath, shopModelPath, type ModelSource } from './registry.ts';
export { analyse, type ReviewReading, type ClauseReading } from './analyse.ts';
export { ASPECTS, aspectsOf, type Aspect } from './aspects.ts';
export { trainShopModels, evaluateShopModels, DEFAULT_MIN_REVIEWS, type TrainResult, type EvalResult, type LangCounts } from './shop.ts';
