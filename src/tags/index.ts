export { TagEngine, type BuildInfo } from './engine.ts';
export { TagDefinitionError, TagNotFoundError, type Tag, type Category } from './taxonomy.ts';
export type { BuildResult } from './build.ts';
export { writeModelValues, type TagValue, type StoredValue } from './values.ts';
export { tagInput, spec as tagSpec, type TagDef, type Spec } from './dsl.ts';
