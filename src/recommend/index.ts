export { RecommendEngine, STRATEGIES, UnknownItemError, type Strategy, type Recommendation, type RecommendedItem, type RecommendRequest, type TrainRun } from './engine.ts';
export { SCENES, SCENE_DEFAULTS, type Scene } from './rank.ts';
export { evaluate, table as evalTable, type EvalReport } from './eval/run.ts';
export { trainModels, type TrainStats } from './train.ts';
