/** @huaxiang/sdk — the browser tracker as an ES module: `createAnalytics({ writeKey, apiHost })`. */
export { createAnalytics, VERSION, type Analytics } from './analytics.js';
export { ecommerceEvents, type Ecommerce } from './ecommerce.js';
export type { CallOptions, Callback, Message, Options, Order, Product, Properties, Purpose } from './types.js';
