export { SegmentEngine } from './engine.ts';
export { RuleInputError } from './evaluate.ts';
export { SegmentNotFoundError, segmentInput, type Segment } from './store.ts';
export { rule as segmentRule, type Rule } from './rule.ts';
export { signature as webhookSignature } from './webhooks.ts';
