export { JourneyEngine, JourneyInputError, type SendFn } from './engine.ts';
export { journeyInput, JOURNEY_STATUSES, type Journey, type JourneyDefinition, type JourneyInput, type JourneyStatus, type Step as JourneyStep } from './definition.ts';
export { JourneyExistsError, JourneyNotFoundError, JourneyTransitionError, type PersonState } from './store.ts';
export { journeyMessageId } from './pass.ts';
export { JOURNEY_TEMPLATES, type JourneyTemplate } from './templates.ts';
export { journeyResults, type JourneyResults, type JourneyArmResult } from './results.ts';
