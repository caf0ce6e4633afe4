export * from './schema.ts';
export * from './ecommerce.ts';
export type { EventRow } from './row.ts';
